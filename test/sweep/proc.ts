import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../helpers.js';

/** A gatebench process whose stderr lines the test can wait for. */
export class Proc {
  readonly child: ChildProcess;
  private text = '';
  private waiters: { re: RegExp; count: number; resolve: (line: string) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stdout!.resume();
    this.child.stderr!.on('data', (d: Buffer) => {
      this.text += d.toString();
      this.check();
    });
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  get stderr(): string {
    return this.text;
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      const line = this.text.split('\n').filter((l) => w.re.test(l))[w.count - 1];
      if (line !== undefined) w.resolve(line);
      return line === undefined;
    });
  }

  /** The `count`th stderr line matching `re` (now or later); fails the test if the process ends first. */
  line(re: RegExp, count = 1): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ re, count, resolve });
      this.check();
      void this.exited.then((code) => {
        if (this.waiters.some((w) => w.re === re)) reject(new Error(`process ended (${code}) before a line matching ${re}:\n${this.text.slice(-3000)}`));
      });
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
