import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listBoards } from '../../src/board/index.js';
import { familyFlow } from '../../src/flow/families.js';
import { buildBitstream } from '../../src/flow/index.js';
import { pinCheckDesign, tempDir, writeVerilog } from '../flow/verilog.js';

// Every pin of every board placed by the real nextpnr of its family for the board's device and package:
// a wrong pin name, a pin the package does not have, or a non-IO pin fails here.
describe('board pins place and route', () => {
  const cacheDir = tempDir('gatebench-pins-cache-');
  for (const board of listBoards()) {
    it(`${board.name}: clock, UART, ${board.leds.length} LEDs${board.tieHigh.length ? ' and tied pins' : ''}`, async () => {
      const file = writeVerilog(tempDir(), 'pins.v', pinCheckDesign(board));
      const r = await buildBitstream({ verilogFiles: [file], top: 'top', board, cacheDir, options: { icetime: false } });
      assert.equal(r.status, 'ok', `${r.message}\n${r.stages.map((s) => s.stderrTail || s.stdoutTail).join('\n')}`);
      assert.equal(r.figures.logicCells?.available, board.fpga.logicCells);
      assert.ok(r.pnr!.utilisation[familyFlow(board.fpga.family).ioResource]!.used >= 3 + board.leds.length + board.tieHigh.length);
    });
  }
});
