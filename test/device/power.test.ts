import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { summarisePower } from '../../src/power/measure.js';
import type { PowerSample } from '../../src/power/driver.js';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const monitor = { kind: 'lpm01a' as const, target: '/dev/x', description: 'test', problems: [] as string[] };

/** Samples at 1 kHz: `amps(t)` at `volts`. */
function samples(volts: number, seconds: number, amps: (t: number) => number): PowerSample[] {
  return Array.from({ length: seconds * 1000 }, (_, i) => {
    const t = i / 1000;
    const a = amps(t);
    return { t, volts, amps: a, watts: volts * a };
  });
}

describe('power measurement', () => {
  it('takes each window\'s median after it settles, and derives dynamic power and energy per inference', () => {
    // idle 1 mA for 0-1 s, load 5 mA for 1-2 s (with a slow first 5% of the window), stream 1.5 mA 2-3 s.
    const amps = (t: number): number => (t < 1 ? 1e-3 : t < 1.05 ? 1e-3 : t < 2 ? 5e-3 : 1.5e-3);
    const windows = [
      { phase: 'idle' as const, start: 0, end: 0.999 },
      { phase: 'load' as const, start: 1, end: 1.999 },
      { phase: 'stream' as const, start: 2, end: 2.999 },
    ];
    const onRail = summarisePower(monitor, samples(1.2, 3, amps), windows, { railVolts: 1.2, rates: { stress: 12e6, stream: 1000 }, estimate: null });
    assert.equal(onRail.referredBy, 'voltage');
    assert.ok(Math.abs(onRail.measured.idleW! - 1.2e-3) < 1e-12);
    assert.ok(Math.abs(onRail.measured.loadW! - 6e-3) < 1e-12, 'the settling share of the window is left out');
    assert.ok(Math.abs(onRail.measured.dynamicW! - 4.8e-3) < 1e-12);
    assert.ok(Math.abs(onRail.measured.energyPerInferenceJ! - 4.8e-3 / 12e6) < 1e-18);
    assert.ok(Math.abs(onRail.measured.streamEnergyPerInferenceJ! - 0.6e-3 / 1000) < 1e-15);
    assert.equal(onRail.estimated, null);
    // The same currents drawn from a 3.3 V supply through a linear regulator: core power is current x rail volts.
    const viaRegulator = summarisePower(monitor, samples(3.3, 3, amps), windows, { railVolts: 1.2, rates: { stress: 12e6, stream: 1000 }, estimate: null });
    assert.equal(viaRegulator.referredBy, 'current');
    assert.ok(Math.abs(viaRegulator.measured.dynamicW! - 4.8e-3) < 1e-12);
    assert.ok(Math.abs(viaRegulator.windows[1]!.medianSupplyW! - 3.3 * 5e-3) < 1e-12);
  });

  it('leaves a figure out (null) when its window or rate is missing', () => {
    const m = summarisePower(monitor, samples(1.2, 1, () => 1e-3), [{ phase: 'idle', start: 0, end: 1 }], { railVolts: 1.2, rates: { stress: null, stream: null }, estimate: null });
    assert.ok(m.measured.idleW !== null);
    assert.deepEqual([m.measured.loadW, m.measured.dynamicW, m.measured.energyPerInferenceJ, m.measured.streamEnergyPerInferenceJ], [null, null, null, null]);
  });

  describe('gatebench run --board virtual --power virtual', () => {
    let dir: string;
    let model: string;
    before(async () => {
      dir = tempDir('gatebench-power-');
      model = join(dir, 'model.json');
      await execa(process.execPath, [CLI, 'train', '--widths', '300,300,100', '--crop', '16', '--iterations', '60', '--out', model]);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('measures idle, STRESS and streaming power beside the estimate, and stores the samples with the run', { timeout: 300_000 }, async () => {
      const db = join(dir, 'power.db');
      const r = await execa(process.execPath, [CLI, 'run', model, '--board', 'virtual', '--limit', '300', '--power', 'virtual', '--power-window', '1', '--db', db, '--json'], { reject: false });
      assert.equal(r.exitCode, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.equal(report.mismatches, 0);
      const p = report.power;
      assert.equal(p.monitor.kind, 'lpm01a');
      assert.equal(p.referredBy, 'current', 'the virtual LPM01A supplies 3.3 V to a 1.2 V core');
      assert.equal(p.rates.stress, 12e6, 'one evaluation per clock under STRESS');
      for (const w of p.windows) assert.ok(w.samples >= (w.phase === 'stream' ? 10 : 500), `${w.phase}: ${w.samples} samples`);
      // The virtual monitor reports the estimate of what the simulated board does, plus 1% noise.
      const near = (measured: number, estimated: number, tolerance: number, what: string): void =>
        assert.ok(Math.abs(measured - estimated) <= tolerance * Math.abs(estimated), `${what}: measured ${measured}, estimated ${estimated}`);
      near(p.measured.idleW, p.estimated.idleW, 0.01, 'P_idle');
      near(p.measured.loadW, p.estimated.loadW, 0.01, 'P_load');
      near(p.measured.dynamicW, p.estimated.dynamicW, 0.05, 'P_dynamic');
      near(p.measured.energyPerInferenceJ, p.estimated.energyPerInferenceJ, 0.05, 'energy per inference');
      assert.ok(p.estimated.dynamicW > 0 && p.estimated.loadW > p.estimated.idleW);

      const store = openStore(db, { create: false });
      try {
        const { summary, samples } = store.runPower(report.runId);
        assert.equal(samples.length, p.sampleCount);
        const phases = new Set(samples.map((s) => s.phase));
        for (const phase of ['idle', 'load', 'stream']) assert.ok(phases.has(phase as never), `samples of phase ${phase} stored`);
        assert.ok(summary && Math.abs(summary.measured.dynamicW! - p.measured.dynamicW) < 1e-15);
        assert.ok(summary.estimated && summary.estimated.dynamicW === p.estimated.dynamicW);
      } finally {
        store.close();
      }

      const text = await execa(process.execPath, [CLI, 'results', '--db', db, '--json']);
      const rows = JSON.parse(text.stdout).rows;
      assert.equal(rows.length, 1);
      assert.equal(rows[0].runId, report.runId);
    });

    it('refuses a bad --power spec in one line, exit 2', async () => {
      const r = await execa(process.execPath, [CLI, 'run', model, '--board', 'virtual', '--limit', '10', '--power', 'multimeter:/dev/x', '--db', join(dir, 'bad.db')], { reject: false });
      assert.equal(r.exitCode, 2);
      assert.match(r.stderr, /--power/);
      assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('gatebench:')).length, 1);
      const w = await execa(process.execPath, [CLI, 'run', model, '--board', 'virtual', '--power-window', '3'], { reject: false });
      assert.equal(w.exitCode, 2);
      assert.match(w.stderr, /--power-window: only with --power/);
    });
  });
});
