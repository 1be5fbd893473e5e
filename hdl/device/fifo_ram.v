// The FIFO's memory: 2**ADDR_BITS bytes, one write port and one registered read port on the same
// clock. Written so that yosys infers the family's block RAM: SB_RAM40_4K on iCE40, DP16KD on
// ECP5 (a synchronous read keeps it out of LUT RAM). Gowin boards use fifo_ram_gowin.v instead,
// the same module as a BSRAM instance.
`default_nettype none

module fifo_ram #(
  parameter integer ADDR_BITS = 10
) (
  input  wire                 clk,
  input  wire                 we,
  input  wire [ADDR_BITS-1:0] waddr,
  input  wire [7:0]           wdata,
  input  wire [ADDR_BITS-1:0] raddr,
  output reg  [7:0]           rdata
);
  reg [7:0] mem [0:(1 << ADDR_BITS) - 1];
  always @(posedge clk) begin
    if (we) mem[waddr] <= wdata;
    rdata <= mem[raddr];
  end
endmodule

`default_nettype wire
