import { writeFileSync } from 'node:fs';
import { DB_FLAG, DB_USAGE, dbPathFromOptions } from '../../app/dbOptions.js';
import { stringOption } from '../../app/options.js';
import { finalLayerEffect, summariseFinalLayerEffect, effectSentence } from '../../report/effect.js';
import { boardCapacityLine, renderReport } from '../../report/html.js';
import { sweepReportInput } from '../../report/fromStore.js';
import { openStore } from '../../store/index.js';
import { UserError } from '../../util/errors.js';
import { OUTPUT_RULE, checkOutputFile } from '../../util/outputPath.js';
import { defineCommand } from '../command.js';

export interface ReportOutput {
  out: string;
  sweep: string;
  cells: number;
  bytes: number;
  /** The final-layer effect, one sentence per narrow final width. */
  effect: string[];
}

export const reportCommand = defineCommand<ReportOutput>({
  name: 'report',
  usage: `gatebench report [--sweep ID[,ID...] (default: the newest)] --out report.html ${DB_USAGE} [--json]`,
  summary: "a self-contained HTML page of a sweep: tables, plots, and the final-layer effect as a number",
  details: `${OUTPUT_RULE}\nSeveral sweeps (e.g. one per FPGA family: --sweep demo,ulx3s) share one page: each sweep's final-layer effect under its board's capacity line.`,
  flags: { ...DB_FLAG, sweep: { type: 'string' }, out: { type: 'string' } },
  async run(_positionals, options) {
    const outRaw = stringOption(options, 'out');
    if (!outRaw) throw new UserError('--out: required, the HTML file to write');
    const out = checkOutputFile('--out', outRaw);
    const db = dbPathFromOptions(options);
    const store = openStore(db, { create: false });
    try {
      const sweeps = store.listSweeps();
      const raw = stringOption(options, 'sweep') ?? sweeps[0]?.id;
      if (!raw) throw new UserError(`${db}: no sweeps to report on (run gatebench sweep first)`);
      const ids = [...new Set(raw.split(',').map((s) => s.trim()))];
      for (const id of ids) {
        if (!sweeps.some((s) => s.id === id)) throw new UserError(`--sweep: no sweep '${id}' in ${db}; it has ${sweeps.map((s) => s.id).join(', ') || 'none'}`);
      }
      const { cells, meta } = sweepReportInput(store, ids);
      const html = await renderReport(cells, meta);
      writeFileSync(out, html);
      const effects = finalLayerEffect(cells);
      const effect = ids.flatMap((id) => {
        const sentences = summariseFinalLayerEffect(effects.filter((e) => e.sweep === id)).map(effectSentence);
        const board = meta.boards?.find((b) => b.sweep === id);
        return ids.length === 1 ? sentences : sentences.map((s) => `${id}${board ? ` (${boardCapacityLine(board)})` : ''}: ${s}`);
      });
      return { out, sweep: ids.join(','), cells: cells.length, bytes: Buffer.byteLength(html), effect };
    } finally {
      store.close();
    }
  },
  render(r) {
    return [`report of sweep ${r.sweep} (${r.cells} cells) written to ${r.out} (${(r.bytes / 1024).toFixed(0)} KiB)`, ...r.effect].join('\n');
  },
});
