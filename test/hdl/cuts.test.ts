import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asRegular, describeCuts, describePolicy, normaliseCuts, regularCuts, type PipelineCuts } from '../../src/hdl/cuts.js';
import { emitVerilog } from '../../src/hdl/emit.js';
import { adderCutGroups } from '../../src/hdl/groupSum.js';
import { evaluateReference } from '../../src/model/reference.js';
import { compareWithReference, simulate } from '../../src/sim/simulate.js';
import { UserError } from '../../src/util/errors.js';
import { randomNetwork, randomVectors, tempDir } from '../helpers.js';

test('--pipeline P and --head-pipeline N are cuts: regular ones keep the header (and the design hash) they always had', () => {
  assert.deepEqual(regularCuts(1, 0, 3), { layers: [1, 2, 3], head: [] });
  assert.deepEqual(regularCuts(2, 1, 3), { layers: [2], head: ['sums'] });
  assert.deepEqual(regularCuts(0, 3, 3), { layers: [], head: ['adder', 'sums', 'argmax'] });
  assert.deepEqual(asRegular({ layers: [2], head: ['sums'] }, 3), { pipeline: 2, headCuts: 1 });
  assert.equal(asRegular({ layers: [1], head: [] }, 3), null, 'a cut before layer 1 only is no P of a 3-layer model');
  assert.equal(asRegular({ layers: [], head: ['argmax'] }, 3), null, "'argmax' alone is no --head-pipeline N");
  assert.deepEqual(normaliseCuts({ layers: [3, 1, 3], head: ['argmax', 'sums'] }, 3), { layers: [1, 3], head: ['sums', 'argmax'] });
  assert.throws(() => normaliseCuts({ layers: [4], head: [] }, 3), (e: unknown) => e instanceof UserError && /cut before layer 4: expected a layer boundary from 1 to 3/.test(e.message));
  assert.throws(() => regularCuts(0, 4, 3), (e: unknown) => e instanceof UserError && /--head-pipeline: expected 0 to 3/.test(e.message));
  assert.equal(describeCuts({ layers: [1, 2], head: ['sums'] }), 'before layers 1,2; head: sums');
  assert.equal(describeCuts({ layers: [], head: [] }), 'none');
  // The policy a build was made under, in its flags: what the report compares pairs by.
  assert.deepEqual([
    describePolicy({ layers: [2], head: [] }, true, 3),
    describePolicy({ layers: [], head: [] }, false, 3),
    describePolicy({ layers: [2], head: ['sums'] }, false, 3),
    describePolicy({ layers: [1], head: [] }, false, 3),
  ], ['--pipeline auto', '--pipeline 0', '--pipeline 2 --head-pipeline 1', 'fixed cuts (before layer 1)']);

  const net = randomNetwork(3, 40, [100, 100, 60], 6);
  const viaP = emitVerilog(net, { pipeline: 2, headCuts: 1, registeredIo: true });
  const viaCuts = emitVerilog(net, { cuts: { layers: [2], head: ['sums'] }, registeredIo: true });
  assert.equal(viaCuts.designHash, viaP.designHash);
  assert.match(viaP.files[0]!.text, /^\/\/ Options: pipeline 2, head cuts 1, registered I\/O yes/m);
  const irregular = emitVerilog(net, { cuts: { layers: [1], head: ['adder', 'argmax'] }, registeredIo: true });
  assert.match(irregular.files[0]!.text, /^\/\/ Options: pipeline cuts before layer 1; head: adder, argmax, registered I\/O yes/m);
  assert.equal(irregular.stats.pipeline, null);
  assert.equal(irregular.stats.stages, 4);
  assert.equal(irregular.ports.latency, 5, 'three cuts plus the registered inputs and outputs');
});

test("the 'adder' cut counts about sqrt(n) groups of about sqrt(n) bits", () => {
  assert.deepEqual(adderCutGroups([...'abcdefghij']).map((g) => g.length), [4, 4, 2]);
  assert.deepEqual(adderCutGroups(Array.from({ length: 100 }, (_, i) => i)).map((g) => g.length), Array(10).fill(10));
  assert.deepEqual(adderCutGroups(['a']), [['a']]);
});

// Every new cut position, alone and together, with an even and an odd number of classes (the
// argmax passes an unpaired sum through its cut) and two classes (the cut registers idx itself).
const CUTS: PipelineCuts[] = [
  { layers: [], head: ['adder'] },
  { layers: [], head: ['argmax'] },
  { layers: [1], head: ['adder', 'argmax'] },
  { layers: [1, 2], head: ['adder', 'sums', 'argmax'] },
];

test('every cut position is bit-exact: RTL and the yosys netlist against the reference, latency as the manifest says', async () => {
  const cacheDir = tempDir();
  const nets = [
    { net: randomNetwork(41, 30, [90, 90], 10), groupSum: 'carry' as const },
    { net: randomNetwork(42, 24, [60, 45], 3), groupSum: 'tree' as const },
    { net: randomNetwork(43, 24, [60, 40], 2), groupSum: 'carry' as const },
  ];
  for (const { net, groupSum } of nets) {
    const vectors = randomVectors(44, 60, net.inputBits, net.classes);
    const reference = evaluateReference(net, vectors);
    for (const cuts of CUTS) {
      if (cuts.layers.some((b) => b > net.layers.length)) continue;
      const design = emitVerilog(net, { cuts, registeredIo: true, groupSum, family: 'ice40' });
      for (const level of ['rtl', 'netlist'] as const) {
        const what = `${net.classes} classes, ${groupSum}, cuts ${describeCuts(cuts)}, ${level}`;
        const run = await simulate(design, vectors, { simulator: 'iverilog', level, family: 'ice40', cacheDir });
        assert.equal(run.measuredLatency, design.ports.latency, `${what}: the testbench counts the manifest's latency`);
        const comparison = compareWithReference(run, reference);
        assert.equal(comparison.mismatches, 0, `${what}: ${JSON.stringify(comparison.first)}`);
      }
    }
  }
});
