// Byte FIFO of 2**ADDR_BITS entries in one block RAM (fifo_ram: the board family's), with a
// show-ahead output register and a valid/ready output. The input has no backpressure (a UART
// cannot wait): `full` says a byte written now is dropped, which is flagged with a one-cycle
// overflow pulse. It delivers a byte every other clock.
`default_nettype none

module byte_fifo #(
  parameter integer ADDR_BITS = 10
) (
  input  wire       clk,
  input  wire       rst,
  input  wire [7:0] in_data,
  input  wire       in_valid,
  output wire       full,
  output reg        overflow,
  output reg  [7:0] out_data,
  output reg        out_valid,
  input  wire       out_ready
);
  reg [ADDR_BITS:0] wptr = {(ADDR_BITS + 1){1'b0}};
  reg [ADDR_BITS:0] rptr = {(ADDR_BITS + 1){1'b0}};
  wire [7:0] rdata;
  reg reading = 1'b0;  // a read was issued last cycle; its byte is in rdata now

  wire empty = (wptr == rptr);
  assign full = (wptr[ADDR_BITS] != rptr[ADDR_BITS]) && (wptr[ADDR_BITS-1:0] == rptr[ADDR_BITS-1:0]);

  initial begin
    overflow = 1'b0;
    out_data = 8'd0;
    out_valid = 1'b0;
  end

  fifo_ram #(.ADDR_BITS(ADDR_BITS)) ram (
    .clk(clk), .we(in_valid && !full), .waddr(wptr[ADDR_BITS-1:0]), .wdata(in_data), .raddr(rptr[ADDR_BITS-1:0]), .rdata(rdata)
  );

  always @(posedge clk) begin
    if (rst) begin
      wptr <= {(ADDR_BITS + 1){1'b0}};
      rptr <= {(ADDR_BITS + 1){1'b0}};
      reading <= 1'b0;
      out_valid <= 1'b0;
      overflow <= 1'b0;
    end else begin
      overflow <= in_valid && full;
      if (in_valid && !full) wptr <= wptr + 1'b1;
      if (out_valid && out_ready) out_valid <= 1'b0;
      if (reading) begin
        out_data <= rdata;
        out_valid <= 1'b1;
        reading <= 1'b0;
      end else if (!empty && (!out_valid || out_ready)) begin
        rptr <= rptr + 1'b1;
        reading <= 1'b1;
      end
    end
  end
endmodule

`default_nettype wire
