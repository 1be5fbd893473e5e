import { DATASET_FLAGS, DATASET_USAGE, datasetFromOptions } from '../../app/dataOptions.js';
import { DB_FLAG, DB_USAGE, dbPathFromOptions } from '../../app/dbOptions.js';
import { choiceOption, intOption, numberOption, pipelineOptions, stringOption } from '../../app/options.js';
import { runAndStore, UnstoredRunError, type StoredRun } from '../../app/run.js';
import { renderRunReport } from '../../app/runReport.js';
import { encodeSamples } from '../../data/encoding.js';
import { loadBoard } from '../../board/board.js';
import { buildRunBitstream, requireRunBoard, VIRTUAL_BASE_BOARD, type DeviceBuildReport, type RunReport } from '../../device/run.js';
import { GROUPSUM_CHOICES } from '../../hdl/groupSum.js';
import { VIRTUAL_LEVELS } from '../../device/virtual.js';
import { loadModel } from '../../model/modelFile.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';
import { modelPath } from './info.js';

/** `run --build-only`: the bitstream a run would flash. */
export function renderDeviceBuild(r: DeviceBuildReport): string {
  return [
    `board ${r.board}, clock ${r.clockHz / 1e6} MHz, ${r.baud} baud, model ${r.modelId}`,
    `build: ${r.build.message}${r.build.cached ? ' (cached)' : ''}`,
    `bitstream ${r.bin ?? 'none'}`,
    ...(r.flashCommand ? [`a run flashes it with: ${r.flashCommand.join(' ')}`] : []),
  ].join('\n');
}

export const runCommand = defineCommand<(RunReport & { runId: number; db: string }) | DeviceBuildReport>({
  name: 'run',
  usage: `gatebench run model.json --board NAME|virtual [--as BOARD (virtual: the board it stands for, default icebreaker)] [--build-only] [--port PATH] [--baud B (default 115200; virtual: a quarter of the clock)] [--limit N] [--level rtl|bitstream] [--window W] [--pipeline auto|P (default auto: the registers that meet the board's clock, as build places them; 0: a combinational core)] [--head-pipeline 0..3 (with a fixed P)] [--groupsum ${GROUPSUM_CHOICES.join('|')}] [--power virtual|lpm01a:PORT|ppk2:PORT|ina-serial:PORT|hwmon:[DIR]] [--power-window S] [${DATASET_USAGE}] ${DB_USAGE} [--json]`,
  summary: 'run the model on a board (or the virtual board): flash, check INFO, stream the test set, check every answer, measure power; stored in the database (--build-only: build the bitstream and stop)',
  flags: { ...DATASET_FLAGS, ...DB_FLAG, board: { type: 'string' }, as: { type: 'string' }, 'build-only': { type: 'boolean' }, port: { type: 'string' }, baud: { type: 'string' }, limit: { type: 'string' }, level: { type: 'string' }, window: { type: 'string' }, pipeline: { type: 'string' }, 'head-pipeline': { type: 'string' }, groupsum: { type: 'string' }, power: { type: 'string' }, 'power-window': { type: 'string' } },
  async run(positionals, options) {
    const path = modelPath(positionals, this.usage);
    const model = loadModel(path);
    const board = stringOption(options, 'board');
    if (!board) throw new UserError(`--board: required (a board name or virtual) (usage: ${this.usage})`);
    // --pipeline auto (the default): the registers that meet the board's clock; P: registers every P layers. Inputs and outputs registered.
    const { pipeline, headCuts } = pipelineOptions(options, 'auto');
    const as = stringOption(options, 'as');
    if (as !== undefined && board !== 'virtual') throw new UserError(`--as: only with --board virtual (the board the virtual board stands for), not with --board ${board}`);
    // --groupsum (default auto): the popcount head, for the family of the board's FPGA.
    const family = loadBoard(board === 'virtual' ? (as ?? VIRTUAL_BASE_BOARD) : board).fpga.family;
    const groupSum = choiceOption(options, 'groupsum', GROUPSUM_CHOICES, 'auto');
    // --pipeline 0 without --head-pipeline keeps the combinational core (no registers at all).
    const core =
      pipeline === 'auto'
        ? { core: { groupSum, family }, pipeline: 'auto' as const }
        : { core: { groupSum, family, headCuts, ...(pipeline > 0 || headCuts > 0 ? { pipeline, registeredIo: true } : {}) } };
    const baud = options['baud'] !== undefined ? { baud: intOption(options, 'baud', 115200) } : {};
    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    if (options['build-only'] === true) {
      const runFlag = ['port', 'limit', 'level', 'window', 'power', 'power-window'].find((flag) => options[flag] !== undefined);
      if (runFlag) throw new UserError(`--${runFlag}: not with --build-only, which builds the bitstream and stops`);
      if (options['as'] !== undefined) throw new UserError('--as: not with --build-only (the virtual board compiles its simulator when it runs)');
      return buildRunBitstream({ net: model.network, board, ...baud, ...core, log });
    }
    // Before the dataset loads (a second or more): a missing board fails at once.
    await requireRunBoard({ board, ...(as ? { as } : {}), port: stringOption(options, 'port') });
    const dataset = datasetFromOptions(options, model.dataset?.spec);
    const data = encodeSamples(model.encoding, dataset.test);
    const level = options['level'] === undefined ? undefined : choiceOption(options, 'level', VIRTUAL_LEVELS, 'rtl');
    const limit = intOption(options, 'limit', null);
    const window = intOption(options, 'window', null);
    const power = stringOption(options, 'power');
    const powerWindow = options['power-window'] === undefined ? null : numberOption(options, 'power-window', 5);
    if (powerWindow !== null && !power) throw new UserError('--power-window: only with --power');
    const db = dbPathFromOptions(options);
    // Printed before a failing exit (the CLI prints nothing after an error).
    const print = (r: RunReport & { runId?: number; db?: string }): void => void process.stdout.write((options['json'] ? JSON.stringify(r, null, 2) : renderRunReport(r)) + '\n');
    let stored: StoredRun;
    try {
      stored = await runAndStore({
        model,
        path,
        db,
        run: {
          data,
          board,
          ...(as ? { as } : {}),
          port: stringOption(options, 'port'),
          ...baud,
          ...(limit !== null ? { limit } : {}),
          ...(level ? { level } : {}),
          ...(window !== null ? { window } : {}),
          ...core,
          ...(power ? { power: { spec: power, ...(powerWindow !== null ? { windowSeconds: powerWindow } : {}) } } : {}),
          log,
        },
      });
    } catch (e) {
      // Measured but not stored: print it (the file the error names keeps it too).
      if (e instanceof UnstoredRunError) print(e.report);
      throw e;
    }
    const { report, runId, error } = stored;
    if (error) {
      // What was measured is stored: print the partial report, then fail.
      print({ ...report, runId, db });
      throw error;
    }
    return { ...report, runId, db };
  },
  render: (r) => ('buildOnly' in r ? renderDeviceBuild(r) : renderRunReport(r)),
});
