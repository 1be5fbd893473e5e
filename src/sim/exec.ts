import { execa } from 'execa';

/** A planned external command: shown, hashed and tested without spawning. */
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

function tail(text: string, lines = 25): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-lines).join('\n');
}

/** Run one tool with an argument array (never a shell string); throws ToolError on failure. */
export async function runTool(command: ToolCommand, options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<ToolResult> {
  const started = performance.now();
  const result = await execa(command.tool, command.argv, {
    cwd: command.cwd,
    reject: false,
    all: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 30 * 60 * 1000,
    env: options.env,
    maxBuffer: 256 * 1024 * 1024,
  });
  const durationMs = performance.now() - started;
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if (result.failed) {
    const spawnMessage = result.exitCode === undefined && !result.timedOut && !result.signal ? `${(result as { shortMessage?: string }).shortMessage ?? ''}\n` : '';
    throw new ToolError(command, result.exitCode, result.signal, result.timedOut, durationMs, spawnMessage + tail(stderr + "\n" + stdout));
  }
  return { command, stdout, stderr, durationMs };
}
