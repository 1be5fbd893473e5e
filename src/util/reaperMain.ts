// The reaper (started by src/util/reaper.ts): holds the process ids gatebench asks it to watch and
// ends them when gatebench is gone, however it went (exit, Ctrl-C, kill -9): the IPC channel
// closes then, and that is all this process waits for.
import { REAPER_READY, type ReaperMessage } from './reaper.js';

const watched = new Map<number, boolean>();

function signalAll(signal: NodeJS.Signals): void {
  for (const [pid, group] of watched) {
    try {
      process.kill(group ? -pid : pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Whether a process (or, negative, a process group) still exists. */
function alive(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch {
    return false;
  }
}

process.on('message', (m: ReaperMessage) => {
  if (m.type === 'watch') watched.set(m.pid, m.group);
  else watched.delete(m.pid);
});
process.on('disconnect', () => {
  if (watched.size === 0) process.exit(0);
  signalAll('SIGTERM');
  const deadline = Date.now() + 2000;
  const poll = setInterval(() => {
    for (const [pid, group] of watched) if (!alive(group ? -pid : pid)) watched.delete(pid);
    if (watched.size > 0 && Date.now() < deadline) return;
    signalAll('SIGKILL');
    clearInterval(poll);
    process.exit(0);
  }, 100);
});
process.send!(REAPER_READY);
