import { UserError } from './errors.js';

/**
 * Reads fields out of parsed JSON and says exactly which one is wrong:
 * "model.json: field network.layers[2].a[17] is 9000, expected an integer from 0 to 7999".
 */
export class Fields {
  constructor(
    private readonly source: string,
    private readonly value: unknown,
    private readonly path = '',
  ) {}

  /** Reject this field: '<source>: field <path> is <value>, expected <expected>'. */
  reject(expected: string, value: unknown = this.value): never {
    // JSON has no Infinity: a literal like 1e400 parses to it, and JSON.stringify would say null.
    const json = typeof value === 'number' && !Number.isFinite(value) ? `${value} (out of range)` : (JSON.stringify(value) ?? String(value));
    const shown = value === undefined ? 'missing' : json.length > 40 ? `${json.slice(0, 37)}...` : json;
    throw new UserError(`${this.source}: field ${this.path || '(top level)'} is ${shown}, expected ${expected}`);
  }

  field(name: string): Fields {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) this.reject('an object');
    return new Fields(this.source, (this.value as Record<string, unknown>)[name], this.path ? `${this.path}.${name}` : name);
  }

  /** Whether the field is present and not null. */
  has(name: string): boolean {
    const v = typeof this.value === 'object' && this.value !== null ? (this.value as Record<string, unknown>)[name] : undefined;
    return v !== undefined && v !== null;
  }

  items(): Fields[] {
    if (!Array.isArray(this.value)) this.reject('an array');
    return this.value.map((v, i) => new Fields(this.source, v, `${this.path}[${i}]`));
  }

  string(): string {
    if (typeof this.value !== 'string') this.reject('a string');
    return this.value;
  }

  literal<T extends string | number>(...allowed: T[]): T {
    if (!allowed.includes(this.value as T)) this.reject(allowed.map((a) => JSON.stringify(a)).join(' or '));
    return this.value as T;
  }

  oneOf<T extends string>(allowed: readonly T[]): T {
    return this.literal(...allowed);
  }

  number(): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) this.reject('a number');
    return this.value;
  }

  /** A finite number that `ok` accepts, described by `expected` ("a positive number"). */
  numberWhere(ok: (v: number) => boolean, expected: string): number {
    const v = this.value;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) this.reject(expected);
    return v;
  }

  int(min = -Infinity, max = Infinity): number {
    const v = this.value;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.reject(`an integer${Number.isFinite(min) ? ` from ${min}` : ''}${Number.isFinite(max) ? ` to ${max}` : ''}`);
    }
    return v;
  }

  /** An array of integers in [min, max], checked without building a Fields per element. */
  intArray(min: number, max: number, length?: number): Int32Array {
    if (!Array.isArray(this.value)) this.reject('an array of integers');
    const values = this.value as unknown[];
    if (length !== undefined && values.length !== length) this.reject(`an array of ${length} integers`, `an array of ${values.length}`);
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        new Fields(this.source, v, `${this.path}[${i}]`).int(min, max);
      }
      out[i] = v as number;
    }
    return out;
  }

  numberArray(): number[] {
    return this.items().map((f) => f.number());
  }

  optional<T>(name: string, read: (f: Fields) => T): T | null {
    return this.has(name) ? read(this.field(name)) : null;
  }
}
