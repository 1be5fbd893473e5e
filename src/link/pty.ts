import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { endWithThisProcess } from '../util/reaper.js';

/** A pty pair joined by socat: the host opens `a`, the peer (a virtual device) opens `b`. */
export interface PtyPair {
  a: string;
  b: string;
  socat: ChildProcess;
  stop(): void;
}

/** Start `socat` with two raw ptys linked as `dir/host` and `dir/peer`; resolves once both exist. */
export async function ptyPair(dir: string): Promise<PtyPair> {
  const a = join(dir, 'host');
  const b = join(dir, 'peer');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  socat.once('exit', endWithThisProcess(socat.pid));
  let spawnError: Error | null = null;
  socat.on('error', (e) => {
    spawnError = e;
  });
  const until = Date.now() + 5000;
  while (!(existsSync(a) && existsSync(b))) {
    if (spawnError) throw new Error(`cannot start socat for a pty pair: ${(spawnError as Error).message} (install socat: apt-get install socat)`);
    if (Date.now() > until) {
      socat.kill('SIGKILL');
      throw new Error('socat did not create the pty pair within 5 s');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { a, b, socat, stop: () => socat.kill('SIGKILL') };
}
