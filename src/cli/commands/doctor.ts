import { runDoctor, type DoctorReport, type ToolCheck } from '../../flow/doctor.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';

const STATUS: Record<ToolCheck['status'], string> = { ok: 'ok', failed: 'FAILED', missing: 'missing', untested: 'untested' };

export const doctorCommand = defineCommand<DoctorReport>({
  name: 'doctor',
  usage: 'gatebench doctor [--json]',
  summary: 'every external tool gatebench runs: version, origin, path, and a real smoke test of each',
  details: [
    "Runs each tool for real on something tiny: a 2-line module through yosys, nextpnr-ice40 (icebreaker), icepack, icetime",
    "(which needs the chip database: Debian's fpga-icestorm-chipdb) and icebox_vlog; the same module through synth_ecp5,",
    'nextpnr-ecp5 (ulx3s) and ecppack, and through synth_gowin, nextpnr-himbaechel (tangnano20k) and gowin_pack, each on its',
    "board's clock and UART pins as boards/ has them (the YoWASP tools from PyPI",
    'in .venv-eda/ unless native ones are on PATH: scripts/setup-eda); verilator --lint-only, iverilog and vvp;',
    "make building a C++ object as Verilator's makefiles do; openFPGALoader's board list (no USB scan); socat and tmux -V;",
    'headless Chromium rendering a data: URL; the YoWASP WebAssembly builds (optional npm packages) asked for their version.',
    'Required: yosys, nextpnr-ice40, icepack, icetime, icebox_vlog, nextpnr-ecp5, ecppack, nextpnr-himbaechel, gowin_pack, verilator, make, iverilog, vvp, openFPGALoader, socat.',
    'Optional (warnings only): chromium and tmux (used by tests), @yowasp/yosys and @yowasp/nextpnr-ice40 (fallbacks).',
    'Exits 1 naming the required tools that are missing or broken; the logs of failed smoke tests are kept.',
  ].join('\n'),
  flags: {},
  async run(positionals) {
    if (positionals.length > 0) throw new UserError(`doctor: expected no arguments, got '${positionals.join(' ')}' (usage: ${this.usage})`);
    return runDoctor();
  },
  render(r) {
    const rows = [
      ['tool', 'status', 'origin', 'version', 'path', 'smoke test'],
      ...r.tools.map((c) => [c.tool, `${STATUS[c.status]}${c.required || c.status === 'ok' ? '' : ' (optional)'}`, c.origin ?? '-', c.version ?? '-', c.path ?? '-', c.smoke]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    const table = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    const required = r.tools.filter((c) => c.required).length;
    const lines = [
      ...table,
      '',
      ...r.warnings.map((w) => `warning: ${w}`),
      r.ok ? `all ${required} required tools work (${r.seconds.toFixed(1)} s)` : `FAILED: ${r.broken.length} of ${required} required tools do not work: ${r.broken.join('; ')}`,
      ...(r.logDir ? [`logs of the failed smoke tests: ${r.logDir}`] : []),
    ];
    return lines.join('\n');
  },
  failure: (r) => (r.ok ? null : `${r.broken.length} required tool(s) do not work: ${r.broken.map((b) => b.split(':')[0]).join(", ")}`),
});
