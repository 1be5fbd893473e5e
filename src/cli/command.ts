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
  /**
   * Why a result that was printed is still a failure (e.g. every cell of a sweep failed): the CLI
   * prints it as one line after the result and exits 1. Null or absent: success.
   */
  failure?(result: R): string | null;
}

export function defineCommand<R>(command: Command<R>): Command<R> {
  return command;
}
