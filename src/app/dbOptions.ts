import { stringOption, type Flags, type RawOptions } from './options.js';

/** Where results go unless --db says otherwise: the current directory. */
export const DEFAULT_DB = './gatebench.db';

/** The flag of every command that stores results: spread it into the command's flags. */
export const DB_FLAG = { db: { type: 'string' } } as const satisfies Flags;

export const DB_USAGE = '[--db PATH]';

export function dbPathFromOptions(options: RawOptions): string {
  return stringOption(options, 'db') ?? DEFAULT_DB;
}
