import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { UserError } from '../util/errors.js';

/** Where a distributed sweep's queues live: ioredis options plus the URL without its password, for messages. */
export interface QueueTarget {
  readonly options: RedisOptions;
  /** The URL as given, password replaced by '***'. */
  readonly shown: string;
}

/** BullMQ's keys (queues, jobs) and ours (artifacts, worker heartbeats) share this prefix. */
export const KEY_PREFIX = 'gatebench';
/** How long a first connection may take before the command gives up (an unreachable host). */
const CONNECT_TIMEOUT_MS = 3000;

/**
 * `--queue redis://[user:pass@]HOST:PORT[/DB]` or `rediss://...` (TLS) as ioredis options.
 * Refused in one line naming the flag when it is anything else.
 */
export function parseQueueUrl(flag: string, raw: string): QueueTarget {
  const expected = `expected redis://[user:pass@]HOST:PORT[/DB] or rediss://...`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`${flag}: ${expected}, got '${raw}'`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UserError(`${flag}: ${expected}, got '${raw}'`);
  if (!url.hostname) throw new UserError(`${flag}: no host in '${raw}', ${expected}`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbPath = url.pathname.replace(/^\//, '');
  const db = dbPath === '' ? 0 : Number(dbPath);
  if (!Number.isInteger(db) || db < 0) throw new UserError(`${flag}: database '${dbPath}' in '${raw}' is not a number, ${expected}`);
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const shownUrl = new URL(raw);
  if (shownUrl.password) shownUrl.password = '***';
  return {
    options: {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port,
      db,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    shown: shownUrl.toString(),
  };
}

/**
 * Options for BullMQ's own connections: they reconnect for ever (a Redis restarted mid-sweep comes
 * back), and never give up on a command while offline (BullMQ's blocking calls require it).
 */
export function lastingConnection(target: QueueTarget): ConnectionOptions {
  // BullMQ declares its own structural copy of ioredis' options; ours are ioredis' own.
  return { ...target.options, maxRetriesPerRequest: null, enableReadyCheck: true } as ConnectionOptions;
}

/**
 * A connection that has answered PING, for the coordinator's and workers' own commands. Made once
 * at start without retries, so a wrong password or an unreachable Redis is one line (exit 2) within
 * seconds instead of a silent retry loop; after that it reconnects like BullMQ's.
 */
export async function connectQueue(flag: string, target: QueueTarget): Promise<Redis> {
  const client = new Redis({ ...target.options, lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // connect() rejects with "Connection is closed"; the cause (refused, timed out) comes as an error event.
  let cause: unknown = null;
  client.on('error', (e: unknown) => (cause ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    const why = cause ?? e;
    throw new UserError(`${flag} ${target.shown}: ${connectionProblem(why)}`, { cause: why });
  }
  client.options.retryStrategy = (times: number) => Math.min(200 * times, 2000);
  client.options.maxRetriesPerRequest = null;
  return client;
}

/** What went wrong connecting, from the error's code (network) or Redis's error prefix (auth). */
function connectionProblem(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const message = err.message ?? String(e);
  const prefix = /^([A-Z]+)\b/.exec(message)?.[1];
  if (prefix === 'WRONGPASS' || prefix === 'NOAUTH' || prefix === 'NOPERM') return `Redis refused the credentials (${message.split('\n')[0]}); check user and password in the URL`;
  if (err.code === 'ECONNREFUSED') return 'connection refused: is redis-server running there?';
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'unknown host';
  if (/Unknown RESP type/.test(message)) return 'something answered that is not Redis';
  if (err.code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (unreachable host or port)`;
  return `cannot connect: ${message.split('\n')[0]}`;
}
