import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateResources, FAMILIES } from '../../src/flow/index.js';
import { COUNTER, tempDir, writeVerilog } from './verilog.js';

describe('estimateResources (real yosys)', () => {
  it('counts LUTs, flip-flops and carries for all four families', async () => {
    const file = writeVerilog(tempDir(), 'counter.v', COUNTER);
    const cacheDir = tempDir();
    const results = await Promise.all(FAMILIES.map((family) => estimateResources([file], 'top', family, { cacheDir })));
    const expectedCells = { ice40: 'SB_LUT4', ecp5: 'LUT4', gowin: 'DFF', xilinx: 'FDRE' } as const;
    for (const r of results) {
      assert.equal(r.ok, true, r.message);
      assert.equal(r.synth, `synth_${r.family}`);
      assert.ok(r.stat!.luts > 0, `${r.family}: ${JSON.stringify(r.stat!.cells)}`);
      assert.equal(r.stat!.flipFlops, 13, `${r.family}: 8 + 4 + 1 registers`);
      assert.ok(r.stat!.carries > 0, `${r.family} maps the counter onto carry cells`);
      assert.ok((r.stat!.cells[expectedCells[r.family]] ?? 0) > 0);
      assert.equal(r.stat!.lutInputs, r.family === 'xilinx' ? 6 : 4);
      assert.match(r.message, new RegExp(`^${r.family}: \\d+ LUT[46]s, 13 FFs`));
    }
    const again = await estimateResources([file], 'top', 'ice40', { cacheDir });
    assert.equal(again.cached, true);
    assert.deepEqual(again.stat, results[0]!.stat);
  });

  it('returns a synthesis failure as a result', async () => {
    const file = writeVerilog(tempDir(), 'x.v', 'module top(input a, output b); assign b = a; endmodule\n');
    const r = await estimateResources([file], 'nosuchtop', 'ecp5', { cacheDir: tempDir() });
    assert.equal(r.ok, false);
    assert.match(r.message, /^synthesis for ecp5 failed: .*ERROR: .*nosuchtop/);
  });
});
