import { DB_FLAG, DB_USAGE, dbPathFromOptions, openStore, RESULT_COLUMNS, type ResultRow } from '../../store/index.js';
import { UserError } from '../../util/errors.js';
import { defineCommand } from '../command.js';
import { pct } from '../format.js';
import { stringOption } from '../options.js';

export interface ResultsOutput {
  db: string;
  sweep: string | null;
  /** How render() prints the rows (--json prints this object instead). */
  format: 'table' | 'csv' | 'json';
  rows: ResultRow[];
}

export interface TableColumn {
  header: string;
  text: (r: ResultRow) => string | null;
  /** Numbers align right. */
  right?: boolean;
}

const fixed = (digits: number) => (v: number | null) => (v === null ? null : v.toFixed(digits));
const int = (v: number | null) => (v === null ? null : String(Math.round(v)));
const mw = fixed(3);
const nj = (v: number | null) => (v === null ? null : v.toPrecision(3));

/** The columns of the results table (`results`, `sweep`, the TUI's results screen). */
export const RESULT_TABLE: readonly TableColumn[] = [
  { header: 'sweep/cell', text: (r) => (r.kind === 'cell' ? `${r.sweep}/${r.cell}` : `run ${r.runId}`) },
  { header: 'state', text: (r) => r.state },
  { header: 'depth', text: (r) => int(r.depth), right: true },
  { header: 'widths', text: (r) => r.widths?.join(',') ?? null },
  { header: 'gates/live', text: (r) => (r.gates === null ? null : `${r.gates}/${r.liveGates ?? '-'}`), right: true },
  { header: 'acc sw', text: (r) => (r.softwareAccuracy === null ? null : pct(r.softwareAccuracy)), right: true },
  { header: 'acc board', text: (r) => (r.boardAccuracy === null ? null : pct(r.boardAccuracy)), right: true },
  { header: 'build', text: (r) => r.buildStatus },
  { header: 'LUT4', text: (r) => int(r.lut4), right: true },
  { header: 'LC', text: (r) => int(r.logicCells), right: true },
  { header: 'DFF', text: (r) => int(r.dff), right: true },
  { header: 'Fmax MHz', text: (r) => fixed(1)(r.fmaxMHz), right: true },
  { header: 'crit ns', text: (r) => fixed(2)(r.criticalPathNs), right: true },
  { header: 'mism', text: (r) => int(r.mismatches), right: true },
  { header: 'lat ns', text: (r) => fixed(1)(r.latencyNs), right: true },
  { header: 'vec/s', text: (r) => int(r.throughputVps), right: true },
  { header: 'P_idle mW', text: (r) => mw(r.idleMw), right: true },
  { header: 'P_load mW', text: (r) => mw(r.loadMw), right: true },
  { header: 'P_dyn mW', text: (r) => mw(r.dynamicMw), right: true },
  { header: 'nJ/inf', text: (r) => nj(r.nJPerInference), right: true },
  { header: 'est P_idle', text: (r) => mw(r.estIdleMw), right: true },
  { header: 'est P_load', text: (r) => mw(r.estLoadMw), right: true },
  { header: 'est P_dyn', text: (r) => mw(r.estDynamicMw), right: true },
  { header: 'est nJ/inf', text: (r) => nj(r.estNJPerInference), right: true },
  { header: 'error', text: (r) => r.error?.replace(/\s*\n\s*/g, ' ') ?? null },
];

/** Aligned columns (all of RESULT_TABLE unless given); '-' where a row has no figure. */
export function resultsTable(rows: readonly ResultRow[], columns: readonly TableColumn[] = RESULT_TABLE): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.text(r) ?? '-'))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => line.map((text, i) => (columns[i]!.right ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
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
