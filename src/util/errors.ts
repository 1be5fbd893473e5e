/**
 * An error caused by what the user gave us (a file, a flag, a port). The CLI prints its message as
 * one line and exits non-zero; anything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

export function fail(message: string): never {
  throw new UserError(message);
}
