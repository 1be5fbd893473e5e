import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFrame, FrameDecoder, type Frame } from '../../src/link/frame.js';
import { Link, LinkError, retryWaitMs, type LinkOptions } from '../../src/link/link.js';
import { openSerialPort, type BytePort } from '../../src/link/port.js';
import { ANSWER, CMD } from '../../src/link/protocol.js';
import { tempDir } from '../helpers.js';
import { ptyPair, type PtyPair } from './softDevice.js';

/**
 * The device end of a pty pair, driven step by step by the test: it answers only when told, so a
 * test sets up an exact interleaving of sends, resends and answers.
 */
class ScriptedDevice {
  readonly received: Frame[] = [];
  /** Frames for which this holds are answered (an echo) as they arrive. */
  autoAnswer: (f: Frame) => boolean = () => false;
  private readonly decoder = new FrameDecoder(1024);
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(readonly port: BytePort) {
    port.onData((chunk) => {
      for (const f of this.decoder.push(chunk)) {
        this.received.push(f);
        if (this.autoAnswer(f)) void this.answer(f);
      }
      this.waiters = this.waiters.filter((w) => (this.received.length >= w.count ? (w.resolve(), false) : true));
    });
  }

  /** Resolves once `count` frames in all have arrived. */
  until(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  answer(request: Frame, payload: Uint8Array = request.payload): Promise<void> {
    return this.port.write(encodeFrame({ cmd: request.cmd | ANSWER, seq: request.seq, payload }));
  }

  /** The error frame the device sends for a request it read with a bad CRC. */
  reportBadCrc(request: Frame): Promise<void> {
    return this.port.write(encodeFrame({ cmd: CMD.ERROR, seq: request.seq, payload: Uint8Array.of(1, request.cmd) }));
  }
}

type Outcome<T> = { value: T } | { error: unknown };

/** The outcome of `promise`, observed from the start (so a rejection is never unhandled). */
function outcomeOf<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** 'pending' if `outcome` has not settled within `ms`: a request that never settles fails the test instead of hanging it. */
function within<T>(outcome: Promise<Outcome<T>>, ms: number): Promise<Outcome<T> | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  return Promise.race([outcome, guard]).finally(() => clearTimeout(timer));
}

describe('link: every request settles', () => {
  let dir: string;
  const pairs: PtyPair[] = [];
  const ports: BytePort[] = [];
  before(() => {
    dir = tempDir('gatebench-link-unit-');
  });
  after(async () => {
    for (const p of ports) await p.close().catch(() => undefined);
    for (const p of pairs) p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setup(options: LinkOptions): Promise<{ link: Link; device: ScriptedDevice; path: string }> {
    const pair = await ptyPair(mkdtempSync(join(dir, 'pair-')));
    pairs.push(pair);
    const devicePort = await openSerialPort(pair.b, 115200);
    const hostPort = await openSerialPort(pair.a, 115200);
    ports.push(devicePort, hostPort);
    return { link: new Link(hostPort, options), device: new ScriptedDevice(devicePort), path: pair.a };
  }

  it('resolves an answered request even when resending an earlier one uses up its tries (issue 12, item 1)', async () => {
    // No timeout fires during the script: every resend comes from evidence (an error frame, a later answer).
    const options: LinkOptions = { initialTimeoutMs: 60_000, maxTries: 2, minTimeoutMs: 20, maxBackoffMs: 40, stallMs: 200, deadlineMs: 10_000 };
    const { link, device, path } = await setup(options);
    const a = outcomeOf(link.request(CMD.ECHO, Uint8Array.of(0xa1)));
    await device.until(1);
    const [a1] = device.received;
    // The device read A with a bad CRC: A is resent (its second and, by count, last try) ...
    await device.reportBadCrc(a1!);
    await device.until(2);
    // ... then B is sent after A's resend, and B's answer arrives: A must have been lost again.
    const b = outcomeOf(link.request(CMD.ECHO, Uint8Array.of(0xb2)));
    await device.until(3);
    const bFrame = device.received[2]!;
    assert.deepEqual(Array.from(bFrame.payload), [0xb2]);
    await device.answer(bFrame);

    const bOutcome = await within(b, 5000);
    if (bOutcome === 'pending') assert.fail("B's answer arrived but B's promise never settled");
    if ('error' in bOutcome) assert.fail(`B resolves with its answer, got ${String(bOutcome.error)}`);
    assert.deepEqual(Array.from(bOutcome.value.payload), [0xb2]);

    // A is never answered: it ends in a clear error naming the port, the request and its tries.
    const aOutcome = await within(a, 10_000);
    if (aOutcome === 'pending' || !('error' in aOutcome)) assert.fail(`A ends in an error, got ${JSON.stringify(aOutcome)}`);
    const e = aOutcome.error;
    assert.ok(e instanceof LinkError && e.timedOut, `a timed-out LinkError, got ${String(e)}`);
    assert.ok(e.message.includes(path), e.message);
    assert.match(e.message, /ECHO request \(seq 0\)/);
    assert.match(e.message, /sent \d+ times over \d+ ms/);
    assert.ok(Number(/sent (\d+) times/.exec(e.message)![1]) >= options.maxTries!, 'after its tries ran out');
    assert.equal(link.inFlight, 0, 'nothing left pending');
  });

  it('fails the link when a request passes its watchdog deadline, though the device answers the others', async () => {
    // The device is heard all the time, so only the deadline can end request A.
    const { link, device, path } = await setup({ initialTimeoutMs: 50, minTimeoutMs: 10, maxBackoffMs: 20, maxTries: 2, stallMs: 60_000, deadlineMs: 300 });
    device.autoAnswer = (f) => f.seq !== 0;
    const a = outcomeOf(link.request(CMD.ECHO, Uint8Array.of(0xa0)));
    let answered = 0;
    let last: Outcome<Frame>;
    for (;;) {
      const payload = Uint8Array.of(answered & 0xff, 0x5b);
      last = await outcomeOf(link.request(CMD.ECHO, payload));
      if ('error' in last) break;
      assert.deepEqual(Array.from(last.value.payload), Array.from(payload));
      answered++;
    }
    const aOutcome = await within(a, 5000);
    if (aOutcome === 'pending' || !('error' in aOutcome)) assert.fail(`A ends in an error, got ${JSON.stringify(aOutcome)}`);
    const e = aOutcome.error;
    assert.ok(e instanceof LinkError && e.timedOut, `a timed-out LinkError, got ${String(e)}`);
    assert.ok(e.message.includes(path), e.message);
    assert.match(e.message, /ECHO request \(seq 0\) within its 300 ms deadline \(sent \d+ times/);
    assert.equal(last.error, e, 'the request in flight then fails with the same error');
    assert.ok(answered > 0 && device.received.filter((f) => f.seq === 0).length > 1, 'others were answered while A was resent');
    assert.equal(link.inFlight, 0);
    await assert.rejects(link.request(CMD.ECHO, new Uint8Array()), (x: unknown) => x === e, 'a failed link refuses new requests with its error');
  });

  it('declares a silent device dead after maxTries sends into stallMs of silence', async () => {
    const { link, device, path } = await setup({ initialTimeoutMs: 20, minTimeoutMs: 10, maxBackoffMs: 40, maxTries: 4, stallMs: 150, deadlineMs: 60_000 });
    const a = await within(outcomeOf(link.request(CMD.INFER, Uint8Array.of(1, 2, 3))), 10_000);
    if (a === 'pending' || !('error' in a)) assert.fail(`the request ends in an error, got ${JSON.stringify(a)}`);
    const e = a.error;
    assert.ok(e instanceof LinkError && e.timedOut && !e.disconnected, `a timed-out LinkError, got ${String(e)}`);
    assert.ok(e.message.includes(path), e.message);
    const m = /INFER request \(seq 0\): sent (\d+) times over (\d+) ms, the last (\d+) with nothing at all received for (\d+) ms/.exec(e.message);
    assert.ok(m, e.message);
    assert.ok(Number(m[3]) >= 4 && Number(m[4]) >= 150, e.message);
    assert.ok(device.received.length >= 1);
    assert.equal(link.inFlight, 0);
  });

  it('backs off exponentially, with a cap', () => {
    const o = { stepMs: 100, capMs: 1000, timeoutMs: 300 };
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => retryWaitMs(n, 'evidence', o)), [0, 100, 200, 400, 800, 1000, 1000]);
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryWaitMs(n, 'timeout', o)), [300, 600, 1000, 1000, 1000]);
    // A timeout longer than the cap is never shortened.
    assert.deepEqual([1, 2, 3].map((n) => retryWaitMs(n, 'timeout', { ...o, timeoutMs: 5000 })), [5000, 5000, 5000]);
  });
});
