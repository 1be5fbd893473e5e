// The FIFO's memory on Gowin: fifo_ram (see fifo_ram.v) as one SDPB block RAM (semi dual port,
// 16 Kbit) in its 2K x 8 shape. It is instantiated, not inferred: yosys 0.23's synth_gowin maps
// the inferred memory to DPX9, which nextpnr-himbaechel cannot place. The build declares SDPB with
// gowin_sdpb.il, the virtual board simulates hdl/virtual/gowin_sdpb.v. SDPB ports (Gowin UG285):
// CEA writes DI at ADA on CLKA; CEB reads ADB on CLKB; READ_MODE 0 (bypass) gives DO one clock
// after the read, like fifo_ram. At 8 bits wide the word address is AD[13:3].
`default_nettype none

// One of two fifo_ram files: the build takes this one on Gowin (src/device/top.ts).
/* verilator lint_off DECLFILENAME */
module fifo_ram #(
  parameter integer ADDR_BITS = 10
) (
  input  wire                 clk,
  input  wire                 we,
  input  wire [ADDR_BITS-1:0] waddr,
  input  wire [7:0]           wdata,
  input  wire [ADDR_BITS-1:0] raddr,
  output wire [7:0]           rdata
);
  // One SDPB holds 2**11 bytes; the device asks for at most that on Gowin (src/device/top.ts).
  localparam integer PAD = 11 - ADDR_BITS;
  wire [10:0] wword, rword;
  generate
    if (PAD > 0) begin : g_pad
      assign wword = {{PAD{1'b0}}, waddr};
      assign rword = {{PAD{1'b0}}, raddr};
    end else begin : g_full
      assign wword = waddr;
      assign rword = raddr;
    end
  endgenerate
  wire [31:0] dout;
  assign rdata = dout[7:0];
  wire [23:0] unused_dout = dout[31:8];

  SDPB #(
    .READ_MODE(1'b0),
    .BIT_WIDTH_0(8),
    .BIT_WIDTH_1(8),
    .BLK_SEL_0(3'b000),
    .BLK_SEL_1(3'b000),
    .RESET_MODE("SYNC")
  ) bsram (
    .CLKA(clk), .CEA(we), .RESETA(1'b0), .ADA({wword, 3'b000}), .DI({24'd0, wdata}), .BLKSELA(3'b000),
    .CLKB(clk), .CEB(1'b1), .RESETB(1'b0), .OCE(1'b1), .ADB({rword, 3'b000}), .DO(dout), .BLKSELB(3'b000)
  );
endmodule
/* verilator lint_on DECLFILENAME */

`default_nettype wire

