// Cell models for `gatebench sim --level routed` on ECP5: the cell types nextpnr-ecp5 leaves in its
// routed netlist (`--write`), after packing. Yosys' own models do not cover them faithfully:
//  - TRELLIS_COMB: yosys' CCU2 branch declares a local `wire FCO` instead of driving the port (the
//    carry out stays undriven), it has no DI0/DI1 pins, and it needs IS_Z1, which nextpnr does not
//    write (src/sim/routed.ts sets it from the cell's BEL: K1 is the slice's second LUT).
//  - TRELLIS_FF: nextpnr feeds a register either from its LUT (DI, SD = "1") or from the fabric
//    (M, SD = "0"); yosys' model reads DI only.
//  - DCCA (the global clock buffer) is a black box in yosys; TRELLIS_IO's pad is an inout.
// Each model is the slice as the ECP5 fabric documents it: a LUT4 (nested muxes, so an input the
// function ignores may be x), a PFUMX/L6MUX21 on OFX, the CCU2 carry logic, and the register's
// SD/CE/LSR muxes. src/sim/routed.ts ties unconnected LUT inputs (A-D) high, as the fabric does;
// other unconnected pins stay open.
`default_nettype none

module TRELLIS_COMB (
  input wire A, B, C, D, M,
  input wire FCI, F1, FXA, FXB,
  input wire DI0, DI1,
  input wire WD, WAD0, WAD1, WAD2, WAD3, WRE, WCK,
  output wire F, FCO, OFX
);
  parameter MODE = "LOGIC";
  parameter [15:0] INITVAL = 16'h0000;
  parameter CCU2_INJECT1 = "NO";
  parameter WREMUX = "WRE";
  parameter IS_Z1 = 1'b0;

  wire [7:0] s3 = D ? INITVAL[15:8] : INITVAL[7:0];
  wire [3:0] s2 = C ? s3[7:4] : s3[3:0];
  wire [1:0] s1 = B ? s2[3:2] : s2[1:0];
  wire lut4 = A ? s1[1] : s1[0];
  // The carry's generate term: a LUT2 on A, B from the low four bits.
  wire [1:0] g1 = B ? INITVAL[3:2] : INITVAL[1:0];
  wire lut2 = A ? g1[1] : g1[0];
  wire inject = CCU2_INJECT1 == "YES";

  generate
    if (MODE == "LOGIC") begin : logic_mode
      assign F = lut4;
      assign FCO = 1'b0;
    end else if (MODE == "CCU2") begin : ccu2_mode
      assign F = lut4 ^ (inject ? 1'b0 : FCI);
      assign FCO = lut4 ? FCI : (inject ? 1'b0 : lut2);
    end else begin : unsupported
      // DPRAM (distributed RAM) is not used by gatebench's designs.
      initial $fatal(1, "TRELLIS_COMB: MODE %s is not modelled", MODE);
    end
  endgenerate

  // K0 drives OFX through the 5-input mux (F1 is the other LUT), K1 through the wider L6MUX21.
  assign OFX = IS_Z1 ? (M ? FXB : FXA) : (M ? F1 : F);
endmodule

module TRELLIS_FF (input wire CLK, LSR, CE, DI, M, output reg Q);
  parameter GSR = "ENABLED";
  parameter CEMUX = "1";
  parameter CLKMUX = "CLK";
  parameter LSRMUX = "LSR";
  parameter SRMODE = "LSR_OVER_CE";
  parameter REGSET = "RESET";
  parameter SD = "0";

  wire d = SD == "1" ? DI : M;
  wire ce = CEMUX == "1" ? 1'b1 : CEMUX == "0" ? 1'b0 : CEMUX == "INV" ? ~CE : CE;
  // src/sim/routed.ts ties an unconnected LSR low (the fabric switches it off).
  wire lsr = LSRMUX == "INV" ? ~LSR : LSR;
  wire clk = CLKMUX == "INV" ? ~CLK : CLK;
  wire srval = REGSET == "SET";

  initial Q = srval;
  generate
    if (SRMODE == "ASYNC") begin : async_reset
      always @(posedge clk, posedge lsr)
        if (lsr) Q <= srval;
        else if (ce) Q <= d;
    end else begin : sync_reset
      always @(posedge clk)
        if (lsr) Q <= srval;
        else if (ce) Q <= d;
    end
  endgenerate
endmodule

// TRELLIS_IO by direction (src/sim/routed.ts renames the cells after their DIR): pad B is the
// top's port, an input or an output, which Verilator will not connect to an inout.
module TRELLIS_IO_INPUT (input wire B, I, T, output wire O);
  parameter DIR = "INPUT";
  parameter DATAMUX_MDDR = "PADDO";
  parameter DATAMUX_ODDR = "PADDO";
  assign O = B;
endmodule

module TRELLIS_IO_OUTPUT (output wire B, input wire I, T, output wire O);
  parameter DIR = "OUTPUT";
  parameter DATAMUX_MDDR = "PADDO";
  parameter DATAMUX_ODDR = "PADDO";
  assign B = I;
  assign O = 1'b0;
endmodule

// The global clock buffer; nextpnr leaves CE unconnected (enabled).
module DCCA (input wire CLKI, CE, output wire CLKO);
  assign CLKO = CLKI;
endmodule
