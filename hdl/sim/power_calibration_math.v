// The "Math (no DSP)" logic of tinyvision-ai-inc/ice40_power (power_test/rgb_blink.v, MATH):
// two 8-bit counters stepping by 3 and 5 and their 16-bit product, reduced to one output. Its
// measured cost on a UP5K core rail (996 uA with it, 645 uA without, HFOSC at 12 MHz) calibrates
// gatebench's energy per net toggle (src/power/estimate.ts, docs/power-estimate.md): gatebench
// synthesises this module and counts its net transitions per clock as it does for an LGN core.
// The ports are lgn_core's (clk, rst, in_valid, x) so the same toggle testbench drives it; only
// clk is used, as in the measured design.
`default_nettype none

module power_calibration_math (
  input  wire       clk,
  input  wire       rst,
  input  wire       in_valid,
  input  wire [0:0] x,
  output wire       y
);
  reg [7:0] ctr1 = 8'd0, ctr2 = 8'd0;
  always @(posedge clk) begin
    ctr1 <= ctr1 + 8'd3;
    ctr2 <= ctr2 + 8'd5;
  end
  wire [15:0] result = ctr1 * ctr2;
  assign y = (&ctr1) | (&ctr2) | (&result);
  wire unused_inputs = &{1'b0, rst, in_valid, x};
endmodule

`default_nettype wire
