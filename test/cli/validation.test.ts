import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { idx, randomNetwork, runCli, tempDir, writeModelFile } from '../helpers.js';

/** Bad input: exit 2 and one line on stderr matching `message`. */
function refused(args: string[], message: RegExp, options: Parameters<typeof runCli>[1] = {}): void {
  const r = runCli(args, options);
  assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
}

/** An IDX folder of 2x2 images with these training labels (no t10k files: the split is stratified). */
function idxFolder(labels: number[]): string {
  const dir = tempDir();
  const pixels = labels.flatMap((l, i) => [l % 2 ? 255 : 0, 10, 20, i % 256]);
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx(0x08, [labels.length, 2, 2], pixels));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx(0x08, [labels.length], labels));
  return dir;
}

/** Sweeps stored in a database (none when the command was refused before any work). */
function sweepCount(db: string): number {
  if (!existsSync(db)) return 0;
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT count(*) FROM sweeps').pluck().get() as number;
  } finally {
    d.close();
  }
}

const dir = tempDir();
const model = writeModelFile(dir, randomNetwork(5, 16, [20, 10], 2));
// So long that a check made only after training would make the test time out instead of pass.
const LONG_TRAINING = ['--iterations', '1000000'];

describe('output paths are checked before any work (one line, exit 2)', () => {
  it('train --out into a missing folder', () => {
    refused(['train', '--widths', '100', ...LONG_TRAINING, '--out', join(dir, 'missing', 'x.json')], /--out .*missing\/x\.json: the folder .*missing does not exist/);
  });

  it('eval --sums into a missing folder or onto a folder', () => {
    refused(['eval', model, '--sums', join(dir, 'missing', 'sums.csv')], /--sums .*sums\.csv: the folder .*missing does not exist/);
    refused(['eval', model, '--sums', dir], /--sums .*: is a folder, expected a file to write/);
  });

  it('emit --out onto an existing file', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'keep me\n');
    refused(['emit', model, '--out', file], /--out .*a-file: is a file, expected a folder to write into/);
  });

  it('report --out into a missing folder, without creating it', () => {
    const missing = join(dir, 'no-such-folder');
    refused(['report', '--out', join(missing, 'r.html'), '--db', join(dir, 'none.db')], /--out .*r\.html: the folder .*no-such-folder does not exist/);
    assert.equal(existsSync(missing), false);
  });

  it('sweep --report into a missing folder, before the database is touched', () => {
    const db = join(dir, 'sweep-report.db');
    refused(['sweep', '--depth', '1', '--width', '20', '--db', db, '--report', join(dir, 'missing', 'r.html')], /--report .*r\.html: the folder .*missing does not exist/);
    assert.equal(existsSync(db), false);
  });
});

describe('datasets are validated as they load (IDX as CSV)', () => {
  it('refuses an IDX folder with one class, with no images, and with label 255 (256 classes)', () => {
    refused(['train', '--dataset', `idx:${idxFolder([0, 0, 0, 0, 0])}`, '--widths', '10', '--out', join(dir, 'x.json')], /idx:.*: labels 0 to 0 make 1 class, expected 2 to 255/);
    refused(['train', '--dataset', `idx:${idxFolder([])}`, '--widths', '10', '--out', join(dir, 'x.json')], /idx:.*: no training samples \(.*\), expected at least one/);
    const labels = Array.from({ length: 20 }, (_, i) => (i === 19 ? 255 : i % 2));
    refused(['train', '--dataset', `idx:${idxFolder(labels)}`, '--widths', '256', '--out', join(dir, 'x.json')], /idx:.*: labels 0 to 255 make 256 classes, expected 2 to 255/);
  });

  it('refuses a split with no test samples (CSV)', () => {
    const csv = join(dir, 'tiny.csv');
    writeFileSync(csv, 'a,b,label\n1,2,x\n3,4,y\n');
    refused(['train', '--dataset', `csv:${csv}`, '--widths', '10', '--out', join(dir, 'x.json')], /tiny\.csv: no test samples \(last 20% of each class .*\), expected at least one/);
  });
});

describe('sizes that cannot fit in memory are refused up front, with the estimate', () => {
  it('train --widths 1000000000 and 50000000,10', () => {
    refused(['train', '--widths', '1000000000', ...LONG_TRAINING, '--out', join(dir, 'x.json')], /--widths 1000000000: 1,000,000,000 gates need at least \d+ GiB to train \([\d,]+ bytes per gate at batch 128\), this machine has [\d.]+ GiB/);
    refused(['train', '--widths', '50000000,10', ...LONG_TRAINING, '--out', join(dir, 'x.json')], /--widths 50000000,10: 50,000,010 gates need at least \d+ GiB/);
  });
});

describe('a sweep spec is checked whole before any cell is stored or trained', () => {
  const cases: [string[], RegExp][] = [
    [['--board', 'virtual'], /--board: unknown board 'virtual', expected one of: .*icebreaker/],
    [['--run-on', 'nosuch'], /--run-on: unknown board 'nosuch'/],
    [['--run-on', 'icestick', '--power', 'bogus'], /--power: no instrument kind in 'bogus'/],
    [['--run-on', 'icebreaker', '--power', 'virtual'], /--power virtual: only with --run-on virtual, got --run-on icebreaker/],
    [['--run-on', 'none', '--power', 'virtual'], /--power virtual: nothing runs with --run-on none/],
    [['--width', '50000000', '--depth', '2'], /cell d2-w50000000-f50000000: widths 50000000,50000000: 100,000,000 gates need at least/],
  ];
  for (const [flags, message] of cases) {
    it(flags.join(' '), () => {
      const db = join(tempDir(), 'sweep.db');
      const grid = flags.includes('--width') ? [] : ['--depth', '1', '--width', '20'];
      refused(['sweep', ...grid, ...flags, ...LONG_TRAINING, '--db', db], message);
      assert.equal(sweepCount(db), 0, 'no sweep stored');
    });
  }

  it('a sweep to run on a board that is not attached stops before any cell trains', () => {
    const work = tempDir();
    const cache = join(work, 'cache');
    const db = join(work, 'sweep.db');
    // No FTDI cable on this machine (an empty sysfs tree says so on any machine).
    const sysfs = join(work, 'sys');
    mkdirSync(join(sysfs, 'bus', 'usb', 'devices'), { recursive: true });
    refused(['sweep', '--depth', '1', '--width', '20', '--run-on', 'icebreaker', ...LONG_TRAINING, '--db', db], /no programming cable or board found for icebreaker: .*use --run-on none/, { cwd: work, env: { GATEBENCH_CACHE: cache, GATEBENCH_SYSFS: sysfs } });
    assert.equal(existsSync(cache), false, 'nothing trained or built');
  });

  it('a sweep whose cells all failed exits 1, after its table', { timeout: 300_000 }, () => {
    const work = tempDir();
    // A cache path that is a file: every cell fails at its first stage, quickly.
    const cache = join(work, 'cache-is-a-file');
    writeFileSync(cache, '');
    mkdirSync(join(work, 'out'));
    const db = join(work, 'sweep.db');
    const r = runCli(['sweep', '--depth', '1', '--width', '20,40', '--iterations', '5', '--run-on', 'none', '--jobs', '1', '--db', db], { cwd: work, env: { GATEBENCH_CACHE: cache } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /0 done, 2 failed of 2 cells/);
    assert.match(r.stderr, /gatebench: sweep .*: all 2 cells failed/);
  });
});

describe('a cache path with a space', () => {
  it('builds and runs the Verilator simulation there', { timeout: 600_000 }, () => {
    const cache = join(tempDir(), 'cache with space');
    const r = runCli(['sim', model, '--random', '20'], { env: { GATEBENCH_CACHE: cache } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /PASS: 20 vectors .* 0 mismatches/);
  });
});
