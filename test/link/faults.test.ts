import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sumBits } from '../../src/model/network.js';
import { Rng } from '../../src/util/rng.js';
import { randomNetwork, randomVectors, tempDir } from '../helpers.js';
import { CAMPAIGN_LINK, CAMPAIGN_MIXES, runCampaign, softTarget, summarize } from './faultCampaign.js';
import { FaultSchedule, type FaultMix } from './faultProxy.js';

const net = randomNetwork(7, 40, [60, 30], 3);
const target = softTarget(net, randomVectors(8, 200, 40, 3), { inputBits: 40, classes: 3, sumBits: sumBits(net) });
/** Seeds per fault mix: 7 mixes x 40 = 280 runs. */
const SEEDS_PER_MIX = Number(process.env['GATEBENCH_LINK_FAULT_SEEDS'] ?? 40);

describe('fault schedule (by byte offset)', () => {
  const mix: FaultMix = { garbage: 0.5, drop: 0.1, flip: 0.1 };
  const stream = Uint8Array.from({ length: 5000 }, (_, i) => (i * 131) & 0xff);

  it('injects the same faults however the stream is split into reads', () => {
    const whole = new FaultSchedule(9, mix, 13);
    const once = whole.apply(stream);
    const byByte = new FaultSchedule(9, mix, 13);
    const bytes = Buffer.concat(Array.from(stream, (b) => byByte.apply(Uint8Array.of(b))));
    const random = new FaultSchedule(9, mix, 13);
    const rng = new Rng(4);
    const parts: Buffer[] = [];
    for (let i = 0; i < stream.length; ) {
      const n = 1 + rng.int(40);
      parts.push(random.apply(stream.subarray(i, i + n)));
      i += n;
    }
    assert.deepEqual(bytes, once);
    assert.deepEqual(Buffer.concat(parts), once);
    assert.deepEqual(byByte.injected, whole.injected);
    assert.deepEqual(random.injected, whole.injected);
    assert.equal(FaultSchedule.faultsBefore(9, mix, 13, stream.length), whole.faults);
    // 0.7 faults per 13 bytes over 5000 bytes: about 270.
    assert.ok(whole.faults > 200 && whole.injected.garbage > whole.injected.drop, JSON.stringify(whole.injected));
    assert.equal(once.length, stream.length + whole.injected.garbageBytes - whole.injected.droppedBytes);
  });

  it('drops everything from the cut on', () => {
    const s = new FaultSchedule(3, { cutAt: 100 }, 13);
    assert.deepEqual(s.apply(stream.subarray(0, 60)), Buffer.from(stream.subarray(0, 60)));
    assert.deepEqual(s.apply(stream.subarray(60, 300)), Buffer.from(stream.subarray(60, 100)));
    assert.equal(s.injected.cutBytes, 200);
    assert.equal(s.faults, 0);
  });
});

describe('link fault campaign (soft device behind a seeded fault proxy on ptys)', () => {
  let dir: string;
  before(() => {
    dir = tempDir('gatebench-link-faults-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`ends every run: answers checked, or a clear error keeping the answers (${CAMPAIGN_MIXES.length} mixes x ${SEEDS_PER_MIX} seeds)`, async (t) => {
    const runs = await runCampaign(target, dir, { seedsPerMix: SEEDS_PER_MIX, vectors: 120, link: CAMPAIGN_LINK, boundMs: 60_000, concurrency: 6 });
    for (const line of summarize(runs)) t.diagnostic(line);
    assert.equal(runs.length, CAMPAIGN_MIXES.length * SEEDS_PER_MIX);
    for (const r of runs) {
      const what = `${r.mix}, seed ${r.seed}: ${JSON.stringify(r)}`;
      assert.notEqual(r.outcome, 'hang', what);
      assert.equal(r.unsettled, 0, `every request settled: ${what}`);
      assert.equal(r.mismatches, 0, what);
      assert.equal(r.countedTwice, 0, what);
      assert.ok(r.faults >= r.guaranteedFaults, `the schedule's faults were injected: ${what}`);
      const dies = CAMPAIGN_MIXES.find((m) => m.name === r.mix)!.dies !== undefined;
      // A noisy link that works finishes; one that dies fails, clearly, keeping what was answered.
      assert.equal(r.outcome, dies ? 'error' : 'complete', what);
      if (dies) assert.ok(r.clear && /nothing at all received/.test(r.error!), what);
    }
    const heavy = runs.filter((r) => r.mix.startsWith('garbage 50% both'));
    assert.ok(heavy.reduce((n, r) => n + r.guaranteedFaults, 0) > heavy.length * 50, 'the heaviest mix injects dozens of faults per run');
  });
});
