import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { choiceOption } from '../../app/options.js';
import { estimateResources } from '../../flow/estimate.js';
import { FAMILIES, type Family } from '../../flow/yosys.js';
import { emitVerilog } from '../../hdl/emit.js';
import { loadModel } from '../../model/modelFile.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';
import { emitOptionsFrom, fixedEmitOptions, HDL_FLAGS, HDL_USAGE } from './emit.js';
import { modelPath } from './info.js';

export interface FamilyEstimate {
  family: Family;
  /** The popcount head emitted for this family (auto: the family's own best, as build chooses). */
  groupSum: string;
  /** The sha256 of the core emitted for this family. */
  design: string;
  ok: boolean;
  message: string;
  synth: string;
  luts: number | null;
  lutInputs: 4 | 6;
  flipFlops: number | null;
  carries: number | null;
  brams: number | null;
  cached: boolean;
  seconds: number;
  yosys: string;
}

export interface EstimateCommandResult {
  ok: boolean;
  model: string;
  liveGates: number;
  nominalGates: number;
  pipeline: number;
  registeredIo: boolean;
  estimates: FamilyEstimate[];
}

export const estimateCommand = defineCommand<EstimateCommandResult>({
  name: 'estimate',
  usage: `gatebench estimate model.json --family ice40|ecp5|gowin|xilinx|all ${HDL_USAGE} [--json]`,
  summary: 'synthesis-only resource counts of the core (yosys synth_<family>), for parts not placed and routed here',
  flags: { ...HDL_FLAGS, family: { type: 'string' } },
  async run(positionals, options) {
    const model = loadModel(modelPath(positionals, this.usage));
    if (options['family'] === undefined) throw new UserError(`--family: required, expected ${FAMILIES.join(', ')} or all (usage: ${this.usage})`);
    const choice = choiceOption(options, 'family', [...FAMILIES, 'all'] as const, 'all');
    const families = choice === 'all' ? FAMILIES : [choice];
    const emit = fixedEmitOptions(emitOptionsFrom(options), 'estimate');
    // One core per family, as build emits it: the head depends on the family (auto, carry cells).
    // Xilinx has no carry head here: it gets the portable one, and --groupsum carry is refused for it.
    const designs = families.map((family) => {
      if (family === 'xilinx' && emit.groupSum === 'carry') throw new UserError('--groupsum carry: not for xilinx (carry heads exist for ice40, ecp5 and gowin); choose those families or another head');
      return emitVerilog(model.network, { ...emit, ...(family === 'xilinx' ? {} : { family }) });
    });
    const dir = mkdtempSync(join(tmpdir(), 'gatebench-estimate-'));
    try {
      const results = await Promise.all(
        designs.map((design, i) => {
          const folder = join(dir, families[i]!);
          mkdirSync(folder);
          const files = design.files.map((f) => {
            writeFileSync(join(folder, f.name), f.text);
            return join(folder, f.name);
          });
          return estimateResources(files, design.top, families[i]!);
        }),
      );
      const estimates = results.map((r, i): FamilyEstimate => ({
        family: r.family,
        groupSum: designs[i]!.stats.groupSum,
        design: designs[i]!.designHash,
        ok: r.ok,
        message: r.message,
        synth: r.synth,
        luts: r.stat?.luts ?? null,
        lutInputs: r.stat?.lutInputs ?? (r.family === 'xilinx' ? 6 : 4),
        flipFlops: r.stat?.flipFlops ?? null,
        carries: r.stat?.carries ?? null,
        brams: r.stat?.brams ?? null,
        cached: r.cached,
        seconds: (r.cached ? 0 : r.stage.durationMs) / 1000,
        yosys: `${r.yosys.origin} ${r.yosys.version}`,
      }));
      const result: EstimateCommandResult = {
        ok: estimates.every((e) => e.ok),
        model: designs[0]!.modelHash,
        liveGates: designs[0]!.stats.liveGates,
        nominalGates: designs[0]!.stats.nominalGates,
        pipeline: emit.pipeline,
        registeredIo: emit.registeredIo,
        estimates,
      };
      if (!result.ok) {
        process.stdout.write((options['json'] ? JSON.stringify(result, null, 2) : this.render(result)) + '\n');
        throw new UserError(`estimate: ${estimates.filter((e) => !e.ok).map((e) => e.message).join('; ')}`);
      }
      return result;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  render(r) {
    const n = (v: number | null): string => (v === null ? '-' : v.toLocaleString('en-US'));
    const rows = [
      ['family', 'head', 'synthesis', 'LUTs', 'FFs', 'carry cells', 'BRAM', 'time'],
      ...r.estimates.map((e) => [e.family, e.groupSum, e.synth, e.ok ? `${n(e.luts)} LUT${e.lutInputs}` : 'FAILED', n(e.flipFlops), n(e.carries), n(e.brams), e.cached ? 'cached' : `${e.seconds.toFixed(1)} s`]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    return [
      `core: ${n(r.liveGates)} live of ${n(r.nominalGates)} gates, pipeline ${r.pipeline}${r.registeredIo ? ', registered I/O' : ''} (synthesis only: no placement, no routing)`,
      ...rows.map((row) => row.map((cell, c) => (c >= 3 && c <= 6 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()),
      ...r.estimates.filter((e) => !e.ok).map((e) => e.message),
    ].join('\n');
  },
});
