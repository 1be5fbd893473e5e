// Simulation model of the Gowin SDPB block RAM (semi dual port, 16 Kbit) for the virtual board, in
// the one shape fifo_ram_gowin.v uses: 8 bits wide on both ports (word address AD[13:3]), bypass
// read mode (DO one clock after the read), block selects 0, no reset, OCE high. yosys ships SDPB
// only as a black box (cells_xtra), so the virtual board of a Gowin board needs this to run the
// same device RTL the Gowin build places. Behaviour from Gowin UG285 (BSRAM and SSRAM user guide).
`default_nettype none

// The module keeps the vendor's cell name, the file says what it is.
/* verilator lint_off DECLFILENAME */
module SDPB #(
  parameter [0:0] READ_MODE = 1'b0,
  parameter integer BIT_WIDTH_0 = 8,
  parameter integer BIT_WIDTH_1 = 8,
  parameter [2:0] BLK_SEL_0 = 3'b000,
  parameter [2:0] BLK_SEL_1 = 3'b000,
  // No reset is modelled (the device never resets the RAM): the parameter is accepted and ignored.
  /* verilator lint_off UNUSEDPARAM */
  parameter RESET_MODE = "SYNC"
  /* verilator lint_on UNUSEDPARAM */
) (
  input  wire        CLKA,
  input  wire        CEA,
  input  wire        RESETA,
  input  wire [13:0] ADA,
  input  wire [31:0] DI,
  input  wire [2:0]  BLKSELA,
  input  wire        CLKB,
  input  wire        CEB,
  input  wire        RESETB,
  input  wire        OCE,
  input  wire [13:0] ADB,
  output reg  [31:0] DO,
  input  wire [2:0]  BLKSELB
);
  reg [7:0] mem [0:2047];
  initial DO = 32'd0;
  // Only the shape the device uses is modelled: any other is a mistake in the design, caught here.
  initial begin
    if (READ_MODE != 1'b0 || BIT_WIDTH_0 != 8 || BIT_WIDTH_1 != 8) begin
      $display("gowin_sdpb.v models only READ_MODE 0 and 8-bit ports");
      $finish;
    end
  end
  wire unused = ^{RESETA, RESETB, OCE, ADA[2:0], ADB[2:0], DI[31:8], BLKSELA, BLKSELB, BLK_SEL_0, BLK_SEL_1};
  always @(posedge CLKA) if (CEA) mem[ADA[13:3]] <= DI[7:0];
  always @(posedge CLKB) if (CEB) DO <= {24'd0, mem[ADB[13:3]]};
endmodule
/* verilator lint_on DECLFILENAME */

`default_nettype wire
