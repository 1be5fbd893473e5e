/**
 * The report as a reader sees it: rendered from the demo sweep's cells, opened in a real headless
 * Chromium at 1400 and 1280 px, measured (no table scrolls sideways, rows one line high, numbers
 * never wrapped, nothing fetched) and kept as a full-page screenshot under out/report-test/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { ReportMeta } from '../../src/report/cells.js';
import { renderReport } from '../../src/report/html.js';
import { tempDir } from '../helpers.js';
import { Chromium } from './chromium.js';
import { demoSweep } from './fixtures.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../out/report-test/', import.meta.url));

const META: ReportMeta = {
  title: 'gatebench sweep demo',
  sweep: 'demo',
  generated: '2026-11-30T12:00:00.000Z',
  board: 'icebreaker',
  dataset: 'mnist',
  provenance: {
    gatebench: '0.1.0',
    git: '899f677e3a41c5b0d2f8e9a17c6b4d3e2f1a0b9c (dirty: 3 files changed)',
    'runs on': 'virtual',
    'sweep created': '2026-11-30T11:02:41.337Z',
  },
};

/** What the page measures of itself; runs inside Chromium (serialised with toString). */
function measureLayout() {
  const section = (el: Element) => el.closest('section')?.id ?? '?';
  const lineHeight = (el: Element) => parseFloat(getComputedStyle(el).lineHeight);
  const lines = (el: Element) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  };
  const wrappers = [...document.querySelectorAll('.table-wrap')];
  return {
    viewportWidth: window.innerWidth,
    documentWidth: document.documentElement.scrollWidth,
    documentHeight: document.documentElement.scrollHeight,
    tables: wrappers.map((w) => ({ section: section(w), scrollWidth: w.scrollWidth, clientWidth: w.clientWidth })),
    rows: wrappers.flatMap((w) => [...w.querySelectorAll('tbody tr')].map((tr) => ({
      section: section(w),
      cell: (tr as HTMLTableRowElement).cells[0]!.textContent ?? '',
      height: tr.getBoundingClientRect().height,
      lineHeight: lineHeight((tr as HTMLTableRowElement).cells[0]!),
    }))),
    numericCells: document.querySelectorAll('td.num').length,
    wrappedNumbers: [...document.querySelectorAll('td.num')]
      .filter((td) => lines(td) > 1 || td.scrollWidth > td.clientWidth)
      .map((td) => `${section(td)}: ${td.textContent}`),
    clipped: [...document.querySelectorAll('.clip')]
      .filter((el) => el.scrollWidth > el.clientWidth)
      .map((el) => ({ text: el.textContent, title: el.getAttribute('title') })),
  };
}

type Layout = ReturnType<typeof measureLayout>;

describe('the report in headless Chromium', () => {
  let browser: Chromium;
  let workDir: string;
  let pageUrl: string;

  before(async () => {
    workDir = tempDir('gatebench-report-browser-');
    const file = join(workDir, 'report.html');
    writeFileSync(file, await renderReport(demoSweep(), META));
    pageUrl = pathToFileURL(file).href;
    browser = await Chromium.launch();
  });

  after(async () => {
    await browser?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** Load the report at `width` px, measure it, and keep a full-page screenshot; returns the PNG's path. */
  async function open(width: number): Promise<{ layout: Layout; requested: string[]; screenshot: string }> {
    const { targetId, session } = await browser.newPage();
    await browser.send('Emulation.setDeviceMetricsOverride', { width, height: 1000, deviceScaleFactor: 1, mobile: false }, session);
    await browser.send('Page.enable', {}, session);
    await browser.send('Network.enable', {}, session);
    const requested: string[] = [];
    const stopListening = browser.onEvents(session, (method, params) => {
      if (method === 'Network.requestWillBeSent') requested.push((params['request'] as { url: string }).url);
    });
    const loaded = browser.nextEvent('Page.loadEventFired', session);
    await browser.send('Page.navigate', { url: pageUrl }, session);
    await loaded;
    await browser.send('Runtime.evaluate', { expression: 'document.fonts.ready.then(() => true)', awaitPromise: true }, session);
    const evaluated = await browser.send('Runtime.evaluate', { expression: `(${measureLayout.toString()})()`, returnByValue: true }, session);
    const { result, exceptionDetails } = evaluated as { result: { value: Layout }; exceptionDetails?: unknown };
    assert.equal(exceptionDetails, undefined, `measuring the page threw: ${JSON.stringify(exceptionDetails)}`);
    const layout = result.value;
    // The whole page in one image: make the viewport as tall as the document.
    await browser.send('Emulation.setDeviceMetricsOverride', { width, height: layout.documentHeight, deviceScaleFactor: 1, mobile: false }, session);
    const { data } = await browser.send('Page.captureScreenshot', { format: 'png' }, session);
    stopListening();
    mkdirSync(SCREENSHOTS, { recursive: true });
    const screenshot = join(SCREENSHOTS, `report-${width}.png`);
    writeFileSync(screenshot, Buffer.from(data as string, 'base64'));
    await browser.send('Target.closeTarget', { targetId });
    return { layout, requested, screenshot };
  }

  for (const width of [1400, 1280]) {
    it(`fits every table in ${width} px, one line per row, numbers unwrapped, nothing fetched`, async (t) => {
      const { layout, requested, screenshot } = await open(width);
      const tallest = Math.max(...layout.rows.map((r) => r.height));
      t.diagnostic(`screenshot: ${screenshot}`);
      t.diagnostic(`document ${layout.documentWidth} px wide in a ${layout.viewportWidth} px viewport; tables (scroll/client px): ${layout.tables.map((w) => `${w.section} ${w.scrollWidth}/${w.clientWidth}`).join(', ')}; tallest row ${tallest.toFixed(1)} px (line height ${layout.rows[0]?.lineHeight} px); ${layout.clipped.length} texts shortened`);

      assert.equal(layout.viewportWidth, width);
      assert.deepEqual(requested, [pageUrl], 'the page fetches nothing but itself');
      assert.ok(layout.documentWidth <= width, `the page is ${layout.documentWidth} px wide, more than the ${width} px window`);
      assert.deepEqual(layout.tables.map((w) => w.section), ['effect', 'cells', 'runs'], 'the three tables');
      for (const w of layout.tables) {
        assert.ok(w.scrollWidth <= w.clientWidth, `the ${w.section} table is ${w.scrollWidth} px wide in a ${w.clientWidth} px box: it scrolls sideways`);
      }
      // 4 pairs, 8 cells, 7 runs (d2-w1000-f100's run failed).
      assert.deepEqual(['effect', 'cells', 'runs'].map((s) => layout.rows.filter((r) => r.section === s).length), [4, 8, 7]);
      for (const row of layout.rows) {
        assert.ok(row.height <= 2 * row.lineHeight, `${row.section} row ${row.cell} is ${row.height} px tall, more than one line (${row.lineHeight} px) and its padding`);
      }
      assert.ok(layout.numericCells > 100, `${layout.numericCells} numeric cells`);
      assert.deepEqual(layout.wrappedNumbers, [], 'numbers wrapped or overflowing their cell');
      // The build messages are longer than their column at either width: shown shortened, whole on hover.
      assert.ok(layout.clipped.length > 0, 'some message is shortened');
      for (const { text, title } of layout.clipped) assert.equal(title, text, 'a shortened text has the whole text as its title');
    });
  }
});
