import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { choiceOption, pipelineOptions, stringOption, type PipelineChoice, type RawOptions } from '../../app/options.js';
import { emitVerilog, MAX_HEAD_CUTS, type CorePorts, type EmitStats } from '../../hdl/emit.js';
import { FPGA_FAMILIES, type FpgaFamily } from '../../board/devices.js';
import { GROUPSUM_CHOICES } from '../../hdl/groupSum.js';
import { loadModel } from '../../model/modelFile.js';
import { UserError } from '../../util/errors.js';
import { OUTPUT_RULE, checkOutputFolder } from '../../util/outputPath.js';
import { defineCommand } from '../command.js';
import { modelPath } from './info.js';

export const HDL_FLAGS = {
  pipeline: { type: 'string' },
  'registered-io': { type: 'boolean' },
  groupsum: { type: 'string' },
  'head-pipeline': { type: 'string' },
} as const;
export const HDL_USAGE = `[--pipeline P] [--head-pipeline 0..${MAX_HEAD_CUTS}] [--registered-io] [--groupsum ${GROUPSUM_CHOICES.join('|')}]`;
/** emit's and sim's --family: whose carry cells the head uses (estimate's --family names targets instead). */
export const HEAD_FAMILY_FLAG = { family: { type: 'string' } } as const;
export const HEAD_FAMILY_USAGE = `[--family ${FPGA_FAMILIES.join('|')}]`;

/**
 * --groupsum auto (the default) is the family's best head, 'tree' without a family; 'carry' needs a family.
 * --pipeline defaults to 0; 'auto' only where a build times the design (sim --level netlist and beyond).
 */
export function emitOptionsFrom(options: RawOptions) {
  return {
    ...pipelineOptions(options, 0),
    registeredIo: options['registered-io'] === true,
    groupSum: choiceOption(options, 'groupsum', GROUPSUM_CHOICES, 'auto'),
  };
}

/** The options with a fixed --pipeline P, for commands that place and route nothing to time 'auto' against. */
export function fixedEmitOptions<T extends { pipeline: PipelineChoice }>(emit: T, command: string): T & { pipeline: number } {
  const { pipeline } = emit;
  if (pipeline === 'auto') throw new UserError(`--pipeline auto: ${command} has no placed design to time the cuts against; give a fixed P, or use gatebench build --board B (it reports the cuts auto chose)`);
  return { ...emit, pipeline };
}

/** --family of emit and sim, undefined when not given. */
export function headFamilyFrom(options: RawOptions): FpgaFamily | undefined {
  return options['family'] === undefined ? undefined : choiceOption(options, 'family', FPGA_FAMILIES, 'ice40');
}

export interface EmitResult {
  model: string;
  design: string;
  outDir: string;
  files: string[];
  top: string;
  ports: CorePorts;
  stats: EmitStats;
}

export const emitCommand = defineCommand<EmitResult>({
  name: 'emit',
  usage: `gatebench emit model.json --out DIR ${HDL_USAGE} ${HEAD_FAMILY_USAGE} [--json]`,
  summary: 'Verilog for a model: module lgn_core, dead logic removed, optional pipeline',
  details: `${OUTPUT_RULE} --out DIR is created if missing; its files of the same names are replaced.`,
  flags: { ...HDL_FLAGS, ...HEAD_FAMILY_FLAG, out: { type: 'string' } },
  async run(positionals, options) {
    const outDir = stringOption(options, 'out');
    if (!outDir) throw new UserError(`--out: required, the folder for the Verilog (usage: ${this.usage})`);
    checkOutputFolder('--out', outDir);
    const model = loadModel(modelPath(positionals, this.usage));
    const family = headFamilyFrom(options);
    const design = emitVerilog(model.network, { ...fixedEmitOptions(emitOptionsFrom(options), 'emit'), ...(family ? { family } : {}) });
    mkdirSync(outDir, { recursive: true }); // one level at most: checkOutputFolder saw the parent
    const files = design.files.map((f) => {
      writeFileSync(join(outDir, f.name), f.text);
      return join(outDir, f.name);
    });
    const manifest = join(outDir, `${design.top}.json`);
    writeFileSync(manifest, JSON.stringify({ model: design.modelHash, design: design.designHash, top: design.top, ports: design.ports, stats: design.stats }, null, 2) + '\n');
    return { model: design.modelHash, design: design.designHash, outDir, files: [...files, manifest], top: design.top, ports: design.ports, stats: design.stats };
  },
  render(r) {
    const s = r.stats;
    const p = r.ports;
    return [
      `wrote ${r.files.join(', ')}`,
      `${r.top}: x[${p.inputBits - 1}:0] (${s.usedInputBits} used), ${p.classes} class sums of ${p.sumBits} bits, class_idx[${p.classIdxBits - 1}:0]` +
        (p.clocked ? `, clocked, latency ${p.latency} cycles` : ', combinational'),
      `gates: ${s.liveGates} live of ${s.nominalGates} (removed ${s.removed.dead} dead, ${s.removed.constant} constant, ${s.removed.wire} wire/inverter, ${s.removed.merged} merged); ${s.registerBits} register bits`,
    ].join('\n');
  },
});
