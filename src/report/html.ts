/**
 * The sweep report: one self-contained HTML page (one CSS block, inline SVG plots, no script, no
 * external resource) with the final-layer effect stated as numbers, the plots and every cell in a
 * table, failed and pending ones included.
 */
import { buildStatusLabel, cellStatusLabel, sortCells, type ReportCell, type ReportMeta, type SweepBoard } from './cells.js';
import { cellColumns, pairColumns, runColumns } from './columns.js';
import { effectSentence, finalLayerEffect, summariseFinalLayerEffect, unpairedNarrowCells, type FinalLayerEffect } from './effect.js';
import { escapeHtml as esc, integer } from './format.js';
import { paretoCells, reportPlots } from './plots.js';
import { renderSvg } from './svg.js';
import { TABLE_CSS, table } from './table.js';

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;color:#222;max-width:1280px;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .3rem}
h2{font-size:1.15rem;margin:2rem 0 .5rem;padding-bottom:.2rem;border-bottom:1px solid #ddd}
h3{font-size:1rem;margin:1.2rem 0 .3rem}
p{margin:.4rem 0;max-width:75em}
.meta{color:#555}
.headline{font-size:1.05rem;background:#f3f6fa;border-left:4px solid #3b6ea5;padding:.45rem .75rem}
.note,figcaption{font-size:12.5px;color:#444}
.empty{color:#666;font-style:italic}
tr.timing-failed td{background:#fff7df}
tr.does-not-fit td,tr.routing-failed td,tr.failed td{background:#fdeceb}
tr.pending td,tr.running td,tr.not-built td,tr.incomplete td{color:#777}
td.bad{color:#b00020;font-weight:600}
figure{margin:1.2rem 0}
svg{max-width:100%;height:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;font-size:12.5px}
dt{color:#555}
dd{margin:0;overflow-wrap:anywhere}
${TABLE_CSS}`;

/** "18 cells: 12 built, 2 timing failed, 1 does not fit, 3 pending." */
function countsSentence(cells: readonly ReportCell[]): string {
  const order = [...(['ok', 'timing-failed', 'does-not-fit', 'routing-failed', 'failed', 'not-built'] as const).map(buildStatusLabel), 'running', 'pending', 'failed', 'done'];
  const counts = new Map(order.map((label) => [label, 0]));
  for (const cell of cells) counts.set(cellStatusLabel(cell), counts.get(cellStatusLabel(cell))! + 1);
  const parts = [...counts.entries()].filter(([, n]) => n > 0).map(([label, n]) => `${integer(n)} ${label}`);
  return `${integer(cells.length)} cell${cells.length === 1 ? '' : 's'}: ${parts.join(', ')}.`;
}

/** The CSS class of a cell's row: its build status, or its state before a build. */
function rowClass(cell: ReportCell): string {
  return cell.build?.status ?? cell.state;
}

const FAMILY_NAMES: Record<string, string> = { ice40: 'iCE40', ecp5: 'ECP5', gowin: 'Gowin' };

/** "ulx3s: ECP5 LFE5U-85F, 83,640 logic cells (TRELLIS_COMB)". */
export function boardCapacityLine(b: SweepBoard): string {
  if (b.family === null || b.logicCells === null) return `${b.board}: board file not found, capacity unknown`;
  return `${b.board}: ${FAMILY_NAMES[b.family] ?? b.family} ${b.device}, ${integer(b.logicCells)} logic cells (${b.logicCellUnit})`;
}

/** One line per board of the page, with the sweeps built for it (when the page shows several). */
function capacityLines(meta: ReportMeta, sweeps: boolean): string {
  const boards = meta.boards ?? [];
  if (boards.length === 0) return '';
  const lines = boards.map((b) => `${boardCapacityLine(b)}${sweeps ? ` (sweep ${b.sweep})` : ''}`);
  return `<p class="meta">${lines.map(esc).join('<br>')}</p>`;
}

function header(cells: readonly ReportCell[], meta: ReportMeta, sweeps: boolean): string {
  const facts = [
    meta.sweep === null ? null : `sweep ${meta.sweep}`,
    meta.board === null ? null : `board ${meta.board}`,
    meta.dataset === null ? null : `dataset ${meta.dataset}`,
    `generated ${meta.generated}`,
  ].filter((f) => f !== null);
  const counts = cells.length === 0 ? '<p class="empty">No cells: nothing has been planned or stored for this report yet.</p>' : `<p>${esc(countsSentence(cells))}</p>`;
  return `<header><h1>${esc(meta.title)}</h1><p class="meta">${esc(facts.join(' · '))}</p>${capacityLines(meta, sweeps)}${counts}</header>`;
}

/**
 * The headline sentences: one per narrow final width; on a page of several sweeps, per sweep under
 * its board's capacity line, so each family's effect stands beside the others'.
 */
function effectHeadlines(effects: readonly FinalLayerEffect[], meta: ReportMeta, sweeps: boolean): string[] {
  const sentences = (list: readonly FinalLayerEffect[]): string[] => summariseFinalLayerEffect(list).map((summary) => `<p class="headline">${esc(effectSentence(summary))}</p>`);
  if (!sweeps) return sentences(effects);
  const ids = [...new Set(effects.map((e) => e.sweep))].sort((a, b) => a.localeCompare(b));
  return ids.flatMap((id) => {
    const board = meta.boards?.find((b) => b.sweep === id);
    return [`<h3>Sweep ${esc(id)}${board ? ` · ${esc(boardCapacityLine(board))}` : ''}</h3>`, ...sentences(effects.filter((e) => e.sweep === id))];
  });
}

function effectSection(cells: readonly ReportCell[], meta: ReportMeta, sweeps: boolean): string {
  const effects = finalLayerEffect(cells);
  const unpaired = unpairedNarrowCells(cells);
  const parts: string[] = ['<section id="effect"><h2>Final-layer effect</h2>'];
  if (effects.length === 0) {
    parts.push('<p class="empty">No (depth, width) has both a full-width and a narrow final layer, so the effect cannot be measured yet.</p>');
  }
  parts.push(...effectHeadlines(effects, meta, sweeps));
  if (effects.length > 0) {
    parts.push('<p class="note">Changes are narrow against full width at the same depth and hidden width. Nominal gates fall only by the final layer\'s own neurons; with random wiring a narrow final layer also leaves the upstream cones it no longer reads dead, and dead-logic removal drops them, so a live-gate drop beyond the nominal one is that pruning and the rest of the LUT4 change is the smaller popcount head.</p>');
    const byCell = new Map(cells.map((c) => [`${c.sweep}\u0000${c.cell}`, c]));
    const cellOf = (e: FinalLayerEffect, side: 'full' | 'narrow') => byCell.get(`${e.sweep}\u0000${e[side].cell}`)!;
    const columns = pairColumns({ sweeps: new Set(effects.map((e) => e.sweep)).size > 1, missingFigures: effects.some((e) => e.missing.length > 0), cellOf });
    parts.push('<h3>Per pair</h3>', table(columns, effects, (e) => (e.missing.length > 0 ? 'incomplete' : null)));
  }
  if (unpaired.length > 0) {
    parts.push(`<p class="note">Narrow final layers without a full-width partner at the same depth and width, not counted: ${esc(unpaired.map((c) => c.cell).join(', '))}.</p>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

async function plotSection(cells: readonly ReportCell[]): Promise<string> {
  const figures: string[] = [];
  for (const plot of reportPlots(cells)) {
    const body = plot.spec ? await renderSvg(plot.spec) : '<p class="empty">Nothing to plot yet.</p>';
    figures.push(`<figure id="plot-${esc(plot.id)}"><h3>${esc(plot.title)}</h3>\n${body}\n<figcaption>${esc(plot.caption)}</figcaption></figure>`);
  }
  return `<section id="plots"><h2>Plots</h2>\n${figures.join('\n')}\n</section>`;
}

function cellsSection(cells: readonly ReportCell[], sweeps: boolean): string {
  const columns = cellColumns({ sweeps, paretoFront: new Set(paretoCells(cells)) });
  return `<section id="cells"><h2>Cells</h2>\n${table(columns, cells, rowClass)}\n</section>`;
}

function runsSection(cells: readonly ReportCell[], sweeps: boolean): string {
  const rows = cells.filter((c) => c.run !== null || c.power !== null);
  const intro = '<section id="runs"><h2>Runs and power</h2>';
  if (rows.length === 0) return `${intro}\n<p class="empty">No cell has been run on a board or has power figures yet.</p>\n</section>`;
  const note = rows.length < cells.length ? `<p class="note">${integer(cells.length - rows.length)} other cell${cells.length - rows.length === 1 ? ' has' : 's have'} no run or power figures yet.</p>` : '';
  return `${intro}\n${table(runColumns({ sweeps }), rows, rowClass)}\n${note}\n</section>`;
}

function provenanceSection(meta: ReportMeta): string {
  const entries = Object.entries(meta.provenance);
  if (entries.length === 0) return '';
  return `<footer><h2>Provenance</h2><dl>${entries.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl></footer>`;
}

export async function renderReport(cells: readonly ReportCell[], meta: ReportMeta): Promise<string> {
  const sorted = sortCells(cells);
  const sweeps = new Set(sorted.map((c) => c.sweep)).size > 1;
  const sections = sorted.length === 0
    ? [header(sorted, meta, sweeps)]
    : [header(sorted, meta, sweeps), effectSection(sorted, meta, sweeps), await plotSection(sorted), cellsSection(sorted, sweeps), runsSection(sorted, sweeps)];
  sections.push(provenanceSection(meta));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(meta.title)}</title>
<style>${CSS}</style>
</head>
<body>
${sections.filter((s) => s !== '').join('\n')}
</body>
</html>
`;
}
