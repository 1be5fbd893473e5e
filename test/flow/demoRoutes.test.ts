import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { CLI, tempDir } from '../helpers.js';

// The demo's two depth-2 full-width cells (trained by scripts/demo: 2 x 500 and 2 x 1000, final
// layer full width, k = 10). With the iCE40 carry head's adders chained on each other and its
// argmax on carry chains, nextpnr-ice40 0.4 could not route them (router1 stalled with thousands
// of arcs left until the budget stopped it): this keeps the head's iCE40 mapping routable at the
// demo's sizes. Each routes in under a CPU minute; a 5-minute budget stops a regression early.
const FIXTURES = join(process.cwd(), 'test', 'flow', 'fixtures');

for (const cell of ['d2-w500-f500', 'd2-w1000-f1000']) {
  test(`the demo's ${cell} model builds for the iCEBreaker: routed, 12 MHz met under --pipeline auto`, async () => {
    const env = { GATEBENCH_CACHE: tempDir('gatebench-demo-routes-') };
    const r = await execa('node', [CLI, 'build', join(FIXTURES, `demo-${cell}.json`), '--board', 'icebreaker', '--pnr-budget', '5', '--json'], { env, reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.status, 'ok');
    assert.equal(result.figures.routing, null, 'no router progress left over: routed');
    assert.ok(result.figures.fmaxMHz >= 12, `Fmax ${result.figures.fmaxMHz} MHz`);
  });
}
