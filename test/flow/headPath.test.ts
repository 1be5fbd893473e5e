/**
 * The head's share of a real build's critical path: a tiny model placed and routed for the
 * iCEBreaker, its nextpnr report read back. At 35 MHz the unpipelined core's worst path runs from
 * the input register through the layers into the popcount and the argmax (test/flow/autoPipeline.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildFile } from '../../src/flow/build.js';
import { sectionOf } from '../../src/flow/cutPlanner.js';
import { buildModel } from '../../src/flow/modelBuild.js';
import { criticalPathSteps } from '../../src/flow/nextpnr.js';
import { randomNetwork, tempDir } from '../helpers.js';

describe("the head's share of the critical path (real iCE40 build)", () => {
  it('is the delay of the popcount and argmax steps of the path nextpnr reports as the worst', async () => {
    const net = randomNetwork(31, 20, [60, 60, 40], 4);
    const built = await buildModel(net, { board: 'icebreaker', freqMHz: 35, cacheDir: tempDir('gatebench-head-path-cache-') });
    const path = built.build.figures.criticalPath!;
    const steps = criticalPathSteps(readFileSync(buildFile(built.build, 'report')!, 'utf8'));
    // The steps are the path the stored figures measure: the share's two figures are of one path.
    assert.ok(Math.abs(steps.reduce((t, s) => t + s.delayNs, 0) - path.totalNs) < 1e-9);
    const L = net.layers.length;
    const headCells = steps.filter((s) => s.type === 'logic' && [L, L + 1].includes(sectionOf(s.name, L) ?? -2));
    assert.ok(headCells.length > 0, `the path runs through the head's cells: ${steps.map((s) => s.name).join(', ')}`);
    const headLogicNs = headCells.reduce((t, s) => t + s.delayNs, 0);
    assert.ok(built.headPathNs !== null);
    // At least the head cells' own delay (the nets they drive count too), and less than the whole path (it starts at the input register).
    assert.ok(built.headPathNs >= headLogicNs && built.headPathNs < path.totalNs, `head ${built.headPathNs} ns, its cells ${headLogicNs} ns, path ${path.totalNs} ns`);
  });
});
