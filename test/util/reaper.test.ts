import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REAPER = fileURLToPath(new URL('../../src/util/reaper.js', import.meta.url));

/** Whether a process runs (a zombie, ended but not yet reaped by init, does not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * A parent that starts `sleep` in its own process group (as gatebench runs tools), asks the reaper
 * to end it with the parent, prints the child's pid once the reaper has been told, and waits.
 */
const PARENT = `
import { spawn } from 'node:child_process';
import { endWithThisProcess, reaperInformed } from ${JSON.stringify(REAPER)};
const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
endWithThisProcess(child.pid, { group: true });
await reaperInformed();
process.stdout.write(child.pid + '\\n');
setInterval(() => {}, 1000);
`;

test('a child in its own process group ends when its parent is killed with SIGKILL', { timeout: 60_000 }, async () => {
  const parent = spawn(process.execPath, ['--input-type=module', '-e', PARENT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(parent.stdout, 'data')) as [Buffer];
  const child = Number(line.toString().trim());
  assert.ok(child > 0 && alive(child), 'the child runs');
  parent.kill('SIGKILL');
  await once(parent, 'exit');
  // No handler of the parent runs on SIGKILL: only the reaper can end the child.
  const until = Date.now() + 30_000;
  while (alive(child) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  const survived = alive(child);
  if (survived) process.kill(-child, 'SIGKILL');
  assert.equal(survived, false, 'the child did not outlive its killed parent');
});
