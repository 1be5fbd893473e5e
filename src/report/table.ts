/**
 * The report's tables: columns as data (group, header with the unit, how to get the text), rendered
 * into a table whose data cells never wrap, with grouped headers and long texts shortened on screen
 * (the whole text stays in the page and in the cell's title).
 */
import { escapeHtml as esc } from './format.js';

export interface Column<T> {
  /** The heading over a run of adjacent columns of the same group; none for a column of its own. */
  readonly group?: string;
  /** The column's header, with its unit in parentheses: "Fmax (MHz)". May wrap; the data never does. */
  readonly header: string;
  /** Right-aligned, tabular digits. */
  readonly numeric?: boolean;
  /**
   * Free text (build messages, errors): the column takes the table's remaining width and shows
   * as much as fits, the whole text in the cell's title. At most one per table.
   */
  readonly long?: boolean;
  /** Plain text; escaped when the table is rendered. */
  readonly text: (row: T) => string;
  /** A hover text with what the shown value leaves out (exact counts behind a percentage). */
  readonly title?: (row: T) => string | null;
  readonly className?: (row: T) => string | null;
}

function attributes(classes: readonly (string | null | undefined | false)[], extra: Record<string, string | number | null> = {}): string {
  const cls = classes.filter((c): c is string => typeof c === 'string' && c !== '').join(' ');
  const pairs = Object.entries(extra).filter(([, v]) => v !== null && v !== '');
  return `${cls ? ` class="${esc(cls)}"` : ''}${pairs.map(([k, v]) => ` ${k}="${esc(String(v))}"`).join('')}`;
}

/** Whether each column begins a group (or leaves one): it gets a rule on its left. */
function groupStarts<T>(columns: readonly Column<T>[]): boolean[] {
  return columns.map((c, i) => i > 0 && (c.group ?? '') !== (columns[i - 1]!.group ?? ''));
}

function headerRows<T>(columns: readonly Column<T>[], starts: readonly boolean[]): string {
  const th = (c: Column<T>, i: number, rowspan: number | null) =>
    `<th${attributes([c.numeric && 'num', starts[i] && 'start'], { rowspan })}>${esc(c.header)}</th>`;
  if (!columns.some((c) => c.group)) return `<tr>${columns.map((c, i) => th(c, i, null)).join('')}</tr>`;
  const top: string[] = [];
  const bottom: string[] = [];
  for (let i = 0; i < columns.length;) {
    const group = columns[i]!.group;
    let end = i;
    while (end < columns.length && columns[end]!.group === group) end++;
    if (group) {
      top.push(`<th${attributes(['group', starts[i] && 'start'], { colspan: end - i })}>${esc(group)}</th>`);
      for (let k = i; k < end; k++) bottom.push(th(columns[k]!, k, null));
    } else {
      for (let k = i; k < end; k++) top.push(th(columns[k]!, k, 2));
    }
    i = end;
  }
  return `<tr>${top.join('')}</tr><tr>${bottom.join('')}</tr>`;
}

/** A table in a box that scrolls sideways only if the page is narrower than the table's figures. */
export function table<T>(columns: readonly Column<T>[], rows: readonly T[], rowClass: (row: T) => string | null = () => null): string {
  const starts = groupStarts(columns);
  const fill = columns.some((c) => c.long);
  const body = rows.map((row) => {
    const tds = columns.map((c, i) => {
      const text = c.text(row);
      const title = c.long ? text : (c.title?.(row) ?? null);
      return `<td${attributes([c.numeric && 'num', c.long && 'clip', starts[i] && 'start', c.className?.(row)], { title })}>${esc(text)}</td>`;
    });
    return `<tr${attributes([rowClass(row)])}>${tds.join('')}</tr>`;
  });
  return `<div class="table-wrap"><table${attributes([fill && 'fill'])}><thead>${headerRows(columns, starts)}</thead><tbody>\n${body.join('\n')}\n</tbody></table></div>`;
}

/** The table's CSS, part of the page's one style block. */
export const TABLE_CSS = `
.table-wrap{overflow-x:auto;margin:.5rem 0}
table{border-collapse:collapse;font-size:12.5px;line-height:1.35}
table.fill{width:100%}
th,td{padding:.2rem .4rem;border-bottom:1px solid #e4e4e4;text-align:left}
th{background:#f5f5f5;font-weight:600;vertical-align:bottom}
th.group{text-align:center;border-bottom-color:#c8c8c8}
td{white-space:nowrap;vertical-align:top}
.start{border-left:1px solid #d4d4d4}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.clip{max-width:0;width:100%;overflow:hidden;text-overflow:ellipsis}
tbody tr:hover td{background:#eef3f9}
`;
