import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectSentence, finalLayerEffect, signedPercent, summariseFinalLayerEffect, unpairedNarrowCells } from '../../src/report/effect.js';
import { median } from '../../src/util/stats.js';
import { paretoFront } from '../../src/report/plots.js';
import { build, reportCell } from './fixtures.js';

/** A built cell with the two headline figures. */
function built(depth: number, width: number, finalWidth: number, lut4: number, criticalPathNs: number, sweep = 's1') {
  return reportCell(depth, width, finalWidth, { sweep, build: build('ok', { lut4, criticalPathNs, fmaxMHz: 1000 / criticalPathNs }) });
}

describe('finalLayerEffect', () => {
  it('gives the exact LUT4, critical-path, Fmax and gate changes of each narrow cell against its full-width partner', () => {
    const effects = finalLayerEffect([
      built(3, 1000, 1000, 3535, 20),
      built(3, 1000, 100, 380, 16.5),
      built(3, 1000, 200, 801, 18),
    ]);
    assert.equal(effects.length, 2);
    const [to100, to200] = effects;
    assert.deepEqual([to100!.full.cell, to100!.narrow.cell, to200!.narrow.cell], ['d3-w1000-f1000', 'd3-w1000-f100', 'd3-w1000-f200']);
    assert.deepEqual(to100!.lut4, { from: 3535, to: 380, percent: ((380 - 3535) / 3535) * 100 });
    assert.equal(signedPercent(to100!.lut4!.percent), '-89.3%');
    assert.equal(to100!.criticalPathNs!.percent, -17.5);
    assert.equal(to200!.criticalPathNs!.percent, -10);
    assert.equal(signedPercent(to200!.lut4!.percent), '-77.3%');
    // Fmax is the inverse of the path here: 50 -> 60.606 MHz.
    assert.equal(signedPercent(to100!.fmaxMHz!.percent), '+21.2%');
    // Nominal gates: 3000 -> 2100.
    assert.equal(to100!.gates!.percent, -30);
    assert.equal(to100!.liveGates, null);
    assert.deepEqual(to100!.missing, []);
  });

  it('states the median over pairs in one sentence, with the exact figures', () => {
    // LUT4 -70, -71, -71.6, -80 (median -71.3); critical path -10, -18, -18.4, -30 (median -18.2).
    const narrowed: [number, number][] = [[300, 9], [290, 8.2], [284, 8.16], [200, 7]];
    const cells = narrowed.flatMap(([lut4, path], i) => [built(i + 2, 1000, 1000, 1000, 10), built(i + 2, 1000, 100, lut4, path)]);
    const [summary, ...others] = summariseFinalLayerEffect(finalLayerEffect(cells));
    assert.equal(others.length, 0);
    assert.equal(summary!.pairs, 4);
    assert.ok(Math.abs(summary!.lut4!.percent - -71.3) < 1e-9, String(summary!.lut4!.percent));
    assert.ok(Math.abs(summary!.criticalPathNs!.percent - -18.2) < 1e-9, String(summary!.criticalPathNs!.percent));
    assert.equal(effectSentence(summary!),
      'Narrowing the final layer from 1000 to 100 changed LUT4 by -71.3% and the critical path by -18.2% (median over 4 pairs). Fmax changed by +22.3% (median over 4 pairs).');
  });

  it('adds the nominal and live gate medians when live gates are known', () => {
    const cells = [
      reportCell(2, 1000, 1000, { liveGates: 1800, build: build('ok', { lut4: 1000, criticalPathNs: 10 }) }),
      reportCell(2, 1000, 100, { liveGates: 450, build: build('ok', { lut4: 400, criticalPathNs: 9 }) }),
    ];
    const [summary] = summariseFinalLayerEffect(finalLayerEffect(cells));
    // Nominal 2000 -> 1100 (-45%), live 1800 -> 450 (-75%): the extra 30 points are pruned cones.
    assert.match(effectSentence(summary!), /changed LUT4 by -60\.0% and the critical path by -10\.0% \(median over 1 pair\)\. Nominal gates changed by -45\.0%, live gates by -75\.0% \(medians\)\.$/);
  });

  it('splits the LUT4 change into the popcount head\'s points and the layers\' points when the head cost is known', () => {
    // Full width: 1000 LUT4 with a 300-LUT4 head; narrow: 400 LUT4 with a 40-LUT4 head.
    // LUT4 -60%: the head -26 points ((40 - 300) / 1000), the layers -34 points.
    const cells = [
      reportCell(2, 1000, 1000, { build: build('ok', { lut4: 1000, criticalPathNs: 10, headLut4: 300 }) }),
      reportCell(2, 1000, 100, { build: build('ok', { lut4: 400, criticalPathNs: 9, headLut4: 40 }) }),
    ];
    const [effect] = finalLayerEffect(cells);
    assert.ok(Math.abs(effect!.lut4Split!.headPoints - -26) < 1e-9 && Math.abs(effect!.lut4Split!.restPoints - -34) < 1e-9, JSON.stringify(effect!.lut4Split));
    const [summary] = summariseFinalLayerEffect([effect!]);
    assert.match(effectSentence(summary!), /the popcount head \(GroupSum and argmax synthesised alone\) accounts for -26\.0 points and the layers \(cones pruned or kept\) for -34\.0 points \(medians over 1 pair\)\.$/);
    // Without head figures there is no split, and the sentence says nothing of it.
    const [plain] = finalLayerEffect([built(2, 1000, 1000, 1000, 10), built(2, 1000, 100, 400, 9)]);
    assert.equal(plain!.lut4Split, null);
  });

  it("gives the latency change under the pairs' one pipelining policy, and names a pair built under two instead of comparing it", () => {
    // The core's latency: cycles, and ns at each build's Fmax (cycles x 1000 / Fmax = cycles x path here).
    const cell = (depth: number, finalWidth: number, lut4: number, path: number, cycles: number, pipelinePolicy: string) =>
      reportCell(depth, 1000, finalWidth, { build: build('ok', { lut4, criticalPathNs: path, fmaxMHz: 1000 / path, latencyCycles: cycles, latencyAtFmaxNs: cycles * path, pipelinePolicy }) });
    const effects = finalLayerEffect([
      cell(2, 1000, 1000, 20, 4, '--pipeline auto'),
      cell(2, 100, 400, 10, 3, '--pipeline auto'),
      cell(3, 1000, 2000, 40, 2, '--pipeline 0'),
      cell(3, 100, 500, 10, 2, '--pipeline auto'),
    ]);
    const [same, mixed] = effects;
    assert.deepEqual(same!.latencyCycles, { from: 4, to: 3, percent: -25 });
    assert.deepEqual(same!.latencyAtFmaxNs, { from: 80, to: 30, percent: -62.5 });
    assert.deepEqual([same!.policyDiffers, mixed!.policyDiffers], [false, true]);
    assert.deepEqual(mixed!.pipelining, { full: '--pipeline 0', narrow: '--pipeline auto' });

    const [summary] = summariseFinalLayerEffect(effects);
    assert.deepEqual([summary!.pairs, summary!.lut4!.pairs, summary!.latencyCycles], [2, 1, { cycles: -1, pairs: 1 }]);
    assert.deepEqual(summary!.pipelining, [{ policy: '--pipeline auto', pairs: 1 }]);
    assert.equal(effectSentence(summary!),
      'Narrowing the final layer from 1000 to 100 changed LUT4 by -60.0% and the critical path by -50.0% (median over 1 pair).'
      + " Fmax changed by +100.0%, the core's latency by -1 cycle and by -62.5% in ns at Fmax (medians over 1 pair)."
      + ' Both cells of every pair compared were built under --pipeline auto.'
      + ' 1 pair built under two pipelining policies left out of the medians: d3-w1000-f100 (--pipeline auto) against d3-w1000-f1000 (--pipeline 0).');
    // Pairs whose policy is not recorded on a side are compared, and said to be.
    const unrecorded = effects.map((e) => ({ ...e, pipelining: { full: null, narrow: e.pipelining.narrow }, policyDiffers: false }));
    assert.match(effectSentence(summariseFinalLayerEffect([effects[0]!, unrecorded[1]!])[0]!),
      / Both cells of each pair compared were built under one pipelining policy: --pipeline auto \(1 pair\); not recorded for 1 pair\.$/);
  });

  it('makes no pair for a narrow cell without a full-width partner, nor across sweeps, and says which are unpaired', () => {
    const cells = [
      built(2, 500, 500, 1000, 10, 'a'),
      built(2, 500, 100, 300, 8, 'b'),
      built(3, 500, 100, 300, 8, 'a'),
      built(3, 500, 800, 3000, 12, 'a'),
    ];
    assert.deepEqual(finalLayerEffect(cells), []);
    assert.deepEqual(unpairedNarrowCells(cells).map((c) => `${c.sweep}/${c.cell}`), ['b/d2-w500-f100', 'a/d3-w500-f100']);
    assert.deepEqual(summariseFinalLayerEffect([]), []);
  });

  it('keeps a pair whose build failed without figures out of the medians and says why', () => {
    const cells = [
      built(2, 1000, 1000, 1000, 10),
      built(2, 1000, 100, 250, 8),
      reportCell(3, 1000, 1000, { state: 'failed', build: { ...build('failed'), message: 'routing failed' } }),
      built(3, 1000, 100, 100, 1),
      reportCell(4, 1000, 1000, { build: build('does-not-fit', { lut4: 6000, message: 'does not fit (needs 6000 LCs, the board has 5280)' }) }),
      built(4, 1000, 100, 1500, 9),
      reportCell(5, 1000, 1000, { state: 'pending' }),
      built(5, 1000, 100, 1, 1),
    ];
    const effects = finalLayerEffect(cells);
    assert.equal(effects.length, 4);
    const [ok, failed, noFit, pending] = effects;
    assert.deepEqual(ok!.missing, []);
    assert.equal(failed!.lut4, null);
    assert.equal(failed!.criticalPathNs, null);
    assert.deepEqual(failed!.missing, [
      'no LUT4: d3-w1000-f1000 build failed (routing failed)',
      'no critical path: d3-w1000-f1000 build failed (routing failed)',
    ]);
    assert.equal(noFit!.lut4!.percent, -75);
    assert.deepEqual(noFit!.missing, ['no critical path: d4-w1000-f1000 does not fit (needs 6000 LCs, the board has 5280)']);
    assert.deepEqual(pending!.missing, ['no LUT4: d5-w1000-f1000 pending', 'no critical path: d5-w1000-f1000 pending']);

    const [summary] = summariseFinalLayerEffect(effects);
    // LUT4: -75 (d2), -75 (d4) -> -75 over 2 pairs; path only d2: -20.
    assert.deepEqual(summary!.lut4, { percent: -75, pairs: 2 });
    assert.deepEqual(summary!.criticalPathNs, { percent: -20, pairs: 1 });
    assert.equal(summary!.skipped, 2);
    assert.equal(effectSentence(summary!),
      'Narrowing the final layer from 1000 to 100 changed LUT4 by -75.0% (median over 2 pairs) and the critical path by -20.0% (median over 1 pair).'
      + ' 2 of 4 pairs skipped for want of figures (failed or pending builds). Fmax changed by +25.0% (median over 1 pair).');
  });

  it('says so when no pair has figures, and names the range of full widths', () => {
    const cells = [
      reportCell(2, 500, 500, { build: build('failed') }),
      reportCell(2, 500, 100, { build: build('failed') }),
      reportCell(2, 1000, 1000, { state: 'pending' }),
      reportCell(2, 1000, 100, { state: 'pending' }),
    ];
    const [summary] = summariseFinalLayerEffect(finalLayerEffect(cells));
    assert.equal(effectSentence(summary!),
      'Narrowing the final layer from full width (500 to 1000) to 100: no pair has LUT4 or critical-path figures on both sides yet. 2 of 2 pairs skipped for want of figures (failed or pending builds).');
  });
});

describe('median, signedPercent, paretoFront', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /no values/);
  });

  it('signs percentages and never prints -0.0%', () => {
    assert.deepEqual([-71.25, 4, -0.04, 0].map(signedPercent), ['-71.3%', '+4.0%', '0.0%', '0.0%']);
  });

  it('keeps the points no other point beats on both LUT4 and accuracy', () => {
    const points = [
      { name: 'a', lut4: 100, accuracy: 0.8 },
      { name: 'b', lut4: 200, accuracy: 0.79 },
      { name: 'c', lut4: 300, accuracy: 0.9 },
      { name: 'd', lut4: 300, accuracy: 0.85 },
      { name: 'e', lut4: 400, accuracy: 0.9 },
      { name: 'f', lut4: 500, accuracy: 0.95 },
      { name: 'g', lut4: 100, accuracy: 0.8 },
    ];
    assert.deepEqual(paretoFront(points).map((p) => p.name), ['a', 'g', 'c', 'f']);
    assert.deepEqual(paretoFront([]), []);
  });
});
