import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { runDoctor, type DoctorReport } from '../../src/flow/doctor.js';
import { clearToolCache } from '../../src/flow/tools.js';
import { NO_CHIPDB, pathWithIcetimeWithoutChipdb, restoreToolLookup } from './faults.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const REQUIRED = ['yosys', 'nextpnr-ice40', 'icepack', 'icetime', 'icebox_vlog', 'nextpnr-ecp5', 'ecppack', 'nextpnr-himbaechel', 'gowin_pack', 'verilator', 'make', 'iverilog', 'vvp', 'openFPGALoader', 'socat'];
const OPTIONAL = ['chromium', 'tmux', '@yowasp/yosys', '@yowasp/nextpnr-ice40'];
/** What scripts/setup installs from PyPI into .venv-eda/ (Debian has no ECP5 or Gowin tools); the rest is Debian's. */
const FROM_PYPI: Record<string, string> = { 'nextpnr-ecp5': 'yowasp-pypi', ecppack: 'yowasp-pypi', 'nextpnr-himbaechel': 'yowasp-pypi', gowin_pack: 'pypi' };

describe('runDoctor (real tools)', () => {
  restoreToolLookup(after);

  it('finds every tool scripts/setup installs working, with version, origin, path and what its smoke test did', async () => {
    const r = await runDoctor();
    assert.equal(r.ok, true, r.broken.join('\n'));
    assert.deepEqual(r.broken, []);
    assert.deepEqual(r.tools.map((c) => c.tool), [...REQUIRED, ...OPTIONAL]);
    assert.deepEqual(r.tools.filter((c) => c.required).map((c) => c.tool), REQUIRED);
    for (const c of r.tools.filter((t) => !t.tool.startsWith('@yowasp/'))) {
      assert.equal(c.status, 'ok', `${c.tool}: ${c.smoke}`);
      assert.equal(c.origin, FROM_PYPI[c.tool] ?? 'native', c.tool);
      assert.ok(c.version && c.path && c.seconds > 0, JSON.stringify(c));
    }
    const smoke = Object.fromEntries(r.tools.map((c) => [c.tool, c.smoke]));
    assert.match(smoke['yosys']!, /^synth_ice40 of a 2-line module: 1 SB_LUT4, 1 DFF$/);
    assert.match(smoke['nextpnr-ice40']!, /^placed and routed for iCE40UP5K-SG48 \(icebreaker\): \d+\/5280 LCs$/);
    assert.equal(smoke['icepack'], 'packed 104,090 bytes');
    assert.match(smoke['nextpnr-ecp5']!, /^synth_ecp5 \+ placed and routed for LFE5U-85F-CABGA381 \(ulx3s\): \d+\/83640 TRELLIS_COMB$/);
    assert.match(smoke['ecppack']!, /^packed [\d,]+ bytes$/);
    assert.match(smoke['nextpnr-himbaechel']!, /^synth_gowin \+ placed and routed for GW2AR-LV18QN88C8\/I7 \(tangnano20k\): \d+\/20736 LUT4$/);
    assert.match(smoke['gowin_pack']!, /^packed [\d,]+ bytes$/);
    assert.match(smoke['icetime']!, /^timed the placed design: [\d.]+ ns \([\d.]+ MHz\)$/);
    assert.equal(smoke['vvp'], 'ran the testbench: q=1 after one clock');
    assert.match(smoke['openFPGALoader']!, /^knows the boards' -b ecp5_evn, ice40_generic, tangnano9k, ulx3s \(board list only, no USB scan\)$/);
    // The YoWASP packages are optional npm dependencies: working where installed, else a warning.
    for (const c of r.tools.filter((t) => t.tool.startsWith('@yowasp/'))) {
      assert.ok(c.status === 'ok' || c.status === 'missing', `${c.tool}: ${c.smoke}`);
      if (c.status === 'ok') assert.equal(c.origin, 'yowasp-npm');
    }
    assert.equal(r.logDir, null, 'nothing failed, no logs kept');
  });

  it("reports an icetime without its chip database as FAILED with icetime's error line, and keeps the logs", async () => {
    process.env.PATH = pathWithIcetimeWithoutChipdb();
    clearToolCache();
    const r = await runDoctor();
    const icetime = r.tools.find((c) => c.tool === 'icetime')!;
    assert.equal(r.ok, false);
    assert.equal(icetime.status, 'failed');
    assert.equal(icetime.smoke, `icetime exited with code 1: ${NO_CHIPDB}`);
    assert.deepEqual(r.broken, [`icetime: icetime exited with code 1: ${NO_CHIPDB}`]);
    assert.ok(r.tools.filter((c) => c.required && c.tool !== 'icetime').every((c) => c.status === 'ok'));
    assert.ok(r.logDir && readFileSync(join(r.logDir, 'ice40', 'icetime.log'), 'utf8').includes(NO_CHIPDB));
    rmSync(r.logDir, { recursive: true, force: true });
  });
});

describe('gatebench doctor', () => {
  it('--json: the report as data, exit 0 when every required tool works', async () => {
    const r = await execa(process.execPath, [CLI, 'doctor', '--json'], { reject: false });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as DoctorReport;
    assert.deepEqual(Object.keys(report), ['ok', 'tools', 'broken', 'warnings', 'logDir', 'seconds']);
    assert.equal(report.ok, true);
    assert.deepEqual(Object.keys(report.tools[0]!), ['tool', 'required', 'usedFor', 'origin', 'version', 'path', 'status', 'smoke', 'seconds']);
    assert.deepEqual(report.tools.map((c) => c.tool), [...REQUIRED, ...OPTIONAL]);
  });

  it('prints a table and exits 1 naming the broken tool', async () => {
    const r = await execa(process.execPath, [CLI, 'doctor'], { reject: false, env: { PATH: pathWithIcetimeWithoutChipdb() } });
    assert.equal(r.exitCode, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^tool\s+status\s+origin\s+version\s+path\s+smoke test$/);
    assert.match(lines.find((l) => l.startsWith('icetime '))!, new RegExp(`^icetime\\s+FAILED\\s+native\\s+sha256:\\S+\\s+\\S+/bin/icetime\\s+icetime exited with code 1: ${NO_CHIPDB}$`));
    assert.match(lines.find((l) => l.startsWith('yosys '))!, /^yosys\s+ok\s+native\s+Yosys /);
    assert.ok(lines.includes(`FAILED: 1 of 15 required tools do not work: icetime: icetime exited with code 1: ${NO_CHIPDB}`), r.stdout);
    const logs = /^logs of the failed smoke tests: (\S+)$/m.exec(r.stdout)![1]!;
    assert.ok(existsSync(join(logs, 'ice40', 'icetime.log')));
    rmSync(logs, { recursive: true, force: true });
  });
});
