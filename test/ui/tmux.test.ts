import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { CLI } from '../store/fixtures.js';
import { tempDir } from '../helpers.js';
import { fillStore, type Filled } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A tmux server of this test's own, so no other session is touched. */
const SOCKET = `gatebench-ui-test-${process.pid}`;
const tmux = (...args: string[]) => execa('tmux', ['-L', SOCKET, ...args], { reject: false });

/** The pane's text once it matches, polling: the UI draws after it has read the database. */
async function screenUntil(session: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = (await tmux('capture-pane', '-p', '-t', session)).stdout;
    if (pattern.test(text)) return text;
    if (Date.now() > end) assert.fail(`no ${pattern} on the screen within ${timeoutMs} ms:\n${text}`);
    await sleep(200);
  }
}

/**
 * Run a command in a detached 200x50 terminal under sh, which prints the command's exit status when
 * it ends; the pane stays after that (remain-on-exit) so the status can be read.
 */
async function start(session: string, cwd: string, argv: string[]): Promise<void> {
  const r = await tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', '-c', cwd, 'sh', '-c', '"$@"; echo "exit status $?"', 'sh', ...argv);
  assert.equal(r.exitCode, 0, r.stderr);
  await tmux('set-option', '-t', session, 'remain-on-exit', 'on');
}

/** The command's exit status once sh, which waits for it, has ended too. */
async function exitStatus(session: string, timeoutMs = 10_000): Promise<number> {
  const text = await screenUntil(session, /exit status \d+/, timeoutMs);
  const end = Date.now() + timeoutMs;
  while ((await tmux('display-message', '-p', '-t', session, '#{pane_dead}')).stdout.trim() !== '1') {
    if (Date.now() > end) assert.fail(`the pane of ${session} is still running after the UI ended`);
    await sleep(100);
  }
  return Number(text.match(/exit status (\d+)/)![1]);
}

describe('terminal UI in a real terminal (tmux)', () => {
  const dir = tempDir('gatebench-ui-tmux-');
  const db = join(dir, 'gatebench.db');
  let filled: Filled;

  before(async () => {
    filled = await fillStore(db, dir);
  });
  after(async () => {
    await tmux('kill-server');
    rmSync(dir, { recursive: true, force: true });
  });

  it('gatebench ui --db FILE: navigates two screens, quits with q and the process ends', async () => {
    await start('ui', dir, [process.execPath, CLI, 'ui', '--db', db]);
    const models = await screenUntil('ui', /1 Models\s+2 Builds\s+3 Sweeps\s+4 Results\s+5 Run/);
    for (const m of filled.models) assert.match(models, new RegExp(m.hash.slice(0, 12)));
    assert.match(models, /q quit/);

    await tmux('send-keys', '-t', 'ui', '3');
    await screenUntil('ui', /s1\s+running/);
    await tmux('send-keys', '-t', 'ui', 'Enter');
    const grid = await screenUntil('ui', /depth 3/);
    assert.match(grid, /depth 2\s+✓ done\s+✗ failed/);
    assert.match(grid, /depth 3\s+▶ running build\s+· pending/);

    await tmux('send-keys', '-t', 'ui', '4');
    const results = await screenUntil('ui', /sweep\/cell/);
    // 200 columns: the table's right-hand columns fit too.
    assert.match(results, /sweep\/cell\s+state\s+widths\s+gates\/live\s+acc sw \(split\)\s+acc board\s+acc sw \(same\)\s+build\s+LC\s+Fmax MHz\s+lat ns\s+vec\/s\s+P_dyn mW/);
    assert.match(results, /run \d+\s+done\s+30,30,20.*\s900\s/);

    await tmux('send-keys', '-t', 'ui', 'q');
    assert.equal(await exitStatus('ui'), 0);
  });

  it('gatebench alone opens the UI on a terminal (on ./gatebench.db), and prints the help when piped', async () => {
    await start('bare', dir, [process.execPath, CLI]);
    const screen = await screenUntil('bare', /1 Models/);
    assert.match(screen, /db \.\/gatebench\.db/);
    assert.match(screen, new RegExp(filled.models[0]!.hash.slice(0, 12)));
    await tmux('send-keys', '-t', 'bare', 'q');
    assert.equal(await exitStatus('bare'), 0);

    const piped = await execa(process.execPath, [CLI], { cwd: dir, reject: false });
    assert.equal(piped.exitCode, 0);
    assert.match(piped.stdout, /^usage: gatebench <command> \[options\]/);
    assert.match(piped.stdout, /ui\s+terminal UI/);

    const refused = await execa(process.execPath, [CLI, 'ui', '--db', db], { cwd: dir, reject: false });
    assert.equal(refused.exitCode, 2);
    assert.match(refused.stderr, /gatebench: ui: needs a terminal on stdin and stdout/);
  });
});
