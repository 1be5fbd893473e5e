import { hostname } from 'node:os';
import { listBoards, loadBoard } from '../board/index.js';
import { parseMonitorSpec } from '../power/monitor.js';
import type { BoardOffer } from '../sweep/queueWorker.js';
import { parseQueueUrl, type QueueTarget } from '../sweep/redis.js';
import { UserError } from '../util/errors.js';
import { intOption, numberOption, stringOption, type RawOptions } from './options.js';

export const QUEUE_USAGE = '--queue redis://[user:pass@]HOST:PORT[/DB]';

/** `--queue URL` (required by the worker and workers commands; optional for sweep: the local pool). */
export function queueFromOptions(options: RawOptions): QueueTarget | null {
  const raw = stringOption(options, 'queue');
  return raw === undefined ? null : parseQueueUrl('--queue', raw);
}

export function requireQueue(options: RawOptions): QueueTarget {
  const target = queueFromOptions(options);
  if (!target) throw new UserError(`--queue: required, e.g. ${QUEUE_USAGE.slice('--queue '.length)}`);
  return target;
}

function knownBoard(flag: string, name: string): string {
  try {
    return loadBoard(name).name;
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`${flag} ${name}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * `--board NAME[@PORT]` (a physical board, its UART if not found by itself) and
 * `--board virtual[:BOARD]` (the virtual board standing in for BOARD; every board without one).
 */
export function parseBoardOffers(raw: readonly string[]): BoardOffer[] {
  return raw.flatMap((text): BoardOffer[] => {
    const virtual = /^virtual(?::(.+))?$/.exec(text);
    if (virtual) return virtual[1] ? [{ board: knownBoard('--board', virtual[1]), virtual: true }] : listBoards().map((b) => ({ board: b.name, virtual: true }));
    const at = text.indexOf('@');
    const name = at < 0 ? text : text.slice(0, at);
    const port = at < 0 ? '' : text.slice(at + 1);
    if (name === '' || (at >= 0 && port === '')) throw new UserError(`--board: expected NAME[@PORT] or virtual[:BOARD], got '${text}'`);
    return [{ board: knownBoard('--board', name), virtual: false, ...(port ? { port } : {}) }];
  });
}

/** What `gatebench worker` flags ask for, checked before connecting. */
export function queueWorkerSettings(options: RawOptions, boards: readonly string[]) {
  const target = requireQueue(options);
  const offers = parseBoardOffers(boards);
  const train = options['train'] === true;
  const builds = options['builds'] === true;
  if (!train && !builds && offers.length === 0) throw new UserError('worker: nothing to do; give --train, --builds and/or --board NAME[@PORT] / --board virtual[:BOARD]');
  const power = stringOption(options, 'power') ?? null;
  if (power !== null && power !== 'virtual') parseMonitorSpec(power);
  return {
    target,
    boards: offers,
    train,
    builds,
    power,
    jobs: intOption(options, 'jobs', 1),
    name: stringOption(options, 'name') ?? `${hostname()}-${process.pid}`,
    lockMs: Math.round(numberOption(options, 'lock-seconds', 30) * 1000),
  };
}
