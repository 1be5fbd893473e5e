import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildBitstream, type BuildResult } from '../../src/flow/index.js';
import { buildLogicGraph } from '../../src/hdl/graph.js';
import { checkDesign, randomVectors } from '../../src/sim/check.js';
import { collectProvenance, openStore, PROVENANCE_TOOLS, simulationFromCheck } from '../../src/store/index.js';
import { reportCellOf } from '../../src/report/fromStore.js';
import { gatebenchVersion } from '../../src/util/provenance.js';
import { COUNTER, writeVerilog } from '../flow/verilog.js';
import { tempDir } from '../helpers.js';
import { fixtureModel, fixturePower, fixtureProvenance, fixtureRun, fixtureSamples } from './fixtures.js';

describe('store records', () => {
  const dir = tempDir();
  let built: BuildResult;
  let broken: BuildResult;

  before(async () => {
    // Real builds: a counter that builds and Verilog that fails synthesis, each with real logs.
    const cacheDir = join(dir, 'builds');
    built = await buildBitstream({ verilogFiles: [writeVerilog(dir, 'counter.v', COUNTER)], top: 'top', board: 'icebreaker', cacheDir, options: { icetime: false } });
    broken = await buildBitstream({ verilogFiles: [writeVerilog(dir, 'broken.v', 'module top(input clk, output q);\n  assign q = clk &;\nendmodule\n')], top: 'top', board: 'icebreaker', cacheDir });
  });

  it('stores a model once under its hash with its summary, and a second add only updates the path', () => {
    const store = openStore(join(dir, 'models.db'));
    const model = fixtureModel(1, [40, 30, 20]);
    assert.equal(store.addModel(model), model.hash);
    const first = store.getModel(model.hash)!;
    assert.equal(first.path, null);
    assert.deepEqual(first.widths, [40, 30, 20]);
    assert.equal(first.depth, 3);
    assert.equal(first.finalWidth, 20);
    assert.equal(first.gates, 90);
    assert.equal(first.liveGates, buildLogicGraph(model.network).stats.liveGates);
    assert.ok(first.liveGates! < 90, 'a random network has dead gates');
    assert.equal(first.inputBits, 16);
    assert.equal(first.classes, 10);
    assert.deepEqual(first.encoding, model.encoding);
    assert.deepEqual(first.training, model.training);
    assert.deepEqual(first.metrics, model.metrics);
    assert.equal(first.dataset, 'csv:digits.csv');

    assert.equal(first.origin, null, "gatebench's own model has no origin");

    store.addModel(model, { path: 'models/m.json' });
    assert.equal(store.getModel(model.hash)!.path, join(process.cwd(), 'models/m.json'));
    assert.equal(store.getModel(model.hash)!.addedAt, first.addedAt);
    // Imported later (the same network, exported from a framework): the origin is added, kept after.
    const origin = { framework: 'torchlogix', frameworkVersion: '0.2.2', exporter: 'gatebench_export', exporterVersion: '0.1.0', torch: null, python: null, dataset: null, exportedAt: null };
    store.addModel({ ...model, origin });
    store.addModel(model);
    assert.deepEqual(store.getModel(model.hash)!.origin, origin);
    assert.equal(store.getModel('0'.repeat(64)), null);
    store.close();
  });

  it('round-trips successful and failed builds with their figures, logs and provenance', () => {
    assert.equal(built.status, 'ok');
    assert.equal(broken.status, 'synthesis-failed');
    const store = openStore(join(dir, 'builds.db'));
    const model = fixtureModel(2);
    store.addModel(model);
    const provenance = fixtureProvenance(model.hash);
    const okId = store.addBuild(built, provenance);
    const failedId = store.addBuild(broken, provenance);

    const ok = store.getBuild(okId)!;
    assert.deepEqual(ok.result, JSON.parse(JSON.stringify(built)));
    assert.deepEqual(ok.provenance, provenance);
    assert.equal(ok.modelHash, model.hash);
    // (assert.ok: a failed match would print the whole log)
    assert.ok(/^==> synth: \S*yosys -p /.test(ok.log!), ok.log!.slice(0, 200));
    assert.ok(/\n==> pnr: \S*nextpnr-ice40 --up5k /.test(ok.log!));
    assert.ok(/Max frequency for clock/.test(ok.log!));

    const failed = store.getBuild(failedId)!;
    assert.equal(failed.result.status, 'synthesis-failed');
    assert.equal(failed.result.message, broken.message);
    assert.ok(/ERROR: syntax error/.test(failed.log!));

    assert.equal(store.getBuild(store.addBuild(built, provenance, { log: null }))!.log, null);
    assert.throws(() => store.addBuild(built, fixtureProvenance('f'.repeat(64))), /model f{64} is not in the store .*addModel\(\) first/);
    store.close();
  });

  it("keeps a build's warnings: the result rows and the report's cells carry them", () => {
    const store = openStore(join(dir, 'warnings.db'));
    const model = fixtureModel(3);
    store.addModel(model);
    const warning = "no icetime cross-check: icetime exited with code 1: Can't find chipdb file for device 5k";
    const warnedId = store.addBuild({ ...built, warnings: [warning] }, fixtureProvenance(model.hash));
    store.createSweep({ grid: 'warnings' }, [{ key: 'a', depth: 2, width: 40, finalWidth: 20 }, { key: 'b', depth: 2, width: 40, finalWidth: 40 }]);
    store.finishCell(store.claimCell('s1')!.id, { modelHash: model.hash, buildId: warnedId });
    const [warned, pending] = store.resultRows({ sweep: 's1' });
    assert.deepEqual(warned!.buildWarnings, [warning]);
    assert.equal(pending!.buildWarnings, null, 'no build, no warnings');
    assert.deepEqual(reportCellOf(warned!).build!.warnings, [warning]);
    assert.deepEqual(reportCellOf(pending!).build, null);
    assert.deepEqual(store.getBuild(store.addBuild(built, fixtureProvenance(model.hash)))!.result.warnings, []);
    store.close();
  });

  it('round-trips a Verilator check as a simulation', async () => {
    const store = openStore(join(dir, 'sims.db'));
    const model = fixtureModel(3);
    store.addModel(model);
    const check = await checkDesign(model.network, randomVectors(64, 16, 5), { simulator: 'verilator', level: 'rtl' });
    const sim = simulationFromCheck(check);
    const id = store.addSimulation(sim, fixtureProvenance(model.hash));
    const back = store.getSimulation(id)!;
    assert.deepEqual(back.simulation, JSON.parse(JSON.stringify(sim)));
    assert.equal(back.simulation.vectors, 64);
    assert.equal(back.simulation.mismatches, 0);
    assert.equal(back.simulation.simulator, 'verilator');
    assert.equal(back.buildId, null);
    assert.ok(!JSON.stringify(back.simulation.report).includes('module '), 'the Verilog text is not stored');
    store.close();
  });

  it('round-trips runs, complete or cut short, with the power summary and samples in one transaction', () => {
    const store = openStore(join(dir, 'runs.db'));
    const model = fixtureModel(4);
    store.addModel(model);
    const provenance = fixtureProvenance(model.hash);
    const buildId = store.addBuild(built, provenance);
    const report = fixtureRun({ mismatches: 1 });
    const samples = fixtureSamples(3000);
    const runId = store.addRun(report, provenance, { buildId, power: { summary: fixturePower(), samples } });
    const run = store.getRun(runId)!;
    assert.deepEqual(run.report, report);
    assert.deepEqual(run.provenance, provenance);
    assert.equal(run.buildId, buildId);
    const power = store.runPower(runId);
    assert.deepEqual(power.summary, fixturePower());
    assert.deepEqual(power.samples, samples);

    const cut = fixtureRun({ complete: false, error: 'device stopped answering after 100 vectors' });
    const cutId = store.addRun(cut, provenance);
    assert.deepEqual(store.getRun(cutId)!.report, cut);
    assert.deepEqual(store.runPower(cutId), { summary: null, samples: [] });

    assert.throws(() => store.addRun(report, provenance, { power: { summary: fixturePower(), samples: [{ t: 0, volts: 1, amps: 1, watts: 1, phase: 'warmup' as 'idle' }] } }), /CHECK constraint failed/);
    assert.equal(store.getRun(cutId + 1), null, 'a run whose samples failed is not stored either');
    store.close();
  });

  it('bulk-inserts 60,000 power samples and reads them back in time order', () => {
    const store = openStore(join(dir, 'power.db'));
    const model = fixtureModel(5);
    store.addModel(model);
    const runId = store.addRun(fixtureRun(), fixtureProvenance(model.hash));
    const later = fixtureSamples(30_000, 30);
    const earlier = fixtureSamples(30_000, 0);
    // Two appends, the later half first, and two samples at the same instant.
    let t0 = performance.now();
    assert.equal(store.addPowerSamples(runId, later), 30_000);
    assert.equal(store.addPowerSamples(runId, [...earlier, { ...earlier[5]!, watts: 9 }]), 60_001);
    const insertMs = performance.now() - t0;
    t0 = performance.now();
    const { samples } = store.runPower(runId);
    const readMs = performance.now() - t0;
    assert.equal(samples.length, 60_001);
    for (let i = 1; i < samples.length; i++) assert.ok(samples[i - 1]!.t <= samples[i]!.t, `sample ${i} out of order`);
    assert.deepEqual(samples.slice(5, 7), [earlier[5], { ...earlier[5]!, watts: 9 }], 'equal times keep their insertion order');
    assert.deepEqual(samples.slice(30_001), later);
    console.log(`# 60,001 power samples: insert ${insertMs.toFixed(0)} ms, read back ${readMs.toFixed(0)} ms`);
    store.close();
  });

  it('collects provenance: versions of the installed tools, git revision, gatebench version, seeds, board, model', async () => {
    const p = await collectProvenance({ seeds: { training: 3 }, board: 'icebreaker', modelHash: 'ab'.repeat(32) });
    assert.equal(p.gatebenchVersion, gatebenchVersion());
    assert.match(p.gitRevision ?? '', /^[0-9a-f]{12}(-dirty)?$/);
    assert.match(p.tools['yosys'] ?? '', /Yosys|@yowasp\/yosys/);
    assert.match(p.tools['verilator'] ?? '', /Verilator/);
    assert.ok(Object.keys(p.tools).every((t) => (PROVENANCE_TOOLS as readonly string[]).includes(t)));
    assert.deepEqual(p.seeds, { training: 3 });
    assert.equal(p.board, 'icebreaker');
    assert.equal(p.modelHash, 'ab'.repeat(32));
    const t0 = performance.now();
    const again = await collectProvenance();
    assert.ok(performance.now() - t0 < 50, 'the lookups are cached');
    assert.deepEqual(again.tools, p.tools);
    assert.equal(again.board, null);
  });
});
