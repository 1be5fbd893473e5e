/**
 * Sweep wall time: the same 8-cell sweep (2 x 2 x 2 on the virtual iCEstick, tiny widths, few
 * iterations) on the local pool (2 processes), then over the queue with 1 and with 2 workers (each a
 * process doing every stage, each with its own cache), every configuration from empty caches.
 * Prints wall times, the queue's speed-up from 1 to 2 workers, and its overhead per job: enqueue to
 * start (ms) as stored per stage; the minimum is the overhead of an idle worker, the median
 * includes waiting for a free one. Asserts nothing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CLI, tempDir } from '../test/helpers.js';
import { RedisServer } from '../test/sweep/redisServer.js';

const SWEEP = ['--depth', '2,3', '--width', '20,30', '--final-width', '10,same', '--crop', '8', '--iterations', '30', '--vectors', '100', '--board', 'icestick', '--power', 'none'];

function cli(args: string[], cache: string): { done: Promise<number | null>; kill(): void } {
  mkdirSync(cache, { recursive: true });
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, GATEBENCH_CACHE: cache } });
  return { done: new Promise((r) => child.once('exit', r)), kill: () => child.kill('SIGTERM') };
}

async function timed(name: string, run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  console.error(`${name}: ${seconds.toFixed(1)} s`);
  return seconds;
}

function waits(db: string): number[] {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.prepare(`SELECT enqueued_at AS e, started_at AS s FROM sweep_stages WHERE started_at IS NOT NULL`).all() as { e: string; s: string }[];
    return rows.map((r) => Date.parse(r.s) - Date.parse(r.e)).sort((a, b) => a - b);
  } finally {
    d.close();
  }
}

const dir = tempDir('gatebench-bench-sweep-');
const redis = await RedisServer.start();
try {
  const local = await timed('local pool, 2 processes', async () => {
    const code = await cli(['sweep', ...SWEEP, '--jobs', '2', '--db', join(dir, 'local.db'), '--report', join(dir, 'local.html')], join(dir, 'cache-local')).done;
    if (code !== 0) throw new Error(`local sweep exited ${code}`);
  });
  const queued = async (workers: number): Promise<{ seconds: number; waits: number[] }> => {
    await redis.restart();
    const db = join(dir, `queue${workers}.db`);
    const seconds = await timed(`queue, ${workers} worker${workers === 1 ? '' : 's'}`, async () => {
      const ws = Array.from({ length: workers }, (_, i) => cli(['worker', '--queue', redis.url, '--train', '--builds', '--board', 'virtual:icestick', '--name', `w${i + 1}`], join(dir, `cache-q${workers}-w${i + 1}`)));
      const code = await cli(['sweep', ...SWEEP, '--queue', redis.url, '--db', db, '--report', join(dir, `q${workers}.html`)], join(dir, `cache-q${workers}-coordinator`)).done;
      for (const w of ws) w.kill();
      await Promise.all(ws.map((w) => w.done));
      if (code !== 0) throw new Error(`queued sweep exited ${code}`);
    });
    return { seconds, waits: waits(db) };
  };
  const one = await queued(1);
  const two = await queued(2);
  const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)] ?? NaN;
  console.log(`8-cell sweep (2 x 2 x 2, virtual iCEstick), empty caches:`);
  console.log(`  local pool, 2 processes: ${local.toFixed(1)} s`);
  console.log(`  queue, 1 worker:         ${one.seconds.toFixed(1)} s`);
  console.log(`  queue, 2 workers:        ${two.seconds.toFixed(1)} s (speed-up ${(one.seconds / two.seconds).toFixed(2)}x over 1 worker)`);
  for (const [name, r] of [['1 worker', one], ['2 workers', two]] as const) {
    console.log(`  enqueue -> start, ${name}: min ${r.waits[0]} ms, median ${median(r.waits)} ms, max ${r.waits.at(-1)} ms over ${r.waits.length} jobs`);
  }
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
