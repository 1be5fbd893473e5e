// gatebench device: the UART protocol engine around an lgn_core (docs/protocol.md).
//
//   uart_rx -> byte_fifo (block RAM) -> frame parser -> command -> answer -> byte_fifo -> uart_tx
//
// Frames are SYNC(0xA5) CMD SEQ LEN_LO LEN_HI PAYLOAD CRC_LO CRC_HI with CRC-16/CCITT-FALSE over
// CMD..PAYLOAD. The parser reads the FIFO one byte per two clocks, far faster than the line
// delivers bytes, and writes each answer into the transmit FIFO at one byte per clock, so
// back-to-back frames at the configured baud are never dropped as long as the host keeps at most
// FIFO depth bytes of requests outstanding (INFO reports the depth).
//
// The core is wired by the generated top (gatebench_top): x is the received INFER payload,
// core_in_valid is high for one cycle once the frame's CRC has been checked, and the result is
// taken in the cycle core_out_valid is high (for a combinational core the top ties out_valid to
// in_valid). The number of clock cycles in between is returned with the result.
`default_nettype none

module gatebench_device #(
  parameter integer N_INPUTS = 16,
  parameter integer CLASSES = 2,
  parameter integer SUM_BITS = 4,
  parameter integer IDX_BITS = 1,
  parameter [7:0] CORE_LATENCY = 8'd0,
  parameter [31:0] CLK_HZ = 32'd12000000,
  parameter [31:0] BAUD = 32'd115200,
  // First 8 bytes of the model's networkHash, in the order they are sent (byte 0 in bits 7:0).
  parameter [63:0] MODEL_ID = 64'd0,
  parameter [7:0] DESIGN_VERSION = 8'd1,
  parameter integer FIFO_ADDR_BITS = 10
) (
  input  wire                          clk,
  input  wire                          uart_rx,
  output wire                          uart_tx,
  output wire                          core_rst,
  output wire [N_INPUTS-1:0]           x,
  output reg                           core_in_valid,
  input  wire [CLASSES*SUM_BITS-1:0]   sums,
  input  wire [IDX_BITS-1:0]           class_idx,
  input  wire                          core_out_valid
);
  localparam integer CLKS_PER_BIT = (CLK_HZ + BAUD / 2) / BAUD;
  localparam integer X_BYTES = (N_INPUTS + 7) / 8;
  localparam integer SUMS_W = CLASSES * SUM_BITS;
  localparam integer SUM_BYTES = (SUMS_W + 7) / 8;
  // INFER answer: sums, class index, cycles (u16), the request's CRC (u16).
  localparam integer INFER_LEN = SUM_BYTES + 5;
  localparam integer INFO_LEN = 41;
  localparam [15:0] MAX_PAYLOAD = X_BYTES[15:0];
  localparam [15:0] FIFO_DEPTH = 16'd1 << FIFO_ADDR_BITS;
  localparam [7:0] PROTOCOL_VERSION = 8'd1;

  localparam [7:0] SYNC = 8'hA5;
  localparam [7:0] CMD_INFO = 8'h01, CMD_INFER = 8'h02, CMD_ECHO = 8'h03, CMD_STRESS_START = 8'h04, CMD_STRESS_STOP = 8'h05;
  localparam [7:0] CMD_ERROR = 8'hFF;
  // Answers are the request's command with bit 7 set; errors are CMD_ERROR.
  localparam [7:0] ERR_CRC = 8'd1, ERR_LENGTH = 8'd2, ERR_COMMAND = 8'd3, ERR_BUSY = 8'd4;

  // Parser timeout: a frame whose next byte does not come within 256 byte times is abandoned.
  localparam integer TIMEOUT_CYCLES = 256 * 10 * CLKS_PER_BIT;
  localparam integer TW = $clog2(TIMEOUT_CYCLES + 1);
  localparam [TW-1:0] TIMEOUT = TIMEOUT_CYCLES[TW-1:0];

  // ---- Power-on reset: 16 cycles after configuration. ----
  reg [4:0] por = 5'd0;
  wire rst = !por[4];
  always @(posedge clk) if (!por[4]) por <= por + 1'b1;
  assign core_rst = rst;

  // ---- UART and receive FIFO. ----
  wire [7:0] rx_data;
  wire rx_valid, rx_frame_error;
  uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) rx_i (
    .clk(clk), .rst(rst), .rx(uart_rx), .data(rx_data), .valid(rx_valid), .frame_error(rx_frame_error)
  );
  wire [7:0] in_byte;
  wire in_valid, fifo_overflow;
  wire in_ready;
  wire unused_rx_full;
  byte_fifo #(.ADDR_BITS(FIFO_ADDR_BITS)) rx_fifo_i (
    .clk(clk), .rst(rst), .in_data(rx_data), .in_valid(rx_valid), .full(unused_rx_full), .overflow(fifo_overflow),
    .out_data(in_byte), .out_valid(in_valid), .out_ready(in_ready)
  );
  // Answers go through a transmit FIFO, so the engine hands over an answer in a few cycles and
  // parses the next request while the UART sends: both directions run at the full baud.
  reg [7:0] tx_byte;
  wire tx_valid, tx_full, unused_tx_overflow;
  wire tx_ready = !tx_full;
  wire [7:0] uart_byte;
  wire uart_valid, uart_ready;
  byte_fifo #(.ADDR_BITS(9)) tx_fifo_i (
    .clk(clk), .rst(rst), .in_data(tx_byte), .in_valid(tx_valid), .full(tx_full), .overflow(unused_tx_overflow),
    .out_data(uart_byte), .out_valid(uart_valid), .out_ready(uart_ready)
  );
  uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) tx_i (
    .clk(clk), .rst(rst), .in_data(uart_byte), .in_valid(uart_valid), .in_ready(uart_ready), .tx(uart_tx)
  );

  // ---- Counters. ----
  reg [47:0] uptime = 48'd0;
  always @(posedge clk) uptime <= uptime + 1'b1;
  reg [15:0] crc_errors = 16'd0, overflows = 16'd0, frame_errors = 16'd0;
  always @(posedge clk) begin
    if (fifo_overflow) overflows <= overflows + 1'b1;
    if (rx_frame_error) frame_errors <= frame_errors + 1'b1;
  end

  // ---- State. ----
  localparam [3:0] R_SYNC = 4'd0, R_CMD = 4'd1, R_SEQ = 4'd2, R_LEN0 = 4'd3, R_LEN1 = 4'd4, R_PAY = 4'd5,
                   R_CRC0 = 4'd6, R_CRC1 = 4'd7, EXEC = 4'd8, CORE_WAIT = 4'd9, ALIGN = 4'd10, TX = 4'd11;
  // Where a response's payload bytes come from.
  localparam [2:0] K_INFO = 3'd0, K_INFER = 3'd1, K_ECHO = 3'd2, K_UPTIME = 3'd3, K_ERROR = 3'd4;
  // Response phases: header (SYNC CMD SEQ LEN), payload, CRC.
  localparam [1:0] T_HEAD = 2'd0, T_PAY = 2'd1, T_CRC = 2'd2;

  reg [3:0] state = R_SYNC;
  reg [7:0] cmd = 8'd0, seq = 8'd0;
  reg [15:0] len = 16'd0, remaining = 16'd0;
  reg [15:0] crc = 16'hFFFF;
  reg [7:0] rx_crc_lo = 8'd0;
  reg [15:0] req_crc = 16'd0;
  reg [TW-1:0] idle = {TW{1'b0}};
  reg [8*X_BYTES-1:0] payload = {(8 * X_BYTES){1'b0}};
  reg stressing = 1'b0;
  reg [15:0] wait_cycles = 16'd0;
  reg [7:0] err_code = 8'd0;
  initial core_in_valid = 1'b0;

  // Uptime when the request was executed (INFO and STRESS answers).
  reg [47:0] uptime_snap = 48'd0;

  reg [2:0] kind = K_INFO;
  reg [7:0] resp_cmd = 8'd0;
  reg [15:0] resp_len = 16'd0;
  reg [1:0] tphase = T_HEAD;
  reg [2:0] hix = 3'd0;       // byte index in the header or the CRC
  reg [15:0] left = 16'd0;    // payload bytes still to send
  // Payload byte index. The engine parses nothing while it answers, so the payload register and
  // the core's outputs hold still until the answer is sent: they need no copy.
  localparam integer PIX_LEN = INFER_LEN > INFO_LEN ? INFER_LEN : INFO_LEN;
  localparam integer PW = $clog2(PIX_LEN);
  reg [PW-1:0] pix = {PW{1'b0}};
  reg [15:0] tx_crc = 16'hFFFF;

  assign x = payload[N_INPUTS-1:0];
  generate
    if (8 * X_BYTES > N_INPUTS) begin : g_pad
      wire unused_payload_pad = ^payload[8*X_BYTES-1:N_INPUTS];
    end
  endgenerate

  // The payload register is a byte shift register: a received byte enters at the top and every
  // byte moves down one place. The same path rotates it (the bottom byte re-enters at the top)
  // to align and send ECHO data and to change the core's input every clock under STRESS, so
  // every payload bit is a plain enabled flip-flop.
  wire rotate;
  wire take;
  wire [7:0] shift_byte = (state == R_PAY) ? in_byte : payload[7:0];
  wire [8*X_BYTES-1:0] payload_next;
  generate
    if (X_BYTES > 1) begin : g_shift
      assign payload_next = {shift_byte, payload[8*X_BYTES-1:8]};
    end else begin : g_byte
      assign payload_next = shift_byte;
    end
  endgenerate
  always @(posedge clk) if (rotate || (state == R_PAY && take)) payload <= payload_next;

  // The result fields padded to whole bytes.
  wire [8*SUM_BYTES-1:0] sums_bytes;
  wire [7:0] idx_byte;
  generate
    if (8 * SUM_BYTES > SUMS_W) begin : g_sums_pad
      assign sums_bytes = {{(8 * SUM_BYTES - SUMS_W){1'b0}}, sums};
    end else begin : g_sums
      assign sums_bytes = sums;
    end
    if (IDX_BITS < 8) begin : g_idx_pad
      assign idx_byte = {{(8 - IDX_BITS){1'b0}}, class_idx};
    end else begin : g_idx
      assign idx_byte = class_idx;
    end
  endgenerate
  wire [8*INFER_LEN-1:0] infer_fields = {req_crc, wait_cycles, idx_byte, sums_bytes};

  wire [15:0] crc_rx_next, crc_tx_next;
  crc16_ccitt_byte crc_rx_i (.crc_in(crc), .data(in_byte), .crc_out(crc_rx_next));
  crc16_ccitt_byte crc_tx_i (.crc_in(tx_crc), .data(tx_byte), .crc_out(crc_tx_next));

  wire receiving = (state <= R_CRC1);
  assign in_ready = receiving;
  assign take = in_valid && receiving;

  // ---- Response bytes. ----
  // INFO payload, byte p at bits [8p +: 8], all fields little-endian (docs/protocol.md).
  wire [8*INFO_LEN-1:0] info_fields = {
    frame_errors, overflows, crc_errors, 7'd0, stressing, uptime_snap,
    MAX_PAYLOAD, FIFO_DEPTH, BAUD, CLK_HZ,
    CORE_LATENCY, IDX_BITS[7:0], SUM_BITS[7:0], CLASSES[7:0], N_INPUTS[15:0],
    MODEL_ID, DESIGN_VERSION, PROTOCOL_VERSION
  };
  // Byte pix of each answer (AND-OR selects; the byte multiplexers are about a third of the
  // engine's LUTs).
  reg [7:0] info_byte, infer_byte, uptime_byte;
  integer i;
  always @(*) begin
    info_byte = 8'd0;
    infer_byte = 8'd0;
    uptime_byte = 8'd0;
    for (i = 0; i < INFO_LEN; i = i + 1) if (pix == i[PW-1:0]) info_byte = info_byte | info_fields[i*8 +: 8];
    for (i = 0; i < INFER_LEN; i = i + 1) if (pix == i[PW-1:0]) infer_byte = infer_byte | infer_fields[i*8 +: 8];
    for (i = 0; i < 6; i = i + 1) if (pix == i[PW-1:0]) uptime_byte = uptime_byte | uptime_snap[i*8 +: 8];
  end
  reg [7:0] payload_byte;
  always @(*) begin
    case (kind)
      K_INFO: payload_byte = info_byte;
      K_INFER: payload_byte = infer_byte;
      K_ECHO: payload_byte = payload[7:0];
      K_UPTIME: payload_byte = uptime_byte;
      default: payload_byte = (pix == {PW{1'b0}}) ? err_code : cmd;  // K_ERROR
    endcase
  end
  always @(*) begin
    case (tphase)
      T_HEAD:
        case (hix)
          3'd0: tx_byte = SYNC;
          3'd1: tx_byte = resp_cmd;
          3'd2: tx_byte = seq;
          3'd3: tx_byte = resp_len[7:0];
          default: tx_byte = resp_len[15:8];
        endcase
      T_PAY: tx_byte = payload_byte;
      default: tx_byte = hix[0] ? tx_crc[15:8] : tx_crc[7:0];
    endcase
  end
  assign tx_valid = (state == TX);
  wire sent = tx_valid && tx_ready;
  assign rotate = stressing || (state == ALIGN && remaining != 16'd0) || (sent && tphase == T_PAY && kind == K_ECHO);

  task automatic respond(input [7:0] c, input [2:0] k, input [15:0] n);
    begin
      resp_cmd <= c;
      kind <= k;
      resp_len <= n;
      tphase <= T_HEAD;
      hix <= 3'd0;
      pix <= {PW{1'b0}};
      tx_crc <= 16'hFFFF;
      state <= TX;
    end
  endtask

  task automatic fail(input [7:0] code);
    begin
      err_code <= code;
      respond(CMD_ERROR, K_ERROR, 16'd2);
    end
  endtask

  always @(posedge clk) begin
    // Under STRESS the core evaluates a new input (the vector rotated by a byte) every clock.
    core_in_valid <= stressing;
    if (rst) begin
      state <= R_SYNC;
      stressing <= 1'b0;
      core_in_valid <= 1'b0;
    end else begin
      if (!receiving || state == R_SYNC || take) idle <= {TW{1'b0}};
      else idle <= idle + 1'b1;
      case (state)
        R_SYNC:
          if (take && in_byte == SYNC) begin
            state <= R_CMD;
            crc <= 16'hFFFF;
          end
        R_CMD:
          if (take) begin
            cmd <= in_byte;
            crc <= crc_rx_next;
            state <= R_SEQ;
          end
        R_SEQ:
          if (take) begin
            seq <= in_byte;
            crc <= crc_rx_next;
            state <= R_LEN0;
          end
        R_LEN0:
          if (take) begin
            len[7:0] <= in_byte;
            crc <= crc_rx_next;
            state <= R_LEN1;
          end
        R_LEN1:
          if (take) begin
            len[15:8] <= in_byte;
            remaining <= {in_byte, len[7:0]};
            crc <= crc_rx_next;
            // A length no command can have: not a frame header, hunt for the next sync byte.
            if ({in_byte, len[7:0]} > MAX_PAYLOAD) state <= R_SYNC;
            else if ({in_byte, len[7:0]} == 16'd0) state <= R_CRC0;
            else state <= R_PAY;
          end
        R_PAY:
          if (take) begin
            crc <= crc_rx_next;
            remaining <= remaining - 1'b1;
            if (remaining == 16'd1) state <= R_CRC0;
          end
        R_CRC0:
          if (take) begin
            rx_crc_lo <= in_byte;
            state <= R_CRC1;
          end
        R_CRC1:
          if (take) begin
            req_crc <= {in_byte, rx_crc_lo};
            if ({in_byte, rx_crc_lo} == crc) state <= EXEC;
            else begin
              crc_errors <= crc_errors + 1'b1;
              fail(ERR_CRC);
            end
          end
        EXEC:
          case (cmd)
            CMD_INFO:
              if (len != 16'd0) fail(ERR_LENGTH);
              else begin
                uptime_snap <= uptime;
                respond(8'h81, K_INFO, INFO_LEN[15:0]);
              end
            CMD_INFER:
              if (len != MAX_PAYLOAD) fail(ERR_LENGTH);
              else if (stressing) fail(ERR_BUSY);
              else begin
                core_in_valid <= 1'b1;
                wait_cycles <= 16'd0;
                state <= CORE_WAIT;
              end
            CMD_ECHO:
              if (stressing) fail(ERR_BUSY);
              else begin
                remaining <= MAX_PAYLOAD - len;
                state <= ALIGN;
              end
            CMD_STRESS_START, CMD_STRESS_STOP:
              if (len != 16'd0) fail(ERR_LENGTH);
              else begin
                stressing <= (cmd == CMD_STRESS_START);
                uptime_snap <= uptime;
                respond(cmd | 8'h80, K_UPTIME, 16'd6);
              end
            default: fail(ERR_COMMAND);
          endcase
        CORE_WAIT:
          if (core_out_valid) begin
            respond(8'h82, K_INFER, INFER_LEN[15:0]);
          end else wait_cycles <= wait_cycles + 1'b1;
        ALIGN:
          // Rotate the echoed bytes down to payload[7:0] (the frame filled only the top len bytes).
          if (remaining != 16'd0) remaining <= remaining - 1'b1;
          else respond(8'h83, K_ECHO, len);
        default:  // TX
          if (sent) begin
            case (tphase)
              T_HEAD: begin
                if (hix != 3'd0) tx_crc <= crc_tx_next;
                hix <= hix + 1'b1;
                if (hix == 3'd4) begin
                  hix <= 3'd0;
                  left <= resp_len;
                  tphase <= (resp_len == 16'd0) ? T_CRC : T_PAY;
                end
              end
              T_PAY: begin
                tx_crc <= crc_tx_next;
                pix <= pix + 1'b1;
                left <= left - 1'b1;
                if (left == 16'd1) tphase <= T_CRC;
              end
              default: begin
                hix <= hix + 1'b1;
                if (hix[0]) state <= R_SYNC;
              end
            endcase
          end
      endcase
      if (receiving && state != R_SYNC && idle == TIMEOUT) state <= R_SYNC;
    end
  end
endmodule

`default_nettype wire
