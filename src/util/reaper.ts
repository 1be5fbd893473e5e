import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ReaperMessage = { type: 'watch'; pid: number; group: boolean } | { type: 'unwatch'; pid: number };
/** The reaper's one message to us: its listeners are set (a message sent before would be lost). */
export const REAPER_READY = 'ready';

const REAPER = fileURLToPath(new URL('./reaperMain.js', import.meta.url));

let reaper: ChildProcess | null = null;
let ready: Promise<void> = Promise.resolve();
let lastSent: Promise<void> = Promise.resolve();

function send(m: ReaperMessage): void {
  if (!reaper) {
    // Detached, so a Ctrl-C to the terminal's process group does not end it before it has acted.
    reaper = fork(REAPER, [], { detached: true, execArgv: [], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    reaper.on('error', () => undefined);
    const started = reaper;
    ready = new Promise((resolve) => {
      started.once('message', () => resolve());
      started.once('exit', () => resolve());
    });
    // The reaper must never keep gatebench running: it ends on its own when we do.
    reaper.unref();
    reaper.channel?.unref();
  }
  const channel = reaper;
  lastSent = ready.then(() => new Promise((resolve) => (channel.connected ? channel.send(m, () => resolve()) : resolve())));
}

/** Resolves once every message so far is in the reaper's channel (it reads them even after we die). */
export function reaperInformed(): Promise<void> {
  return lastSent;
}

/**
 * Make a child process (or, with `group`, its whole process group) end with gatebench even when
 * gatebench is killed with SIGKILL, which no handler sees: a small reaper process, started on first
 * use, is told each pid and ends the ones still watched when its channel to us closes. Signal
 * handlers (src/flow/run.ts) still end children at once on Ctrl-C; this covers what they cannot.
 * Returns the function that stops watching (call it when the child has exited).
 */
export function endWithThisProcess(pid: number | undefined, { group = false } = {}): () => void {
  if (pid === undefined) return () => undefined;
  send({ type: 'watch', pid, group });
  return () => send({ type: 'unwatch', pid });
}
