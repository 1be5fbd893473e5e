// Icarus Verilog testbench for lgn_core: streams vectors from a file, writes one result line per
// vector (the same formats as tb_lgn_core.cpp).
//
//   vvp sim.vvp +in=VECTORS +out=RESULTS
//   VECTORS: one vector per line, x as hex, most significant digit first (x[N-1] .. x[0]).
//   RESULTS: "<sums hex> <class_idx hex>" per vector, in input order, zero-padded.
//   Last line on stdout: "tb: vectors V cycles C latency L seconds 0" (latency -1 if combinational).
//
// Defines (iverilog -D): N_INPUTS, SUM_WIDTH, IDX_BITS, LATENCY (0: combinational core); READY
// when the design has an in_ready output (a vector is given only while it is high: the bitstream
// adapter, which takes one vector at a time).
`timescale 1ns / 1ps
`default_nettype none

module tb;
  reg [`N_INPUTS-1:0] x;
  wire [`SUM_WIDTH-1:0] sums;
  wire [`IDX_BITS-1:0] class_idx;
  reg [8*2048-1:0] in_path;
  reg [8*2048-1:0] out_path;
  integer fin, fout, r, n_in, n_out, cycle, first_in, latency, done_cycle;
  reg input_done;

`ifdef CLOCKED
  reg clk, rst, in_valid;
  wire out_valid;
`ifdef READY
  wire in_ready;
  lgn_core dut (.clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .x(x), .sums(sums), .class_idx(class_idx), .out_valid(out_valid));
`else
  wire in_ready = 1'b1;
  lgn_core dut (.clk(clk), .rst(rst), .in_valid(in_valid), .x(x), .sums(sums), .class_idx(class_idx), .out_valid(out_valid));
`endif
`else
  lgn_core dut (.x(x), .sums(sums), .class_idx(class_idx));
`endif

  initial begin
    n_in = 0;
    n_out = 0;
    cycle = 0;
    first_in = -1;
    latency = -1;
    done_cycle = 0;
    input_done = 0;
    x = {`N_INPUTS{1'b0}};
    if (!$value$plusargs("in=%s", in_path) || !$value$plusargs("out=%s", out_path)) begin
      $display("tb: usage: vvp sim.vvp +in=VECTORS +out=RESULTS");
      $finish;
    end
    fin = $fopen(in_path, "r");
    fout = $fopen(out_path, "w");
    if (fin == 0 || fout == 0) begin
      $display("tb: cannot open the vector or result file");
      $finish;
    end
`ifndef CLOCKED
    while (!input_done) begin
      r = $fscanf(fin, "%h\n", x);
      if (r == 1) begin
        n_in = n_in + 1;
        #1;
        $fwrite(fout, "%h %h\n", sums, class_idx);
        n_out = n_out + 1;
      end else input_done = 1;
    end
`else
    clk = 0;
    rst = 1;
    in_valid = 0;
    repeat (2) begin
      #5 clk = 1;
      #5 clk = 0;
    end
    rst = 0;
    while (!input_done || n_out < n_in) begin
      in_valid = 0;
      if (!input_done && in_ready) begin
        r = $fscanf(fin, "%h\n", x);
        if (r == 1) begin
          in_valid = 1;
          if (first_in < 0) first_in = cycle;
          n_in = n_in + 1;
        end else begin
          input_done = 1;
          done_cycle = cycle;
        end
      end
      #5 clk = 1;
      #1;
      if (out_valid) begin
        if (latency < 0) latency = cycle - first_in + 1;
        $fwrite(fout, "%h %h\n", sums, class_idx);
        n_out = n_out + 1;
      end
      #4 clk = 0;
      cycle = cycle + 1;
      if (input_done && cycle > done_cycle + 4 * `LATENCY + 16) begin
        $display("tb: %0d vectors in, only %0d results after %0d cycles (out_valid stuck?)", n_in, n_out, cycle);
        $fclose(fout);
        $finish;
      end
    end
`endif
    $fclose(fout);
    $fclose(fin);
    $display("tb: vectors %0d cycles %0d latency %0d seconds 0", n_out, cycle, latency);
    $finish;
  end
endmodule

`default_nettype wire
