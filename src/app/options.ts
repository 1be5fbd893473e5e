import type { ParseArgsConfig } from 'node:util';
import { UserError } from '../util/errors.js';

/** A command's flags, as parseArgs takes them. */
export type Flags = NonNullable<ParseArgsConfig['options']>;

/** Flag values as parseArgs gives them. */
export type RawOptions = Record<string, string | boolean | undefined>;

export function intOption(options: RawOptions, name: string, fallback: number, min?: number): number;
export function intOption(options: RawOptions, name: string, fallback: null, min?: number): number | null;
export function intOption(options: RawOptions, name: string, fallback: number | null, min = 1): number | null {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim()) || value < min) {
    throw new UserError(`--${name}: expected an integer >= ${min}, got '${raw}'`);
  }
  return value;
}

export function numberOption(options: RawOptions, name: string, fallback: number, { positive = true } = {}): number {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || (positive && value <= 0)) {
    throw new UserError(`--${name}: expected a ${positive ? 'positive ' : ''}number, got '${raw}'`);
  }
  return value;
}

export function stringOption(options: RawOptions, name: string): string | undefined {
  const raw = options[name];
  return typeof raw === 'string' ? raw : undefined;
}

export function choiceOption<T extends string>(options: RawOptions, name: string, choices: readonly T[], fallback: T): T {
  const raw = options[name];
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) throw new UserError(`--${name}: expected ${choices.join(' or ')}, got '${raw}'`);
  return raw as T;
}

export function intListOption(options: RawOptions, name: string): number[] | undefined {
  const raw = stringOption(options, name);
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((v) => v.trim());
  if (values.some((v) => !/^\d+$/.test(v) || Number(v) < 1)) {
    throw new UserError(`--${name}: expected a comma-separated list of positive integers, got '${raw}'`);
  }
  return values.map(Number);
}

/** What --pipeline gives: 'auto' (registers placed by timing) or P (registers every P layers). */
export type PipelineChoice = number | 'auto';

/**
 * --pipeline auto|P and --head-pipeline N (default auto): --head-pipeline only with a fixed P, as
 * auto chooses the head's cuts too.
 */
export function pipelineOptions(options: RawOptions, fallback: PipelineChoice = 'auto'): { pipeline: PipelineChoice; headCuts: number } {
  const raw = options['pipeline'];
  const pipeline = raw === 'auto' ? 'auto' : raw === undefined ? fallback : intOption(options, 'pipeline', 0, 0);
  if (pipeline === 'auto' && options['head-pipeline'] !== undefined) throw new UserError(`--head-pipeline: only with a fixed --pipeline P (--pipeline auto chooses the head's cuts as well), got --head-pipeline ${options['head-pipeline']} with --pipeline auto`);
  return { pipeline, headCuts: intOption(options, 'head-pipeline', 0, 0) };
}
