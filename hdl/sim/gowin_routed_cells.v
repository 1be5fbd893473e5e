// Cell models for `gatebench sim --level routed` on Gowin, beside yosys' gowin/cells_sim.v (LUTs,
// MUX2_LUT*, DFF*, IBUF, OBUF, GSR): the cells nextpnr-himbaechel adds when it packs.
//  - NEXTPNR_GOWIN_ALU: nextpnr's ALU is no longer yosys' ALU primitive. The packer adds carry-in
//    and carry-out cells (ALU_MODE "C2L", "ONE2C"), and it folds constant inputs into the ALU's
//    LUT (RAW_ALU_LUT) and disconnects them. src/sim/routed.ts renames these cells to this type,
//    which models the hardware slice as apicula documents it: a 16-bit LUT on A=I0, B=I1, C=I2,
//    D=I3 gives F; SUM = F ^ CIN; COUT = F ? CIN : LUT2(A, B) from the low four bits.
//    The LUT is RAW_ALU_LUT when nextpnr wrote one, else the mode's pattern (apicula chipdb.py);
//    src/sim/routed.ts writes ALU_MODE as a string ("2", "C2L", "ONE2C").
//  - GOWIN_GND, GOWIN_VCC: the packer's constant drivers. BUFG: the global clock buffer.
`default_nettype none

module NEXTPNR_GOWIN_ALU (input wire I0, I1, I2, I3, CIN, output wire SUM, COUT);
  parameter ALU_MODE = "2";
  parameter [15:0] RAW_ALU_LUT = 16'h0000;
  parameter HAS_RAW_ALU_LUT = 1'b0;

  // yosys' synth_gowin maps every adder to mode 2 (ADDSUB); the packer adds C2L and ONE2C.
  localparam [15:0] MODE_LUT =
    ALU_MODE == "2" ? 16'b0110000010011010 :
    ALU_MODE == "C2L" ? 16'b0000000000000000 :
    ALU_MODE == "ONE2C" ? 16'b0000000000001111 : 16'b0;
  initial if (!HAS_RAW_ALU_LUT && ALU_MODE != "2" && ALU_MODE != "C2L" && ALU_MODE != "ONE2C")
    $fatal(1, "NEXTPNR_GOWIN_ALU: ALU_MODE %s is not modelled", ALU_MODE);
  localparam [15:0] INIT = HAS_RAW_ALU_LUT ? RAW_ALU_LUT : MODE_LUT;

  wire [7:0] s3 = I3 ? INIT[15:8] : INIT[7:0];
  wire [3:0] s2 = I2 ? s3[7:4] : s3[3:0];
  wire [1:0] s1 = I1 ? s2[3:2] : s2[1:0];
  wire f = I0 ? s1[1] : s1[0];
  wire [1:0] g1 = I1 ? INIT[3:2] : INIT[1:0];
  wire g = I0 ? g1[1] : g1[0];

  assign SUM = f ^ CIN;
  assign COUT = f ? CIN : g;
endmodule

module GOWIN_GND (output wire G);
  assign G = 1'b0;
endmodule

module GOWIN_VCC (output wire V);
  assign V = 1'b1;
endmodule

module BUFG (input wire I, output wire O);
  assign O = I;
endmodule
