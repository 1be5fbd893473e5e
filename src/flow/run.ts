import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { processGroupCpuMs } from './cpuTime.js';
import { resolveTool, ToolNotFoundError, type ResolvedTool, type ToolName, type ToolOrigin } from './tools.js';
import { endWithThisProcess } from '../util/reaper.js';
import { UserError } from '../util/errors.js';

/**
 * One command of the flow, planned but not run: the tool, its arguments (paths relative to the
 * stage's working directory), and the files it reads and writes there. Planning is pure, so a plan
 * can be shown, tested and hashed without spawning anything.
 */
export interface CommandPlan {
  readonly stage: string;
  /** A ToolName, or the path of a program gatebench built (a simulator). */
  readonly tool: ToolName | (string & {});
  readonly argv: readonly string[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Save the tool's stdout to this file (for tools that write their result to stdout). */
  readonly stdoutFile?: string;
  /** The oldest version of the tool this stage can use (see resolveTool): an older native build is passed over. */
  readonly minVersion?: string;
}

/** What happened when a plan ran; success and failure have the same shape. */
export interface StageRun {
  readonly stage: string;
  readonly tool: string;
  readonly origin: ToolOrigin | null;
  readonly version: string | null;
  /** The full command line as run. */
  readonly command: readonly string[];
  readonly cwd: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** Stopped because it used up RunOptions.cpuBudgetMs. */
  readonly outOfBudget: boolean;
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
  /**
   * Stop the tool once its processes have used this much CPU time (checked at least twice a second): the
   * same work on a loaded machine as on an idle one. Where /proc cannot tell, wall-clock time.
   */
  readonly cpuBudgetMs?: number;
  readonly signal?: AbortSignal;
  /** Extra environment variables for the tool. */
  readonly env?: Readonly<Record<string, string>>;
}

const TAIL_LINES = 40;

/**
 * Process groups of running tools. Tools run detached (their own group) so a timeout can end a
 * tool and everything it started; these handlers make sure Ctrl-C or an exit of gatebench still
 * ends them, as a non-detached child would be, and the reaper ends them after a kill -9.
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
  const unwatch = endWithThisProcess(pid, { group: true });
  return () => {
    unwatch();
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

/** What one execution produced, in full (runPlan keeps tails and a log file; runTool returns it). */
interface Execution {
  readonly tool: ResolvedTool;
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly outOfBudget: boolean;
  readonly canceled: boolean;
  readonly failed: boolean;
  readonly durationMs: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved as they came. */
  readonly all: string;
  /** Why the live log stopped growing, if it did. */
  readonly liveLogError: Error | null;
}

/**
 * The one place gatebench starts an external program: execa with an argument array (never a
 * shell), in its own process group so a timeout or cancel also ends anything it started (a shell
 * wrapper's children would otherwise keep the output pipes open). Never throws for a tool failure.
 */
async function execute(tool: ResolvedTool, argv: readonly string[], cwd: string, options: RunOptions, live?: { file: string; stream: 'all' | 'stderr' }): Promise<Execution> {
  const command = [tool.command, ...tool.prefixArgs, ...argv];
  const started = performance.now();
  const subprocess = execa(tool.command, [...tool.prefixArgs, ...argv], {
    cwd,
    reject: false,
    all: true,
    stdin: 'ignore',
    detached: true,
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
    ...(options.env ? { env: options.env } : {}),
  });
  const untrack = track(subprocess.pid);
  // The log grows as the tool prints (an hour of routing can be followed with tail -f), not only at its end.
  // A failed append (the work folder deleted under the tool) stops the live copy and is reported
  // when the tool ends: thrown from a stream handler it would end gatebench with no result.
  let liveLogError: Error | null = null;
  if (live) {
    (live.stream === 'all' ? subprocess.all : subprocess.stderr)?.on('data', (chunk: Buffer) => {
      if (liveLogError) return;
      try {
        appendFileSync(live.file, chunk);
      } catch (error) {
        liveLogError = error as Error;
      }
    });
  }
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
  let outOfBudget = false;
  const budget = options.cpuBudgetMs;
  // /proc counts in 10 ms ticks; a tiny budget is checked often enough to stop a tool that starts.
  const budgetCheck = budget === undefined || subprocess.pid === undefined ? null : setInterval(() => {
    const used = processGroupCpuMs(subprocess.pid!) ?? performance.now() - started;
    if (used >= budget && !outOfBudget) {
      outOfBudget = true;
      killGroup();
    }
  }, Math.min(500, Math.max(5, budget)));
  const onAbort = (): void => {
    canceled = true;
    killGroup();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const r = await subprocess;
  untrack();
  if (timer) clearTimeout(timer);
  if (budgetCheck) clearInterval(budgetCheck);
  options.signal?.removeEventListener('abort', onAbort);
  // A tool that finished on its own just as the check fired was not stopped by the budget.
  const stoppedByBudget = outOfBudget && r.failed;
  const spawnError = r.failed && r.exitCode === undefined && !r.signal && !timedOut && !stoppedByBudget && !canceled ? `${r.shortMessage ?? ''}\n` : '';
  return {
    tool,
    command,
    exitCode: r.exitCode ?? null,
    signal: r.signal ?? null,
    timedOut,
    outOfBudget: stoppedByBudget,
    canceled,
    failed: r.failed || timedOut || canceled,
    durationMs: performance.now() - started,
    stdout: String(r.stdout ?? ''),
    stderr: spawnError + String(r.stderr ?? ''),
    all: spawnError + String(r.all ?? ''),
    liveLogError,
  };
}

function failure(tool: string, e: Execution, options: RunOptions): string {
  const why = e.timedOut ? `timed out after ${options.timeoutMs} ms` : e.outOfBudget ? `used up its CPU budget of ${options.cpuBudgetMs} ms` : e.canceled ? 'was cancelled' : e.signal ? `was killed by ${e.signal}` : e.exitCode === null ? 'could not start' : `exited with code ${e.exitCode}`;
  const lastLine = (tail(e.stderr) || tail(e.stdout, 1)).split('\n').filter((l) => l.trim()).pop() ?? '';
  return `${tool} ${why}${lastLine ? `: ${lastLine.trim()}` : ''}`;
}

/**
 * Run one plan in `cwd`. Never throws for a tool failure: the exit code, signal, timeout and the
 * output tails come back in the StageRun, and the whole log is written to `<stage>.log` in cwd.
 */
export async function runPlan(plan: CommandPlan, cwd: string, options: RunOptions = {}): Promise<StageRun> {
  mkdirSync(cwd, { recursive: true });
  const logFile = `${plan.stage}.log`;
  let tool: ResolvedTool;
  try {
    tool = await resolveTool(plan.tool, plan.minVersion);
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
      outOfBudget: false,
      failed: true,
      durationMs: 0,
      logFile,
      stdoutTail: '',
      stderrTail: e.message,
      error: e.message,
    };
  }
  return runPlanWith(tool, plan, cwd, options);
}

/**
 * Run one plan with a tool already resolved (doctor: a YoWASP build while a native one is on
 * PATH); otherwise as runPlan.
 */
export async function runPlanWith(tool: ResolvedTool, plan: CommandPlan, cwd: string, options: RunOptions = {}): Promise<StageRun> {
  mkdirSync(cwd, { recursive: true });
  const logFile = `${plan.stage}.log`;
  const logPath = join(cwd, logFile);
  writeFileSync(logPath, `$ ${showCommand([tool.command, ...tool.prefixArgs, ...plan.argv])}\n`);
  const e = await execute(tool, plan.argv, cwd, options, { file: logPath, stream: plan.stdoutFile ? 'stderr' : 'all' });
  if (!existsSync(cwd)) throw new UserError(`${plan.tool}: its work folder ${cwd} was removed while it ran (a cache folder deleted under a running build?); nothing of this run was kept`);
  if (e.liveLogError) throw e.liveLogError;
  if (plan.stdoutFile) writeFileSync(join(cwd, plan.stdoutFile), e.stdout);
  // Written again whole: the same text, plus what execute() adds (a spawn error) and the final newline.
  writeFileSync(logPath, `$ ${showCommand(e.command)}\n${plan.stdoutFile ? e.stderr : e.all}\n`);
  return {
    stage: plan.stage,
    tool: plan.tool,
    origin: tool.origin,
    version: tool.version,
    command: e.command,
    cwd,
    exitCode: e.exitCode,
    signal: e.signal,
    timedOut: e.timedOut,
    outOfBudget: e.outOfBudget,
    failed: e.failed,
    durationMs: e.durationMs,
    logFile,
    stdoutTail: plan.stdoutFile ? '' : tail(e.stdout),
    stderrTail: tail(e.stderr),
    error: e.failed ? failure(plan.tool, e, options) : null,
  };
}

/** A command to run where its output is wanted in full (a simulator, a compiler): tool, argv, cwd. */
export interface ToolCommand {
  tool: string;
  argv: string[];
  cwd: string;
}

export interface ToolResult {
  command: ToolCommand;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** A tool that failed: what ran, where, how it ended, and the tail of what it said. */
export class ToolError extends Error {
  constructor(
    readonly command: ToolCommand,
    readonly exitCode: number | undefined,
    readonly signal: string | undefined,
    readonly timedOut: boolean,
    readonly durationMs: number,
    readonly outputTail: string,
    options?: { cause?: unknown },
  ) {
    const how = timedOut ? 'timed out' : signal ? `was killed by ${signal}` : exitCode === undefined ? 'could not start' : `failed with exit code ${exitCode}`;
    super(`${command.tool} ${how}: ${[command.tool, ...command.argv].join(' ').slice(0, 400)}\n${outputTail}`, options);
    this.name = 'ToolError';
  }
}

/**
 * Run one command through the same launcher as runPlan, but return its whole stdout and stderr
 * and throw ToolError on failure (for steps whose failure is a bug or a broken install, not a
 * result: compiling a simulator, running it). Default time limit 30 minutes.
 */
export async function runTool(command: ToolCommand, options: RunOptions = {}): Promise<ToolResult> {
  const tool = await resolveTool(command.tool);
  const e = await execute(tool, command.argv, command.cwd, { timeoutMs: 30 * 60 * 1000, ...options });
  if (e.failed) throw new ToolError(command, e.exitCode ?? undefined, e.signal ?? undefined, e.timedOut, e.durationMs, tail(e.stderr + '\n' + e.stdout, 25));
  return { command, stdout: e.stdout, stderr: e.stderr, durationMs: e.durationMs };
}
