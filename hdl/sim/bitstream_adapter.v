// Testbench adapter for `gatebench sim --level bitstream`: presents lgn_core's clocked ports
// (plus in_ready) to tb_lgn_core.{v,cpp} and drives `chip`, the placed-and-routed bench top
// (gatebench_bench_top) turned back into Verilog by icebox_vlog, through its two serial pins.
// One vector at a time: in_ready is low from a vector's acceptance to its result.
//
// The chip is clocked on the inverted clock, so it samples uart_rx half a cycle after the adapter
// changed it and the adapter samples uart_tx half a cycle after the chip changed it: no races
// between the two clock domains of the simulation, in Icarus or Verilator. The chip's clock starts
// after the adapter's first edge: an edge at time 0 (the testbench's clock leaving x) would race
// the chip's initial register values in Icarus.
//
// Defines (as for the testbench): N_INPUTS, SUM_WIDTH, IDX_BITS.
`default_nettype none

module lgn_core (
  input wire clk,
  input wire rst,
  input wire in_valid,
  output wire in_ready,
  input wire [`N_INPUTS-1:0] x,
  output reg [`SUM_WIDTH-1:0] sums,
  output reg [`IDX_BITS-1:0] class_idx,
  output reg out_valid
);
  localparam N = `N_INPUTS;
  localparam W = `SUM_WIDTH + `IDX_BITS;
  reg [N:0] tx = {(N + 1){1'b1}};
  reg busy = 1'b0;
  reg receiving = 1'b0;
  reg [31:0] count = 32'd0;
  reg [W-1:0] rx = {W{1'b0}};
  wire serial_out;
  reg clock_started = 1'b0;
  always @(posedge clk) clock_started <= 1'b1;
  wire chip_clk = ~clk & clock_started;

  chip chip (.clk(chip_clk), .uart_rx(tx[0]), .uart_tx(serial_out));

  assign in_ready = !busy;

  always @(posedge clk) begin
    out_valid <= 1'b0;
    tx <= {1'b1, tx[N:1]};
    if (rst) begin
      busy <= 1'b0;
      receiving <= 1'b0;
    end else begin
      if (in_valid && !busy) begin
        tx <= {x, 1'b0};
        busy <= 1'b1;
      end
      if (busy && !receiving && !serial_out) begin
        receiving <= 1'b1;
        count <= 32'd0;
      end else if (receiving) begin
        rx <= {serial_out, rx[W-1:1]};
        count <= count + 32'd1;
        if (count == W - 1) begin
          receiving <= 1'b0;
          busy <= 1'b0;
          out_valid <= 1'b1;
          {class_idx, sums} <= {serial_out, rx[W-1:1]};
        end
      end
    end
  end
endmodule

`default_nettype wire
