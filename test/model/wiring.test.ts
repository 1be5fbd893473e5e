import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawWiring } from '../../src/model/wiring.js';
import { Rng } from '../../src/util/rng.js';

test('unique wiring never repeats a pair, and reads every input of an even-sized layer', () => {
  for (const [inDim, outDim] of [[400, 200], [400, 1000], [7, 4], [100, 4000]] as const) {
    const { a, b } = drawWiring('unique', inDim, outDim, new Rng(1));
    const used = new Set<number>();
    const pairs = new Set<string>();
    for (let j = 0; j < outDim; j++) {
      assert.notEqual(a[j], b[j]);
      used.add(a[j]!).add(b[j]!);
      pairs.add(`${a[j]},${b[j]}`);
    }
    assert.equal(pairs.size, outDim, `${inDim}->${outDim}: repeated pairs`);
    // As in difflogic, an odd input count leaves the last input to the second round of pairs.
    if (inDim % 2 === 0) assert.equal(used.size, inDim, `${inDim}->${outDim}: unused inputs`);
  }
});

test('random wiring spreads 2n draws evenly and is fixed by the seed', () => {
  const { a, b } = drawWiring('random', 100, 150, new Rng(5));
  const counts = new Array<number>(100).fill(0);
  for (const i of [...a, ...b]) counts[i]!++;
  assert.ok(Math.min(...counts) >= 3 && Math.max(...counts) <= 4, `each input drawn 3 or 4 times: ${Math.min(...counts)}..${Math.max(...counts)}`);
  const again = drawWiring('random', 100, 150, new Rng(5));
  assert.deepEqual(again.a, a);
  assert.deepEqual(again.b, b);
});

test('random wiring of a layer narrower than half its input reads 2n distinct inputs (difflogic); unique wiring refuses it', () => {
  const { a, b } = drawWiring('random', 400, 150, new Rng(1));
  const read = new Set([...a, ...b]);
  assert.equal(read.size, 300, 'every draw lands on a different input');
  for (const i of read) assert.ok(i >= 0 && i < 400);
  assert.throws(() => drawWiring('unique', 400, 150, new Rng(1)), /unique wiring, a layer of 150 neurons cannot read all 400 inputs/);
});
