// UART transmitter, 8N1, LSB first, CLKS_PER_BIT clock cycles per bit. Valid/ready handshake:
// a byte is taken at a rising edge where in_valid and in_ready are both high; in_ready is high
// in the last cycle of the stop bit, so bytes go out back to back with no idle time.
`default_nettype none

module uart_tx #(
  parameter integer CLKS_PER_BIT = 104
) (
  input  wire       clk,
  input  wire       rst,
  input  wire [7:0] in_data,
  input  wire       in_valid,
  output wire       in_ready,
  output reg        tx
);
  localparam integer CW = $clog2(CLKS_PER_BIT);
  localparam integer FULL_I = CLKS_PER_BIT - 1;
  localparam [CW-1:0] FULL = FULL_I[CW-1:0];

  reg [8:0] shift = 9'h1ff;       // data bits then the stop bit, sent after the start bit
  reg [3:0] bits_left = 4'd0;     // bits still to finish, the current one included
  reg [CW-1:0] count = {CW{1'b0}};

  initial tx = 1'b1;
  // The next byte is taken in the last cycle of a stop bit, so bytes follow with no gap.
  wire finishing = (bits_left == 4'd1) && (count == {CW{1'b0}});
  assign in_ready = (bits_left == 4'd0) || finishing;

  always @(posedge clk) begin
    if (rst) begin
      tx <= 1'b1;
      bits_left <= 4'd0;
    end else if (in_valid && in_ready) begin
      tx <= 1'b0;  // start bit
      shift <= {1'b1, in_data};
      bits_left <= 4'd10;
      count <= FULL;
    end else if (bits_left != 4'd0) begin
      if (count != {CW{1'b0}}) begin
        count <= count - 1'b1;
      end else begin
        bits_left <= bits_left - 1'b1;
        count <= FULL;
        if (bits_left != 4'd1) begin
          tx <= shift[0];
          shift <= {1'b1, shift[8:1]};
        end
      end
    end
  end
endmodule

`default_nettype wire
