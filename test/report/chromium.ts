/**
 * A real headless Chromium driven over the Chrome DevTools protocol on --remote-debugging-pipe:
 * Chromium reads commands from its fd 3 and writes answers and events to its fd 4, each message
 * JSON ended by a NUL byte. No websocket, no port, no browser download (Debian's /usr/bin/chromium).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { tempDir } from '../helpers.js';

/** Debian's chromium (scripts/setup installs it); GATEBENCH_CHROMIUM names another build. */
export const CHROMIUM = process.env['GATEBENCH_CHROMIUM'] ?? '/usr/bin/chromium';

/** Generous: a cold Chromium start on a loaded 2-core machine can take tens of seconds. */
const COMMAND_TIMEOUT_MS = 90_000;
const EXIT_GRACE_MS = 5_000;

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  method: string;
}

interface CdpMessage {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string; code: number };
}

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(message: CdpMessage) => void>();
  private buffered = '';
  private stderrTail = '';
  private exited = false;
  private exitReason = '';
  /** Resolves once the process has exited or never started. */
  private readonly ended: Promise<void>;

  private constructor(private readonly child: ChildProcess, private readonly profileDir: string) {
    this.ended = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    const fromBrowser = child.stdio[4] as Readable;
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk: string) => this.receive(chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    // A write after Chromium died fails with EPIPE; the exit below says why, with its stderr.
    (child.stdio[3] as Writable).on('error', () => undefined);
    child.on('exit', (code, signal) => this.gone(`${CHROMIUM} exited (code ${code}, signal ${signal}); stderr tail:\n${this.stderrTail}`));
    child.on('error', (e) => this.gone(`${CHROMIUM}: cannot start (${e.message}); set GATEBENCH_CHROMIUM to another Chromium`));
  }

  /** Start a headless Chromium with a fresh profile and wait until it answers. */
  static async launch(): Promise<Chromium> {
    const profileDir = tempDir('gatebench-chromium-');
    const args = [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-extensions', '--mute-audio', '--remote-debugging-pipe',
      `--user-data-dir=${profileDir}`, 'about:blank',
    ];
    // Its own process group, so closing kills the renderer and helper processes with it.
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true });
    const browser = new Chromium(child, profileDir);
    try {
      await browser.send('Browser.getVersion');
    } catch (e) {
      await browser.close();
      throw e;
    }
    return browser;
  }

  /** Send one command (to a page when sessionId is given) and wait for its answer. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error(this.exitReason));
    const id = this.nextId++;
    const toBrowser = this.child.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer from ${CHROMIUM} in ${COMMAND_TIMEOUT_MS / 1000} s; stderr tail:\n${this.stderrTail}`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, {
        method,
        resolve: (result) => { clearTimeout(timer); resolve(result); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** The next event `method` of the session (registered before the command that causes it is sent). */
  nextEvent(method: string, sessionId: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`${method}: no event from ${CHROMIUM} in ${COMMAND_TIMEOUT_MS / 1000} s`));
      }, COMMAND_TIMEOUT_MS);
      const listener = (message: CdpMessage): void => {
        if (message.method !== method || message.sessionId !== sessionId) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(message.params ?? {});
      };
      this.listeners.add(listener);
    });
  }

  /** Every event of the session, until the returned function is called. */
  onEvents(sessionId: string, handle: (method: string, params: Record<string, unknown>) => void): () => void {
    const listener = (message: CdpMessage): void => {
      if (message.method && message.sessionId === sessionId) handle(message.method, message.params ?? {});
    };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new page (tab): its target id (to close it) and the session to drive it. */
  async newPage(): Promise<{ targetId: string; session: string }> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    return { targetId: targetId as string, session: sessionId as string };
  }

  /** Ask Chromium to quit, kill its process group if it has not after a grace period, remove the profile. */
  async close(): Promise<void> {
    if (!this.exited) {
      this.send('Browser.close').catch(() => undefined);
      const quit = await Promise.race([this.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), EXIT_GRACE_MS))]);
      if (!quit) this.killGroup();
      await this.ended;
    }
    // Helper processes (renderer, GPU, zygote) may outlive the browser by a moment.
    this.killGroup();
    rmSync(this.profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }

  private killGroup(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // ESRCH: no process left in the group.
    }
  }

  private gone(reason: string): void {
    if (this.exited) return;
    this.exited = true;
    this.exitReason = reason;
    this.failAll(new Error(reason));
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let end: number;
    while ((end = this.buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffered.slice(0, end)) as CdpMessage;
      this.buffered = this.buffered.slice(end + 1);
      if (message.id !== undefined) {
        const pending = this.pending.get(message.id);
        if (!pending) continue;
        this.pending.delete(message.id);
        if (message.error) pending.reject(new Error(`${pending.method}: ${message.error.message}`));
        else pending.resolve(message.result ?? {});
      } else {
        for (const listener of [...this.listeners]) listener(message);
      }
    }
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
