import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { EncodedSet } from '../../src/data/encoding.js';
import { frameBytes } from '../../src/link/frame.js';
import { Link, type LinkOptions } from '../../src/link/link.js';
import { openSerialPort } from '../../src/link/port.js';
import { inferAnswerBytes, inferRequestBytes, type Geometry } from '../../src/link/protocol.js';
import { streamInfer, StreamError, type StreamAnswers } from '../../src/link/stream.js';
import type { DiscreteNetwork } from '../../src/model/network.js';
import { evaluateReference } from '../../src/model/reference.js';
import { Rng } from '../../src/util/rng.js';
import { faultyLink, FaultSchedule, type FaultMix } from './faultProxy.js';
import { ptyPair, SoftDevice } from './softDevice.js';

/** A fault mix for both directions; `dies` cuts one direction at a seeded offset inside the traffic the run needs. */
export interface MixSpec {
  name: string;
  toDevice: FaultMix;
  toHost: FaultMix;
  dies?: 'toDevice' | 'toHost';
}

/** Rates per frame (see FaultMix): up to 50% garbage, with drops and bit flips, both directions. */
export const CAMPAIGN_MIXES: readonly MixSpec[] = [
  { name: 'light', toDevice: { garbage: 0.05, drop: 0.02, flip: 0.02 }, toHost: { garbage: 0.05, drop: 0.02, flip: 0.02 } },
  { name: 'garbage 30% to host', toDevice: {}, toHost: { garbage: 0.3 } },
  { name: 'garbage 50% to host', toDevice: {}, toHost: { garbage: 0.5 } },
  { name: 'flips and drops 20%', toDevice: { drop: 0.1, flip: 0.1 }, toHost: { drop: 0.1, flip: 0.1 } },
  { name: 'garbage 50% both, drops, flips', toDevice: { garbage: 0.5, drop: 0.05, flip: 0.05 }, toHost: { garbage: 0.5, drop: 0.05, flip: 0.05 } },
  { name: 'dies (to host), noisy', toDevice: { garbage: 0.1 }, toHost: { garbage: 0.1, flip: 0.05 }, dies: 'toHost' },
  { name: 'dies (to device), noisy', toDevice: { garbage: 0.1, drop: 0.05 }, toHost: { garbage: 0.1 }, dies: 'toDevice' },
];

/**
 * The link timing scaled to a pty (sub-millisecond round trips). More silent sends before the link
 * is declared dead than the default 8: the soft device stays silent on a request with a bad CRC,
 * where the real one answers ERROR, so under 50% garbage over half of its sends go unheard.
 */
export const CAMPAIGN_LINK: LinkOptions = { initialTimeoutMs: 200, minTimeoutMs: 10, maxBackoffMs: 50, maxTries: 24, stallMs: 500, deadlineMs: 20_000 };

/** What runs behind the proxy: a device that computes `net`, started fresh for each run. */
export interface FaultTarget {
  net: DiscreteNetwork;
  data: EncodedSet;
  g: Geometry;
  start(dir: string): Promise<{ path: string; baud: number; stop(): Promise<void> }>;
}

/** The soft device (test/link/softDevice.ts) on a pty pair: fast, so it carries the many-seed campaign. */
export function softTarget(net: DiscreteNetwork, data: EncodedSet, g: Geometry): FaultTarget {
  return {
    net,
    data,
    g,
    async start(dir) {
      const pair = await ptyPair(mkdtempSync(join(dir, 'device-')));
      const device = await SoftDevice.open(pair.b, net);
      return {
        path: pair.a,
        baud: 115200,
        stop: async () => {
          await device.close().catch(() => undefined);
          pair.stop();
        },
      };
    },
  };
}

export interface FaultRun {
  mix: string;
  seed: number;
  window: number;
  vectors: number;
  /** complete: every vector answered; error: the link failed (clearly: see `clear`); hang: nothing ended the run within the bound. */
  outcome: 'complete' | 'error' | 'hang';
  error: string | null;
  /** The error is a timed-out or disconnected LinkError naming the port, with the answers received kept. */
  clear: boolean;
  answered: number;
  mismatches: number;
  /** Answers counted more than once (an index reported twice, or the link's count and the answers' disagree). */
  countedTwice: number;
  /** Requests left unsettled in the link after the run. */
  unsettled: number;
  faults: number;
  /** Faults the schedules place in the bytes the run had to carry (a lower bound on `faults`, by the seed alone). */
  guaranteedFaults: number;
  retries: number;
  ms: number;
}

export interface FaultCaseOptions {
  vectors: number;
  link?: LinkOptions;
  /** A run still going after this long counts as a hang (and is stopped). */
  boundMs: number;
}

/** One seeded run of `vectors` vectors through a faulty link to a fresh device; checks every answer received. */
export async function runFaultCase(target: FaultTarget, dir: string, mix: MixSpec, seed: number, o: FaultCaseOptions): Promise<FaultRun> {
  const { g, data } = target;
  const rng = new Rng(seed);
  const window = 1 + rng.int(32);
  const units = { toDevice: frameBytes(inferRequestBytes(g)), toHost: frameBytes(inferAnswerBytes(g)) };
  const mixes = { toDevice: { ...mix.toDevice }, toHost: { ...mix.toHost } };
  // Inside the bytes needed for every vector to be answered once: such a run cannot complete.
  if (mix.dies) mixes[mix.dies].cutAt = rng.int(o.vectors * units[mix.dies]);
  const seeds = { toDevice: seed * 2 + 1, toHost: seed * 2 + 2 };
  const device = await target.start(dir);
  const proxy = await faultyLink(
    device.path,
    dir,
    new FaultSchedule(seeds.toDevice, mixes.toDevice, units.toDevice),
    new FaultSchedule(seeds.toHost, mixes.toHost, units.toHost),
    device.baud,
  );
  const link = new Link(await openSerialPort(proxy.hostPath, 115200), { ...o.link, maxPayload: Math.max(64, units.toHost) });
  const reported = new Set<number>();
  let countedTwice = 0;
  const started = performance.now();
  let answers: StreamAnswers | null = null;
  let outcome: FaultRun['outcome'] = 'complete';
  let error: unknown = null;
  let guard: NodeJS.Timeout | undefined;
  const stream = streamInfer(link, data, g, {
    window,
    count: o.vectors,
    onAnswer: (index) => {
      if (reported.has(index)) countedTwice++;
      reported.add(index);
    },
  }).then(
    (a) => {
      answers = a;
    },
    (e: unknown) => {
      if (!(e instanceof StreamError)) throw e;
      outcome = 'error';
      error = e;
      answers = e.answers;
    },
  );
  const timedOut = new Promise<'hang'>((resolve) => (guard = setTimeout(() => resolve('hang'), o.boundMs)));
  if ((await Promise.race([stream, timedOut])) === 'hang') outcome = 'hang';
  clearTimeout(guard);
  const ms = performance.now() - started;
  // Once the stream has ended, each of its requests must have settled.
  const unsettled = link.inFlight;
  await link.close();
  // A hung stream may never settle (a stranded request): record the hang and go on without it.
  if (outcome !== 'hang') await stream;
  else stream.catch(() => undefined);
  await proxy.close();
  await device.stop();

  const a = answers as StreamAnswers | null;
  const ref = evaluateReference(target.net, { ...data, count: o.vectors });
  let answered = 0;
  let mismatches = 0;
  if (a) {
    for (let i = 0; i < o.vectors; i++) {
      if (a.classIdx[i] === -1) continue;
      answered++;
      let same = a.classIdx[i] === ref.predictions[i];
      for (let c = 0; c < g.classes; c++) same &&= a.sums[i * g.classes + c] === ref.sums[i * g.classes + c];
      if (!same) mismatches++;
    }
    // The link's count of accepted answers, the stream's and the slots filled must all agree.
    countedTwice += Math.abs(link.stats.answers - answered) + Math.abs(a.received - answered);
  }
  const e = error as StreamError | null;
  const s = link.stats;
  return {
    mix: mix.name,
    seed,
    window,
    vectors: o.vectors,
    outcome,
    error: e ? e.message : null,
    clear: e !== null && (e.timedOut || e.disconnected) && e.message.includes(proxy.hostPath) && e.answers.received === answered,
    answered,
    mismatches,
    countedTwice,
    unsettled,
    faults: proxy.toDevice.faults + proxy.toHost.faults,
    // Each vector answered was sent and answered at least once: that many frames went through each schedule.
    guaranteedFaults:
      FaultSchedule.faultsBefore(seeds.toDevice, mixes.toDevice, units.toDevice, Math.min(answered * units.toDevice, mixes.toDevice.cutAt ?? Infinity)) +
      FaultSchedule.faultsBefore(seeds.toHost, mixes.toHost, units.toHost, Math.min(answered * units.toHost, mixes.toHost.cutAt ?? Infinity)),
    retries: s.fastRetransmits + s.timeoutRetransmits + s.crcRetransmits,
    ms,
  };
}

/** Every mix over seeds first..first+seedsPerMix-1, `concurrency` runs at a time. */
export async function runCampaign(
  target: FaultTarget,
  dir: string,
  o: FaultCaseOptions & { mixes?: readonly MixSpec[]; seedsPerMix: number; firstSeed?: number; concurrency: number; onRun?: (r: FaultRun) => void },
): Promise<FaultRun[]> {
  const cases = (o.mixes ?? CAMPAIGN_MIXES).flatMap((mix) => Array.from({ length: o.seedsPerMix }, (_, i) => ({ mix, seed: (o.firstSeed ?? 1) + i })));
  const runs: FaultRun[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const r = await runFaultCase(target, dir, c.mix, c.seed, o);
      runs.push(r);
      o.onRun?.(r);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return runs;
}

/** One line per mix: seeds, outcomes, faults injected, retries, time. */
export function summarize(runs: readonly FaultRun[]): string[] {
  const byMix = new Map<string, FaultRun[]>();
  for (const r of runs) byMix.set(r.mix, [...(byMix.get(r.mix) ?? []), r]);
  const sum = (rs: FaultRun[], f: (r: FaultRun) => number): number => rs.reduce((t, r) => t + f(r), 0);
  const lines = [...byMix].map(([mix, rs]) => {
    const count = (outcome: FaultRun['outcome']): number => rs.filter((r) => r.outcome === outcome).length;
    return (
      `${mix.padEnd(32)} ${String(rs.length).padStart(4)} seeds: ${count('complete')} complete, ${count('error')} error (${rs.filter((r) => r.clear).length} clear), ${count('hang')} hang; ` +
      `${sum(rs, (r) => r.answered)}/${sum(rs, (r) => r.vectors)} answered, ${sum(rs, (r) => r.mismatches)} mismatches, ${sum(rs, (r) => r.countedTwice)} counted twice; ` +
      `faults ${sum(rs, (r) => r.faults)}, retries ${sum(rs, (r) => r.retries)}; longest run ${(Math.max(...rs.map((r) => r.ms)) / 1000).toFixed(2)} s`
    );
  });
  const total = runs.length;
  lines.push(
    `${'all'.padEnd(32)} ${String(total).padStart(4)} seeds: ${runs.filter((r) => r.outcome === 'complete').length} complete, ${runs.filter((r) => r.outcome === 'error').length} error, ` +
      `${runs.filter((r) => r.outcome === 'hang').length} hang; ${sum([...runs], (r) => r.mismatches)} mismatches, ${sum([...runs], (r) => r.countedTwice)} counted twice; faults ${sum([...runs], (r) => r.faults)}, retries ${sum([...runs], (r) => r.retries)}`,
  );
  return lines;
}
