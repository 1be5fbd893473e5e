import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Board } from '../../src/board/index.js';

export function tempDir(prefix = 'gatebench-flow-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeVerilog(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** An 8-bit counter and a registered XOR of the sampled UART line: registered in and out. */
export const COUNTER = `
module top(input clk, input uart_rx, output uart_tx, output [1:0] led);
  reg [7:0] count = 0;
  reg [3:0] sampled = 0;
  reg parity = 0;
  always @(posedge clk) begin
    count <= count + 1;
    sampled <= {sampled[2:0], uart_rx};
    parity <= ^sampled ^ count[7];
  end
  assign uart_tx = parity;
  assign led = count[7:6];
endmodule
`;

/** 1,400 flip-flops in a shift register: more logic cells than an iCE40HX1K has. */
export const TOO_BIG_FOR_HX1K = `
module top(input clk, input uart_rx, output uart_tx);
  reg [1399:0] r = 0;
  always @(posedge clk) r <= {r[1398:0], uart_rx ^ r[1399]};
  assign uart_tx = r[700];
endmodule
`;

/** A design that drives every pin a board names: clock, UART, all LEDs, tied-high pins. */
export function pinCheckDesign(board: Board): string {
  const n = board.leds.length;
  const ties = board.tieHigh.map((t) => t.port);
  return `
module top(input ${board.clock.port}, input ${board.uart.rx.port}, output ${board.uart.tx.port}, output [${n - 1}:0] led${ties.map((t) => `, output ${t}`).join('')});
  reg [${n + 3}:0] count = 0;
  reg echo = 1;
  always @(posedge ${board.clock.port}) begin
    count <= count + 1;
    echo <= ${board.uart.rx.port};
  end
  assign ${board.uart.tx.port} = echo;
  assign led = count[${n + 3}:4];
${ties.map((t) => `  assign ${t} = 1'b1;`).join('\n')}
endmodule
`;
}
