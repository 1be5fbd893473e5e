import { RESULT_TABLE, resultsTable, type TableColumn } from '../../app/resultsTable.js';
import type { ResultRow } from '../../store/index.js';
import { Empty, SelectList } from '../components.js';

/** The results table's columns that fit a terminal; the CLI's `results` prints all of them. */
const SHOWN = ['sweep/cell', 'state', 'widths', 'gates/live', 'acc sw (split)', 'acc board', 'acc sw (same)', 'build', 'LC', 'Fmax MHz', 'lat ns', 'vec/s', 'P_dyn mW', 'nJ/inf', 'est P_dyn', 'error'];
export const UI_COLUMNS: readonly TableColumn[] = SHOWN.map((h) => RESULT_TABLE.find((c) => c.header === h)!);

export interface Sort {
  /** Index into UI_COLUMNS; null keeps the store's order (newest first). */
  readonly column: number | null;
  readonly descending: boolean;
}

/** Numbers compare as numbers, text as text; rows without the figure go last either way. */
export function sortRows(rows: readonly ResultRow[], sort: Sort): ResultRow[] {
  if (sort.column === null) return [...rows];
  const column = UI_COLUMNS[sort.column]!;
  const key = (r: ResultRow): number | string | null => {
    const text = column.text(r);
    if (text === null) return null;
    if (!column.right) return text;
    const n = parseFloat(text);
    return Number.isNaN(n) ? null : n;
  };
  const sign = sort.descending ? -1 : 1;
  return rows
    .map((r) => ({ r, k: key(r) }))
    .sort((a, b) => {
      if (a.k === null || b.k === null) return a.k === null ? (b.k === null ? 0 : 1) : -1;
      return sign * (typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k)));
    })
    .map((x) => x.r);
}

export function sortLabel(sort: Sort): string {
  return sort.column === null ? 'newest first' : `${UI_COLUMNS[sort.column]!.header} ${sort.descending ? 'descending' : 'ascending'}`;
}

/** Rows of the results table (the CLI's renderer, fewer columns), one selectable line each. */
export function ResultLines({ rows, selected, height }: { rows: readonly ResultRow[]; selected: number | null; height: number }) {
  const [header, ...lines] = resultsTable(rows, UI_COLUMNS).split('\n');
  return <SelectList header={header!} lines={lines} selected={selected} height={height} />;
}

export function ResultsScreen({ rows, sort, selected, height }: { rows: readonly ResultRow[]; sort: Sort; selected: number; height: number }) {
  if (rows.length === 0) return <Empty>no results yet: press n on 3 Sweeps or r on a model, or run gatebench sweep / gatebench run</Empty>;
  return <ResultLines rows={sortRows(rows, sort)} selected={selected} height={height} />;
}
