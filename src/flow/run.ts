import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { resolveTool, ToolNotFoundError, type ResolvedTool, type ToolName } from './tools.js';

/**
 * One command of the flow, planned but not run: the tool, its arguments (paths relative to the
 * stage's working directory), and the files it reads and writes there. Planning is pure, so a plan
 * can be shown, tested and hashed without spawning anything.
 */
export interface CommandPlan {
  readonly stage: string;
  readonly tool: ToolName;
  readonly argv: readonly string[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Save the tool's stdout to this file (for tools that write their result to stdout). */
  readonly stdoutFile?: string;
}

/** What happened when a plan ran; success and failure have the same shape. */
export interface StageRun {
  readonly stage: string;
  readonly tool: ToolName;
  readonly origin: 'native' | 'yowasp' | null;
  readonly version: string | null;
  /** The full command line as run. */
  readonly command: readonly string[];
  readonly cwd: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly failed: boolean;
  readonly durationMs: number;
  /** Full combined output is in this file (relative to cwd). */
  readonly logFile: string;
  readonly stdoutTail: string;
  readonly stderrTail: string;
  /** One line on what failed, or null. */
  readonly error: string | null;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const TAIL_LINES = 40;

/**
 * Process groups of running tools. Tools run detached (their own group) so a timeout can end a
 * tool and everything it started; these handlers make sure Ctrl-C or an exit of gatebench still
 * ends them, as a non-detached child would be.
 */
const liveGroups = new Set<number>();
const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killGroups(signal: NodeJS.Signals): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
}

function onExitSignal(signal: NodeJS.Signals): void {
  killGroups('SIGTERM');
  for (const s of EXIT_SIGNALS) process.removeListener(s, onExitSignal);
  process.removeListener('exit', onExit);
  process.kill(process.pid, signal);
}

function onExit(): void {
  killGroups('SIGKILL');
}

function track(pid: number | undefined): () => void {
  if (pid === undefined) return () => {};
  if (liveGroups.size === 0) {
    for (const s of EXIT_SIGNALS) process.on(s, onExitSignal);
    process.on('exit', onExit);
  }
  liveGroups.add(pid);
  return () => {
    liveGroups.delete(pid);
    if (liveGroups.size === 0) {
      for (const s of EXIT_SIGNALS) process.removeListener(s, onExitSignal);
      process.removeListener('exit', onExit);
    }
  };
}

export function tail(text: string, lines = TAIL_LINES): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/** Quote an argv for display (never for a shell). */
export function showCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Run one plan in `cwd` with execa (argument array, no shell). Never throws for a tool failure:
 * the exit code, signal, timeout and the output tails come back in the StageRun, and the whole
 * log is written to `<stage>.log` in cwd.
 */
export async function runPlan(plan: CommandPlan, cwd: string, options: RunOptions = {}): Promise<StageRun> {
  mkdirSync(cwd, { recursive: true });
  const logFile = `${plan.stage}.log`;
  let tool: ResolvedTool;
  try {
    tool = await resolveTool(plan.tool);
  } catch (e) {
    if (!(e instanceof ToolNotFoundError)) throw e;
    writeFileSync(join(cwd, logFile), `${e.message}\n`);
    return {
      stage: plan.stage,
      tool: plan.tool,
      origin: null,
      version: null,
      command: [plan.tool, ...plan.argv],
      cwd,
      exitCode: null,
      signal: null,
      timedOut: false,
      failed: true,
      durationMs: 0,
      logFile,
      stdoutTail: '',
      stderrTail: e.message,
      error: e.message,
    };
  }
  const command = [tool.command, ...tool.prefixArgs, ...plan.argv];
  const started = performance.now();
  // The tool runs in its own process group so a timeout or cancel also ends anything it started
  // (a shell wrapper's children would otherwise keep the output pipes open).
  const subprocess = execa(tool.command, [...tool.prefixArgs, ...plan.argv], {
    cwd,
    reject: false,
    all: true,
    stdin: 'ignore',
    detached: true,
    maxBuffer: 256 * 1024 * 1024,
  });
  const untrack = track(subprocess.pid);
  let timedOut = false;
  let canceled = false;
  const killGroup = (): void => {
    const pid = subprocess.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 2000).unref();
  };
  const timer = options.timeoutMs ? setTimeout(() => ((timedOut = true), killGroup()), options.timeoutMs) : null;
  const onAbort = (): void => {
    canceled = true;
    killGroup();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const r = await subprocess;
  untrack();
  if (timer) clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  const durationMs = performance.now() - started;
  if (plan.stdoutFile) writeFileSync(join(cwd, plan.stdoutFile), String(r.stdout ?? ''));
  writeFileSync(join(cwd, logFile), `$ ${showCommand(command)}\n${plan.stdoutFile ? String(r.stderr ?? '') : (r.all ?? '')}\n`);
  const stderrTail = tail(String(r.stderr ?? ''));
  const failed = r.failed || timedOut || canceled;
  let error: string | null = null;
  if (failed) {
    const why = timedOut ? `timed out after ${options.timeoutMs} ms` : canceled ? 'was cancelled' : r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
    const lastLine = (stderrTail || tail(String(r.stdout ?? ''), 1)).split('\n').filter((l) => l.trim()).pop() ?? '';
    error = `${plan.tool} ${why}${lastLine ? `: ${lastLine.trim()}` : ''}`;
  }
  return {
    stage: plan.stage,
    tool: plan.tool,
    origin: tool.origin,
    version: tool.version,
    command,
    cwd,
    exitCode: r.exitCode ?? null,
    signal: r.signal ?? null,
    timedOut,
    failed,
    durationMs,
    logFile,
    stdoutTail: plan.stdoutFile ? '' : tail(String(r.stdout ?? '')),
    stderrTail,
    error,
  };
}
