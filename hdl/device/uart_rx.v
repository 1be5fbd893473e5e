// UART receiver, 8N1, LSB first. The line is sampled in the middle of each bit, CLKS_PER_BIT
// clock cycles apart (CLKS_PER_BIT = round(clock / baud), at least 4). After the middle of the
// stop bit the receiver is ready for the next start bit, so back-to-back bytes at a baud that is
// up to a few percent off are received without loss.
`default_nettype none

module uart_rx #(
  parameter integer CLKS_PER_BIT = 104
) (
  input  wire       clk,
  input  wire       rst,
  input  wire       rx,
  output reg  [7:0] data,
  // One-cycle pulse: data holds a received byte.
  output reg        valid,
  // One-cycle pulse: the stop bit was 0 (the byte is dropped).
  output reg        frame_error
);
  localparam integer CW = $clog2(CLKS_PER_BIT);
  localparam integer FULL_I = CLKS_PER_BIT - 1;
  localparam [CW-1:0] FULL = FULL_I[CW-1:0];
  // The start bit is checked half a bit after its falling edge.
  localparam integer HALF_I = CLKS_PER_BIT / 2 - 1;
  localparam [CW-1:0] HALF = HALF_I[CW-1:0];
  localparam [1:0] IDLE = 2'd0, START = 2'd1, DATA = 2'd2, STOP = 2'd3;

  // Two-flop synchroniser; the idle line is high.
  reg [1:0] sync = 2'b11;
  always @(posedge clk) sync <= {sync[0], rx};
  wire line = sync[1];

  reg [1:0] state = IDLE;
  reg [CW-1:0] count = {CW{1'b0}};
  reg [2:0] bitn = 3'd0;
  reg [7:0] shift = 8'd0;

  initial begin
    data = 8'd0;
    valid = 1'b0;
    frame_error = 1'b0;
  end

  always @(posedge clk) begin
    valid <= 1'b0;
    frame_error <= 1'b0;
    if (rst) begin
      state <= IDLE;
    end else begin
      case (state)
        IDLE:
          if (!line) begin
            state <= START;
            count <= HALF;
          end
        START:
          if (count != 0) count <= count - 1'b1;
          else if (!line) begin
            state <= DATA;
            count <= FULL;
            bitn <= 3'd0;
          end else state <= IDLE;  // a glitch, not a start bit
        DATA:
          if (count != 0) count <= count - 1'b1;
          else begin
            shift <= {line, shift[7:1]};
            count <= FULL;
            bitn <= bitn + 1'b1;
            if (bitn == 3'd7) state <= STOP;
          end
        default:  // STOP
          if (count != 0) count <= count - 1'b1;
          else begin
            if (line) begin
              data <= shift;
              valid <= 1'b1;
            end else frame_error <= 1'b1;
            state <= IDLE;
          end
      endcase
    end
  end
endmodule

`default_nettype wire
