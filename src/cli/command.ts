import type { Flags, RawOptions } from '../app/options.js';

/**
 * One CLI command: its flags, a run that returns a plain result object (printed as JSON with
 * --json), and a renderer of that result for people.
 */
export interface Command<R> {
  name: string;
  usage: string;
  summary: string;
  /** More text for `--help`, after the usage line (what the levels or modes mean). */
  details?: string;
  flags: Flags;
  run(positionals: string[], options: RawOptions): Promise<R>;
  render(result: R): string;
  /** The exit code after the result is printed; 0 when not given (bad input throws UserError: 2). */
  exitCode?(result: R): number;
}

export function defineCommand<R>(command: Command<R>): Command<R> {
  return command;
}
