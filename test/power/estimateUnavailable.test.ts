import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderPower } from '../../src/app/runReport.js';
import { resultsTable } from '../../src/app/resultsTable.js';
import { loadBoard } from '../../src/board/index.js';
import { PowerSession } from '../../src/device/power.js';
import { estimatePower, powerEstimateGap, powerEstimateGapOfBoard } from '../../src/power/estimate.js';
import { runColumns } from '../../src/report/columns.js';
import { reportCellOf } from '../../src/report/fromStore.js';
import { powerSummaryOf, RESULT_COLUMNS, type ResultRow } from '../../src/store/index.js';
import { UserError } from '../../src/util/errors.js';
import { randomNetwork, randomVectors, tempDir } from '../helpers.js';

const ECP5 = /^not available for ECP5: gatebench's power constants are measured on the iCE40 UP5K core rail \(docs\/power-estimate\.md\), and none exist for this family$/;

/** A results row of a stored run with measured power and no estimate figures, on `board`. */
function measuredRun(board: string): ResultRow {
  const empty = Object.fromEntries(RESULT_COLUMNS.map((c) => [c, null])) as unknown as ResultRow;
  return { ...empty, kind: 'run', state: 'done', at: '2026-11-30T12:00:00Z', board, runId: 7, idleMw: 41.5, loadMw: 60.25, dynamicMw: 18.75, nJPerInference: 0.75 };
}

describe('the power estimate on a part without UP5K constants', () => {
  it('says "not available for ECP5" / "GOWIN" (and names another iCE40 part) instead of using the UP5K figures', () => {
    assert.equal(powerEstimateGap({ family: 'ice40', device: 'up5k' }), null);
    const ecp5 = powerEstimateGap(loadBoard('ulx3s-45f').fpga)!;
    assert.match(ecp5.reason, ECP5);
    assert.equal(ecp5.label, 'n/a (ECP5)');
    assert.match(powerEstimateGap(loadBoard('tangnano9k').fpga)!.reason, /^not available for GOWIN: .* none exist for this family$/);
    assert.equal(powerEstimateGap(loadBoard('ecp5-evn').fpga)!.label, 'n/a (ECP5)');
    assert.deepEqual(powerEstimateGap(loadBoard('ice40hx8k-breakout').fpga)?.label, 'n/a (iCE40HX8K)');
    // Results name boards, the virtual one after the board it stands for.
    assert.equal(powerEstimateGapOfBoard('icebreaker'), null);
    assert.equal(powerEstimateGapOfBoard('virtual (tangnano20k)')?.label, 'n/a (GOWIN)');
    assert.equal(powerEstimateGapOfBoard('no-such-board'), null);
  });

  it('refuses to estimate an ECP5 or Gowin core from the UP5K constants (a UserError, before any synthesis)', async () => {
    const net = randomNetwork(3, 8, [8, 4], 2);
    const vectors = randomVectors(8, 4, 4, 3);
    for (const [device, family] of [['lfe5u-85f', 'ECP5'], ['gw2ar-18c', 'GOWIN']] as const) {
      await assert.rejects(estimatePower(net, vectors, { clockHz: 25e6, device }), (e: unknown) => e instanceof UserError && e.message.startsWith(`power estimate not available for ${family}: `));
    }
  });

  it('measures on an ECP5 board with the estimate column saying why it is empty: run --power, the stored summary, results and the report', async () => {
    // A real monitor driver (Linux hwmon ina2xx) on a directory laid out like sysfs.
    const dir = join(tempDir('gatebench-hwmon-'), 'hwmon0');
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries({ name: 'ina226', in1_input: '1100', curr1_input: '40', power1_input: '44000', update_interval: '2' })) writeFileSync(join(dir, name), `${text}\n`);
    const board = loadBoard('ulx3s');
    const session = await PowerSession.open({ spec: `hwmon:${dir}`, windowSeconds: 0.05 }, { board, virtualBoard: null, estimate: null, log: () => {} });
    await session.during('idle', () => new Promise((r) => setTimeout(r, 50)));
    const measurement = await session.finish(null);
    assert.equal(measurement.estimated, null);
    assert.match(measurement.estimateUnavailable!, ECP5);
    const shown = renderPower(measurement);
    assert.ok(shown.some((line) => /^ {2}estimate not available for ECP5: /.test(line)), shown.join('\n'));
    assert.ok(shown.some((line) => /^ {2}P_idle .* n\/a$/.test(line)), shown.join('\n'));
    assert.match(powerSummaryOf(measurement).estimateUnavailable!, ECP5);

    const table = resultsTable([measuredRun('ulx3s'), measuredRun('virtual (tangnano9k)')]).split('\n');
    assert.match(table[1]!, /41\.500 +60\.250 +18\.750 +0\.750 +n\/a \(ECP5\) +n\/a \(ECP5\) +n\/a \(ECP5\) +n\/a \(ECP5\)/);
    assert.match(table[2]!, /n\/a \(GOWIN\) +n\/a \(GOWIN\) +n\/a \(GOWIN\) +n\/a \(GOWIN\)/);

    const cell = reportCellOf(measuredRun('ulx3s-12f'));
    const estimated = runColumns({ sweeps: false }).filter((c) => c.group === 'Estimated power');
    assert.equal(estimated.length, 4);
    for (const column of estimated) {
      assert.equal(column.text(cell), 'n/a (ECP5)');
      assert.match(column.title!(cell)!, ECP5);
    }
  });
});
