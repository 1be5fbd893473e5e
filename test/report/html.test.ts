import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ReportCell, ReportMeta } from '../../src/report/cells.js';
import { renderReport } from '../../src/report/html.js';
import { reportCellOf, sweepReportInput } from '../../src/report/fromStore.js';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';
import { fixtureModel, fixtureProvenance, fixtureRun } from '../store/fixtures.js';
import { build, reportCell, syntheticGrid } from './fixtures.js';

const META: ReportMeta = {
  title: 'Sweep s1 <final layers> & more',
  sweep: 's1',
  generated: '2025-06-01T12:00:00.000Z',
  board: 'icebreaker',
  dataset: 'mnist',
  provenance: { gatebench: '0.1.0', git: 'abc123 "dirty"' },
};

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'col', 'wbr', 'area', 'base', 'source']);

/**
 * Parse-level checks: a doctype, one html/head/body, no script or remote address, and every
 * element closed in order (HTML void elements and SVG's self-closing ones aside).
 */
function assertWellFormed(html: string): void {
  assert.ok(html.startsWith('<!DOCTYPE html>\n'), 'doctype first');
  for (const tag of ['html', 'head', 'body', 'style', 'title']) {
    assert.equal(html.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length, 1, `one <${tag}>`);
  }
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /https?:\/\//i);
  assert.doesNotMatch(html, /<link|<img|<iframe|@import|url\((?!#)/i, 'no external resource');
  const stack: string[] = [];
  const body = html.slice('<!DOCTYPE html>'.length);
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (closing) {
      assert.equal(stack.pop(), name, `</${name}> at ${match.index} closes the open element`);
    } else if (!selfClosing && !VOID.has(name!)) {
      stack.push(name!);
    }
  }
  assert.deepEqual(stack, [], 'every element closed');
  // Every '<' left in the text is a tag the loop above saw: nothing unescaped slipped through.
  const stripped = body.replace(/<\/?[a-zA-Z][\w:-]*((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g, '');
  assert.doesNotMatch(stripped, /</, 'no stray <');
}

/** The SVGs, in page order, keyed by the id of their figure. */
function svgsByFigure(html: string): Map<string, string> {
  const figures = [...html.matchAll(/<figure id="plot-([\w-]+)">([\s\S]*?)<\/figure>/g)];
  return new Map(figures.flatMap(([, id, content]) => {
    const svgs = content!.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    assert.ok(svgs.length <= 1, `at most one <svg> in figure ${id}`);
    return svgs.length === 1 ? [[id!, svgs[0]!]] : [];
  }));
}

/** The paths of the point marks (not legend symbols) that match `path`. */
function symbols(svg: string, path: RegExp): number {
  let count = 0;
  for (const match of svg.matchAll(/<g class="mark-symbol role-mark[^"]*"[^>]*[^/]>([\s\S]*?)<\/g>/g)) {
    count += (match[1]!.match(path) ?? []).length;
  }
  return count;
}

const dataPoints = (svg: string) => symbols(svg, /<path[^>]*fill="#[0-9a-f]{6}"/g);
/** The black rings drawn around failed builds' points. */
const rings = (svg: string) => symbols(svg, /<path(?![^>]*fill=)[^>]*stroke="black"/g);

function figcaption(html: string, id: string): string {
  const match = new RegExp(`<figure id="plot-${id}">[\\s\\S]*?<figcaption>([\\s\\S]*?)</figcaption>`).exec(html);
  assert.ok(match, `figure ${id}`);
  return match[1]!;
}

describe('renderReport on a 3x3x2 grid', () => {
  let html: string;
  let ms: number;
  before(async () => {
    const start = performance.now();
    html = await renderReport(syntheticGrid(), META);
    ms = performance.now() - start;
  });

  it('is one well-formed, self-contained page, and writes a sample file', (t) => {
    assertWellFormed(html);
    const file = join(tempDir('gatebench-report-'), 'report.html');
    writeFileSync(file, html);
    t.diagnostic(`sample: ${file}, ${statSync(file).size} bytes, rendered in ${ms.toFixed(0)} ms`);
  });

  it('has one SVG per plot, each with its data points', () => {
    const svgs = svgsByFigure(html);
    assert.deepEqual([...svgs.keys()], ['luts', 'timing', 'latency', 'accuracy', 'power']);
    // 18 cells less the failed-routing and the pending one.
    assert.equal(dataPoints(svgs.get('luts')!), 16);
    // Also less the one that does not fit (no timing), on two panels.
    assert.equal(dataPoints(svgs.get('timing')!), 2 * 15);
    // The same 15 cells have a latency: in cycles and in ns at Fmax.
    assert.equal(dataPoints(svgs.get('latency')!), 2 * 15);
    assert.equal(dataPoints(svgs.get('accuracy')!), 16);
    // Power: 6 measured + 15 estimated cells x (load, dynamic); energy: 6 + 15.
    assert.equal(dataPoints(svgs.get('power')!), 2 * 21 + 21);
    for (const [id, svg] of svgs) {
      assert.match(svg, /<text[^>]*>[^<]*\((?:cells|MHz|ns|mW|nJ|%)\)<\/text>/, `${id}: an axis title with a unit`);
    }
    // The Pareto front is drawn as a line; failed builds with figures are ringed: the timing-failed
    // one everywhere, the one that does not fit where it has a LUT4 count.
    assert.match(svgs.get('accuracy')!, /class="mark-line role-mark[^"]*"/);
    assert.deepEqual(['luts', 'timing', 'latency', 'accuracy', 'power'].map((id) => rings(svgs.get(id)!)), [2, 2, 2, 2, 0]);
    assert.match(svgs.get('luts')!, /does not fit/);
    assert.match(svgs.get('luts')!, /timing failed/);
  });

  it('states the final-layer effect with the median numbers', () => {
    assert.match(html, /<p class="headline">Narrowing the final layer from full width \(250 to 1000\) to 100 changed LUT4 by -70\.0% \(median over 7 pairs\) and the critical path by -15\.0% \(median over 6 pairs\)\. 2 of 9 pairs skipped/);
    assert.match(html, /no LUT4: d3-w1000-f1000 build failed \(routing failed\)/);
  });

  it('lists failed and pending cells with their status and message, and says which plots leave them out', () => {
    const row = (cell: string) => new RegExp(`<tr class="([\\w-]+)"><td>${cell}</td>.*</tr>`).exec(html);
    assert.equal(row('d3-w1000-f1000')?.[1], 'failed');
    assert.match(row('d3-w1000-f1000')![0], /<td class="start">build failed; cell failed<\/td>.*<td class="clip start" title="routing failed">routing failed<\/td>/);
    assert.equal(row('d4-w1000-f1000')?.[1], 'does-not-fit');
    assert.match(row('d4-w1000-f1000')![0], /does not fit \(needs 6000 LCs, the board has 5280\)/);
    assert.equal(row('d2-w250-f100')?.[1], 'timing-failed');
    assert.match(row('d2-w250-f100')![0], /failed timing at 100 MHz/);
    assert.equal(row('d4-w500-f100')?.[1], 'pending');
    assert.match(row('d4-w500-f100')![0], /<td class="start">pending<\/td>/);
    assert.match(html, /18 cells: 14 built, 1 timing failed, 1 does not fit, 1 build failed, 1 pending\./);
    assert.match(figcaption(html, 'timing'), /Not shown \(no timing figures\): 1 build failed \(d3-w1000-f1000\), 1 pending \(d4-w500-f100\), 1 does not fit \(d4-w1000-f1000\)\./);
    assert.match(figcaption(html, 'luts'), /ringed and shaped by status: d2-w250-f100 \(timing failed\), d4-w1000-f1000 \(does not fit\)/);
    assert.match(figcaption(html, 'latency'), /Built under --pipeline auto\. 15 of 18 cells shown\..*Not shown \(no latency\): 1 build failed \(d3-w1000-f1000\), 1 pending \(d4-w500-f100\), 1 does not fit \(d4-w1000-f1000\)\./);
  });

  it('puts units in the table headers and formats numbers', () => {
    for (const header of ['Fmax (MHz)', 'Critical path (ns)', 'Head share (%): LUT4 / path', 'Cycles (stages): ns at Fmax', 'Latency (cycles: ns at Fmax)', 'Live (%)', 'Dynamic (mW)', 'Energy (nJ/inference)', 'Latency (ns)', 'Throughput (vectors/s)']) {
      assert.ok(html.includes(`>${header}</th>`), header);
    }
    // d2-w1000-f1000: 3000 LUT4s, 1040 DFF, 10 carry; 3050 of 5280 LCs; Fmax 1000/18 MHz, 30% of the
    // path logic; accuracy 0.8+0.04+0.05. Figures without a column of their own are in the titles.
    assert.match(html, /<td>d2-w1000-f1000<\/td><td class="num start">2<\/td><td class="num">1,000 → 1,000<\/td>.*<td class="num start">89\.00<\/td>.*<td class="num" title="3,000 LUT4, 1,040 DFF, 10 carry">3,000<\/td><td class="num" title="3,050 of 5,280 logic cells">57\.8<\/td><td class="num start">55\.6<\/td><td class="num" title="5\.40 ns logic \+ 12\.6 ns routing">18\.0<\/td>/);
    // Its core's latency: 2 cycles (registered inputs and outputs, no cut), 36 ns at its Fmax, 167 ns at 12 MHz.
    assert.match(html, /<td>d2-w1000-f1000<\/td>.*title="--pipeline auto: pipeline cuts none; 2 cycles x the clock period: 36\.0 ns at the build&#39;s Fmax, 167 ns at the target clock">2 \(1\): 36\.0<\/td>/);
    // The head: 40% of its 3,000 LUT4 and half its 18 ns path; the does-not-fit cell has LUT4 but no head count and no path.
    assert.match(html, /<td>d2-w1000-f1000<\/td>.*<td class="num start" title="head 1,200 of 3,000 LUT4 \(the GroupSum and argmax synthesised alone\); 9\.00 of the critical path&#39;s 18\.0 ns in the popcounts and argmax">40\/50<\/td>/);
    assert.match(html, /<td>d4-w1000-f1000<\/td>.*<td class="num start" title="head LUT4: not measured \(the head is synthesised alone for sweep builds only\); head path: no critical path \(does not fit\)">–<\/td>/);
    // Per pair: d2-w1000 keeps 2 cycles; at the narrow cell's higher Fmax they take 10% less time.
    assert.match(html, /<td class="num">2 → 2: 36\.0 → 32\.4 \(-10\.0%\)<\/td><td class="start" title="both built under --pipeline auto">auto: built, built<\/td>/);
  });

  it('groups the columns: each table has a row of group headings that spans every column', () => {
    const groups = (section: string) => {
      const thead = new RegExp(`<section id="${section}">[\\s\\S]*?<thead><tr>(.*?)</tr><tr>(.*?)</tr></thead>`).exec(html);
      assert.ok(thead, `${section}: two header rows`);
      const top = [...thead[1]!.matchAll(/<th[^>]*?(?: (colspan|rowspan)="(\d+)")?>([^<]*)<\/th>/g)];
      const lower = thead[2]!.match(/<th/g)?.length ?? 0;
      const columns = top.reduce((n, [, kind, span]) => n + (kind === 'colspan' ? Number(span) : 1), 0);
      // Every column has a header in the lower row unless its own spans both rows.
      assert.equal(columns, lower + top.filter(([, kind]) => kind === 'rowspan').length, `${section}: spans add up`);
      return top.filter(([, kind]) => kind === 'colspan').map(([, , , name]) => name);
    };
    assert.deepEqual(groups('effect'), ['Shape', 'Full width → narrow (change)']);
    assert.deepEqual(groups('cells'), ['Model', 'Accuracy (%)', 'Build', 'Timing', 'Core latency']);
    assert.deepEqual(groups('runs'), ['Board run', 'Measured power', 'Estimated power']);
    // Fmax is the critical path's hover text in the per-pair table: d2-w1000, 18 ns -> 16.2 ns.
    assert.match(html, /<td class="num" title="Fmax \(MHz\): 55\.6 → 61\.7 \(\+11\.1%\)">18\.0 → 16\.2 \(-10\.0%\)<\/td>/);
  });

  it('sets the board accuracy beside the software model on the same vectors, and labels the latency with its kind', () => {
    // d2-w1000-f1000: software 89.00% on the whole split; 88.60% on the board and in software on its vectors; critical path 10+4+4 ns.
    for (const header of ['Software, whole test split', 'Board / software, same vectors']) assert.ok(html.includes(`>${header}</th>`), header);
    assert.match(html, /<td>d2-w1000-f1000<\/td>.*<td class="num start">89\.00<\/td><td class="num" title="board \/ software model on the 2,000 vectors the board ran">88\.60 \/ 88\.60<\/td>/);
    assert.match(html, /<td>d2-w1000-f1000<\/td><td class="num start">2,000<\/td><td class="num">0<\/td><td class="num">18\.0 \(combinational\)<\/td>/);
    assert.doesNotMatch(html, /<td class="num">0(\.0+)?( \(\w+\))?<\/td><td class="num">1,150<\/td>/, 'no latency of 0');
  });

  it('escapes every text it puts in the page', () => {
    assert.match(html, /<title>Sweep s1 &#60;final layers&#62; &#38; more<\/title>/);
    assert.match(html, /<dd>abc123 &#34;dirty&#34;<\/dd>/);
  });
});

describe('renderReport on degenerate input', () => {
  const meta: ReportMeta = { title: 'Empty', sweep: null, generated: '2025-06-01T12:00:00.000Z', board: null, dataset: null, provenance: {} };

  it('renders a page that says there are no cells', async () => {
    const html = await renderReport([], meta);
    assertWellFormed(html);
    assert.match(html, /No cells: nothing has been planned or stored/);
    assert.doesNotMatch(html, /<svg/);
  });

  it('renders one cell without a partner, power or run', async () => {
    const html = await renderReport([reportCell(2, 500, 100, { accuracy: 0.9, build: build('ok', { lut4: 400, criticalPathNs: 12, fmaxMHz: 83.3 }) })], meta);
    assertWellFormed(html);
    assert.match(html, /No \(depth, width\) has both a full-width and a narrow final layer/);
    assert.match(html, /Narrow final layers without a full-width partner .*: d2-w500-f100\./);
    assert.match(html, /No cell has been run on a board or has power figures yet\./);
    const svgs = svgsByFigure(html);
    assert.deepEqual([...svgs.keys()], ['luts', 'timing', 'accuracy'], 'no latency recorded: no latency plot');
    assert.match(figcaption(html, 'latency'), /0 of 1 cell shown\. Not shown \(no latency\): 1 stored before latencies were kept \(d2-w500-f100\)\./);
    assert.equal(dataPoints(svgs.get('accuracy')!), 1);
    assert.match(figcaption(html, 'power'), /0 of 1 cell shown\. Not shown \(no power figures with a LUT4 count\): 1 not measured or estimated \(d2-w500-f100\)\./);
  });

  it('renders a sweep where every build failed: tables list them, plots say there is nothing to show', async () => {
    const cells: ReportCell[] = [
      reportCell(2, 500, 500, { state: 'failed', build: build('failed', { message: 'routing failed' }) }),
      reportCell(2, 500, 100, { state: 'failed', build: null, error: 'training diverged: <NaN> loss' }),
    ];
    const html = await renderReport(cells, meta);
    assertWellFormed(html);
    assert.doesNotMatch(html, /<svg/);
    assert.equal(html.match(/<p class="empty">Nothing to plot yet\.<\/p>/g)?.length, 5);
    assert.match(html, /Narrowing the final layer from 500 to 100: no pair has LUT4 or critical-path figures on both sides yet\./);
    assert.match(html, /<td class="start">failed<\/td>.*<td class="clip start" title="training diverged: &#60;NaN&#62; loss">training diverged: &#60;NaN&#62; loss<\/td>/);
    assert.match(html, /2 cells: 1 build failed, 1 failed\./);
  });

  it("marks a build with a warning beside its status and says the warning in the cell's message", async () => {
    const warning = "no icetime cross-check: icetime exited with code 1: Can't find chipdb file for device 5k";
    const warned = reportCell(2, 500, 500, { build: build('ok', { message: 'built for icebreaker', lut4: 400, warnings: [warning] }) });
    const html = await renderReport([warned, reportCell(2, 500, 100, { build: build('ok', { lut4: 300 }) })], meta);
    assertWellFormed(html);
    const rows = html.split('\n').filter((l) => l.startsWith('<tr') && l.includes('<td>d2-w500-'));
    assert.equal(rows.length, 2);
    const [full, narrow] = [rows.find((r) => r.includes('d2-w500-f500'))!, rows.find((r) => r.includes('d2-w500-f100'))!];
    assert.ok(full.includes('>built ⚠</td>'), full);
    assert.ok(full.includes(`>warning: no icetime cross-check: icetime exited with code 1: Can&#39;t find chipdb file for device 5k — built for icebreaker</td>`), full);
    assert.ok(narrow.includes('>built</td>') && !narrow.includes('warning'), narrow);
  });

  it('shows a pair built under two pipelining policies with both, marked, and keeps it out of the headline', async () => {
    const cell = (finalWidth: number, pipelinePolicy: string) => reportCell(2, 500, finalWidth, { build: build('ok', { lut4: finalWidth * 2, criticalPathNs: 10, latencyCycles: 2, latencyAtFmaxNs: 20, pipelinePolicy }) });
    const html = await renderReport([cell(500, '--pipeline 1'), cell(100, '--pipeline auto')], meta);
    assertWellFormed(html);
    assert.match(html, /<td class="start bad" title="built under two pipelining policies \(--pipeline 1 at full width, --pipeline auto narrow\): left out of the medians">1 → auto: built, built<\/td>/);
    assert.match(html, /<p class="headline">Narrowing the final layer from 500 to 100: no pair was built under one pipelining policy on both sides, so none is compared\. 1 pair built under two pipelining policies left out of the medians: d2-w500-f100 \(--pipeline auto\) against d2-w500-f500 \(--pipeline 1\)\.<\/p>/);
  });

  it('shows a stored run\'s latency kind and same-vector software accuracy (clocked; not measured and without the same-vector figure)', async () => {
    const store = openStore(join(tempDir('gatebench-report-store-'), 'gatebench.db'));
    const model = fixtureModel(1);
    store.addModel(model);
    const clocked = fixtureRun();
    const notMeasured = { ...clocked, softwareAccuracy: null, latency: { ...clocked.latency, kind: 'not-measured', source: 'no build of this design for icebreaker in the cache', cycles: null, ns: null } } as const;
    for (const run of [clocked, notMeasured]) store.addRun(run, fixtureProvenance(model.hash));
    const cells = store.resultRows().map(reportCellOf);
    store.close();
    assert.deepEqual(cells.map((c) => [c.run?.latencyKind, c.run?.latencyNs, c.boardAccuracy, c.run?.softwareAccuracy]), [
      ['not-measured', null, 0.68, null],
      ['clocked', 250, 0.68, 0.68],
    ]);
    const page = await renderReport(cells, meta);
    assertWellFormed(page);
    // The latency's source is its hover text.
    assert.match(page, /<td>run \d+<\/td><td class="num start">200<\/td><td class="num">0<\/td><td class="num" title="device counter: 3 cycles at 12 MHz">250 \(clocked\)<\/td>/);
    assert.match(page, /<td>run \d+<\/td><td class="num start">200<\/td><td class="num">0<\/td><td class="num" title="no build of this design for icebreaker in the cache">not measured<\/td>/);
    assert.match(page, /<td class="num" title="board \/ software model on the 200 vectors the board ran">68\.00 \/ 68\.00<\/td>/);
    assert.match(page, />68\.00 \/ –<\/td>/, 'a run without the figure says so');
  });

  it('escapes a hostile cell name and title wherever they appear', async () => {
    const hostile = '<script>alert(1)</script>';
    const html = await renderReport([reportCell(2, 500, 500, { cell: hostile, accuracy: 0.9, build: build('ok', { lut4: 400, criticalPathNs: 12, fmaxMHz: 83.3 }) })], { ...meta, title: hostile });
    assertWellFormed(html);
    assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
  });
});

describe('renderReport of two sweeps on two families side by side', () => {
  const meta: ReportMeta = {
    title: 'gatebench sweeps ecp, ice',
    sweep: 'ecp, ice',
    generated: '2025-06-01T12:00:00.000Z',
    board: null,
    dataset: 'mnist',
    provenance: {},
    boards: [
      { sweep: 'ice', board: 'icebreaker', family: 'ice40', device: 'iCE40UP5K', logicCells: 5280, logicCellUnit: 'LCs' },
      { sweep: 'ecp', board: 'ulx3s', family: 'ecp5', device: 'LFE5U-85F', logicCells: 83640, logicCellUnit: 'TRELLIS_COMB' },
    ],
  };
  const pair = (sweep: string, fullLut4: number, narrowLut4: number) => [
    reportCell(2, 500, 500, { sweep, build: build('ok', { lut4: fullLut4, criticalPathNs: 50 }) }),
    reportCell(2, 500, 100, { sweep, build: build('ok', { lut4: narrowLut4, criticalPathNs: 40 }) }),
  ];
  const routingFailed = reportCell(4, 8000, 8000, { sweep: 'ecp', build: build('routing-failed', { lut4: 60000, message: 'routing failed: not routed within the 20-minute place-and-route budget (router2 pass 40, 1,234 wires still overused, stopped after 20.0 min)' }) });

  it("gives each sweep's final-layer effect under its board's capacity line, and a routing failure its own status", async () => {
    const html = await renderReport([...pair('ice', 1000, 200), ...pair('ecp', 2000, 1500), routingFailed], meta);
    assertWellFormed(html);
    assert.match(html, /icebreaker: iCE40 iCE40UP5K, 5,280 logic cells \(LCs\) \(sweep ice\)<br>ulx3s: ECP5 LFE5U-85F, 83,640 logic cells \(TRELLIS_COMB\) \(sweep ecp\)/);
    const effect = /<section id="effect">([\s\S]*?)<\/section>/.exec(html)![1]!;
    const headlines = [...effect.matchAll(/<h3>Sweep (\w+) · ([^<]*)<\/h3>\n<p class="headline">([^<]*)<\/p>/g)].map((m) => [m[1], m[2], m[3]]);
    assert.deepEqual(headlines, [
      ['ecp', 'ulx3s: ECP5 LFE5U-85F, 83,640 logic cells (TRELLIS_COMB)', 'Narrowing the final layer from 500 to 100 changed LUT4 by -25.0% and the critical path by -20.0% (median over 1 pair).'],
      ['ice', 'icebreaker: iCE40 iCE40UP5K, 5,280 logic cells (LCs)', 'Narrowing the final layer from 500 to 100 changed LUT4 by -80.0% and the critical path by -20.0% (median over 1 pair).'],
    ]);
    assert.match(html, /<tr class="routing-failed">[\s\S]*?routing failed: not routed within the 20-minute place-and-route budget/);
    assert.match(html, /5 cells: 4 built, 1 routing failed\./);
  });

  it("reads several stored sweeps into one page's input, each with its board's capacity from the board file", () => {
    const store = openStore(join(tempDir('gatebench-report-sweeps-'), 'gatebench.db'));
    const cells = [{ key: 'd2-w500-f500', depth: 2, width: 500, finalWidth: 500 }];
    store.createSweep({ board: 'icebreaker', dataset: 'mnist', runOn: 'virtual' }, cells, { id: 'ice' });
    store.createSweep({ board: 'ulx3s', dataset: 'mnist', runOn: 'none' }, cells, { id: 'ecp' });
    const input = sweepReportInput(store, ['ice', 'ecp']);
    store.close();
    assert.deepEqual(input.cells.map((c) => `${c.sweep}/${c.cell}`), ['ice/d2-w500-f500', 'ecp/d2-w500-f500']);
    assert.deepEqual(input.meta.boards, [
      { sweep: 'ice', board: 'icebreaker', family: 'ice40', device: 'iCE40UP5K', logicCells: 5280, logicCellUnit: 'LCs' },
      { sweep: 'ecp', board: 'ulx3s', family: 'ecp5', device: 'LFE5U-85F', logicCells: 83640, logicCellUnit: 'TRELLIS_COMB' },
    ]);
    assert.equal(input.meta.board, 'icebreaker, ulx3s');
    assert.equal(input.meta.dataset, 'mnist');
    assert.equal(input.meta.provenance['runs on'], 'virtual (rtl), none');
  });
});
