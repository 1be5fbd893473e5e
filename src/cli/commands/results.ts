import { DB_FLAG, DB_USAGE, dbPathFromOptions } from '../../app/dbOptions.js';
import { resultsTable } from '../../app/resultsTable.js';
import { stringOption } from '../../app/options.js';
import { openStore, RESULT_COLUMNS, type ResultRow } from '../../store/index.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';

export interface ResultsOutput {
  db: string;
  sweep: string | null;
  /** How render() prints the rows (--json prints this object instead). */
  format: 'table' | 'csv' | 'json';
  rows: ResultRow[];
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header of ResultRow's field names; records end in CRLF. */
export function resultsCsv(rows: readonly ResultRow[]): string {
  return [RESULT_COLUMNS.join(','), ...rows.map((r) => RESULT_COLUMNS.map((k) => csvField(r[k])).join(','))].map((line) => `${line}\r\n`).join('');
}

export const resultsCommand = defineCommand<ResultsOutput>({
  name: 'results',
  usage: `gatebench results ${DB_USAGE} [--sweep ID] [--json|--csv]`,
  summary: 'stored results: one row per sweep cell (pending and failed ones too) or per run, newest first',
  details: [
    'Without --sweep: every run and every sweep cell in the database (default ./gatebench.db), newest first;',
    "with --sweep ID: that sweep's cells in grid order, with their state and error. Power in mW (measured, then",
    'the estimate: est), energy in nJ per inference. --csv writes RFC 4180 CSV with one column per --json field.',
    'Accuracy: acc sw (split) is the software model on the whole test split; acc board and acc sw (same) are the',
    'board and the software model on the vectors the board answered. lat ns: clk = a clocked core, cycles x clock',
    "period; comb = a combinational core, the post-route critical path of its build (latencySource says which).",
  ].join('\n'),
  flags: { ...DB_FLAG, sweep: { type: 'string' }, csv: { type: 'boolean' } },
  async run(positionals, options) {
    if (positionals.length > 0) throw new UserError(`results: unexpected argument '${positionals[0]}' (usage: ${this.usage})`);
    if (options['csv'] && options['json']) throw new UserError('--csv: give either --csv or --json, not both');
    const db = dbPathFromOptions(options);
    const sweep = stringOption(options, 'sweep') ?? null;
    const store = openStore(db, { create: false });
    try {
      const rows = store.resultRows(sweep === null ? {} : { sweep });
      return { db, sweep, format: options['json'] ? 'json' : options['csv'] ? 'csv' : 'table', rows };
    } finally {
      store.close();
    }
  },
  render(r) {
    // main.ts ends the output with '\n': drop ours so the last record still ends in CRLF.
    if (r.format === 'csv') return resultsCsv(r.rows).slice(0, -1);
    if (r.rows.length === 0) return `no results in ${r.db}${r.sweep ? ` for sweep ${r.sweep}` : ''}`;
    return resultsTable(r.rows);
  },
});
