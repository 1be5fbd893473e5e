import { crc16 } from './crc.js';
import { encodeFrame, FrameDecoder, type DecoderStats, type Frame } from './frame.js';
import type { BytePort } from './port.js';
import { ANSWER, CMD, ERROR_CODES } from './protocol.js';

export interface LinkErrorFlags {
  /** The port went away (unplugged, the virtual board ended). */
  disconnected?: boolean;
  /** No answer after every retry. */
  timedOut?: boolean;
  /** The device answered with an error frame. */
  device?: boolean;
  /** The link was closed by its owner. */
  closed?: boolean;
}

/** A link failure, classified by flags (never by its message). */
export class LinkError extends Error {
  readonly disconnected: boolean;
  readonly timedOut: boolean;
  readonly device: boolean;
  readonly closed: boolean;
  constructor(message: string, flags: LinkErrorFlags, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinkError';
    this.disconnected = flags.disconnected ?? false;
    this.timedOut = flags.timedOut ?? false;
    this.device = flags.device ?? false;
    this.closed = flags.closed ?? false;
  }
}

export interface LinkOptions {
  /** Wait for an answer before the first round trip has been measured. Default 1000 ms. */
  initialTimeoutMs?: number;
  /** Lower bound of the timeout; also the first step of the backoff. Default 100 ms. */
  minTimeoutMs?: number;
  /** Upper bound of the timeout. Default 30 s. */
  maxTimeoutMs?: number;
  /** Longest wait between two sends of one request that the backoff grows to (it doubles per send). Default 1 s. */
  maxBackoffMs?: number;
  /**
   * The link is declared dead when one request has been sent this many times since the device was
   * last heard (not one byte back: a noisy link still sends bytes), and that silence has lasted
   * stallMs. Default 8.
   */
  maxTries?: number;
  /** See maxTries. Default 10 s. */
  stallMs?: number;
  /** Watchdog: a request still unanswered this long after its first send fails the link, whatever else happens. Default 60 s. */
  deadlineMs?: number;
  /** Largest answer payload to accept (longer candidate frames are garbage). Default 1024. */
  maxPayload?: number;
}

export interface LinkStats {
  requests: number;
  answers: number;
  /** Resends after a later request was answered first (the device answers in order, so the earlier one was lost). */
  fastRetransmits: number;
  /** Resends after the timeout. */
  timeoutRetransmits: number;
  /** Resends after the device reported a CRC error for the request. */
  crcRetransmits: number;
  /** Answers for requests already answered, or stale (an answer to an earlier request with this sequence number). */
  duplicates: number;
  /** Error frames from the device. */
  errorFrames: number;
  /** Bytes received from the device (frames, damaged frames and garbage alike). */
  bytesReceived: number;
  decoder: DecoderStats;
}

export interface RequestOptions {
  /** Accept an answer only if this holds (e.g. it carries the request's CRC); else it is stale. */
  accept?: (answer: Frame, request: Uint8Array) => boolean;
}

/** Why a request is known to be lost before its timeout. */
type LossEvidence = 'later-answer' | 'crc-error';

interface Pending {
  cmd: number;
  seq: number;
  bytes: Buffer;
  /** Transmission order of the latest send (the device answers in this order). */
  order: number;
  lastSend: number;
  firstSend: number;
  tries: number;
  /** Sends since the device was last heard (heardCount at the latest send in `heardAt`). */
  silentSends: number;
  heardAt: number;
  /** Set when the device showed this send was lost; cleared by the next send. */
  evidence: LossEvidence | null;
  accept: ((answer: Frame, request: Uint8Array) => boolean) | undefined;
  /** Ends the request: takes it off the pending list, stops its watchdog, resolves or rejects. Only the first call counts. */
  settle: (outcome: Frame | LinkError) => void;
}

/**
 * Wait before sending a request for the (tries + 1)th time, given the evidence that it was lost:
 * exponential backoff from `stepMs`, capped at `capMs`. The first resend on evidence goes at once
 * (the evidence came at least a round trip after the send); a timeout is never shorter than the
 * current timeout and doubles per send up to the cap (or the timeout, if that is longer).
 */
export function retryWaitMs(tries: number, why: 'evidence' | 'timeout', o: { stepMs: number; capMs: number; timeoutMs: number }): number {
  if (why === 'evidence') return tries <= 1 ? 0 : Math.min(o.capMs, o.stepMs * 2 ** (tries - 2));
  return Math.min(Math.max(o.capMs, o.timeoutMs), o.timeoutMs * 2 ** (tries - 1));
}

const COMMAND_NAMES = new Map<number, string>(Object.entries(CMD).map(([name, code]) => [code, name]));

/**
 * Request/answer transport over a BytePort: sequence numbers, CRC-checked frames, many requests
 * in flight, and recovery of lost or corrupted frames. The device answers strictly in the order it
 * receives requests, so an answer to a request proves every request sent before it and still
 * unanswered was lost: those are resent. A request with no answer at all is resent after a
 * timeout derived from the measured round trip. Resends of one request back off exponentially
 * (retryWaitMs), so a burst of noise does not spend its tries in a moment. An answer is matched
 * to its request by sequence number (8 bits, allocated round-robin, so a number comes back only
 * after 256 newer requests) and, where the caller gives one, an accept check; anything else
 * counts as a duplicate and is dropped. So no request is lost and none is answered twice.
 *
 * Every request settles exactly once: by its answer, a device error, or a link failure. Giving up
 * is bounded by count and by time: the link is declared dead when a request has been sent
 * maxTries times into a silence of stallMs (a noisy link keeps sending bytes, so it keeps being
 * retried, and a burst of noise shorter than stallMs never kills it); and each request has a
 * watchdog deadline that fails the link whatever the retry logic does.
 */
export class Link {
  readonly stats: LinkStats;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 0;
  private order = 0;
  private lastAnswerAt = 0;
  private lastByteAt = 0;
  /** Chunks received from the device: a send made after a change has heard the device since. */
  private heardCount = 0;
  private srtt: number | null = null;
  private rttvar = 0;
  private failed: LinkError | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly o: Required<LinkOptions>;

  constructor(
    readonly port: BytePort,
    options: LinkOptions = {},
  ) {
    this.o = {
      initialTimeoutMs: options.initialTimeoutMs ?? 1000,
      minTimeoutMs: options.minTimeoutMs ?? 100,
      maxTimeoutMs: options.maxTimeoutMs ?? 30_000,
      maxBackoffMs: options.maxBackoffMs ?? 1000,
      maxTries: options.maxTries ?? 8,
      stallMs: options.stallMs ?? 10_000,
      deadlineMs: options.deadlineMs ?? 60_000,
      maxPayload: options.maxPayload ?? 1024,
    };
    this.decoder = new FrameDecoder(this.o.maxPayload);
    this.stats = { requests: 0, answers: 0, fastRetransmits: 0, timeoutRetransmits: 0, crcRetransmits: 0, duplicates: 0, errorFrames: 0, bytesReceived: 0, decoder: this.decoder.stats };
    port.onData((chunk) => {
      this.lastByteAt = performance.now();
      this.heardCount++;
      this.stats.bytesReceived += chunk.length;
      for (const f of this.decoder.push(chunk)) this.onFrame(f);
    });
    port.onClose(({ disconnected, error }) => {
      const why = disconnected ? `the serial port ${port.path} went away (device disconnected or the board stopped)` : `the serial port ${port.path} was closed`;
      this.fail(new LinkError(`${why}${error ? `: ${error.message}` : ''}`, { disconnected, closed: !disconnected }));
    });
  }

  /** Current answer timeout: 4 x smoothed round trip + 8 x its deviation, within the bounds. */
  get timeoutMs(): number {
    if (this.srtt === null) return this.o.initialTimeoutMs;
    return Math.min(this.o.maxTimeoutMs, Math.max(this.o.minTimeoutMs, 4 * this.srtt + 8 * this.rttvar));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Send one request; resolves with its answer frame, rejects with a LinkError. Always settles. */
  request(cmd: number, payload: Uint8Array, options: RequestOptions = {}): Promise<Frame> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pending.size >= 128) return Promise.reject(new Error('internal: more than 128 requests in flight'));
    let seq = this.nextSeq;
    while (this.pending.has(seq)) seq = (seq + 1) & 0xff;
    this.nextSeq = (seq + 1) & 0xff;
    const bytes = encodeFrame({ cmd, seq, payload });
    this.stats.requests++;
    return new Promise<Frame>((resolve, reject) => {
      const now = performance.now();
      let settled = false;
      let watchdog: NodeJS.Timeout | undefined;
      const p: Pending = {
        cmd,
        seq,
        bytes,
        order: 0,
        lastSend: now,
        firstSend: now,
        tries: 0,
        silentSends: 0,
        heardAt: this.heardCount,
        evidence: null,
        accept: options.accept,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(watchdog);
          this.pending.delete(seq);
          if (this.pending.size === 0) this.disarm();
          if (outcome instanceof LinkError) reject(outcome);
          else resolve(outcome);
        },
      };
      watchdog = setTimeout(() => {
        const heard = this.stats.bytesReceived;
        const why = heard > 0 ? `${heard} bytes received from the device in all: a very noisy link or a wrong baud rate` : 'nothing received from the device at all';
        this.fail(new LinkError(`no answer from the device on ${this.port.path} to ${nameOf(p)} within its ${this.o.deadlineMs} ms deadline (sent ${p.tries} times; ${why})`, { timedOut: true }));
      }, this.o.deadlineMs);
      this.pending.set(seq, p);
      this.send(p);
      this.arm();
    });
  }

  /** Stop: reject whatever is in flight and close the port. */
  async close(): Promise<void> {
    this.fail(new LinkError('the link was closed', { closed: true }));
    await this.port.close();
  }

  private send(p: Pending): void {
    p.tries++;
    if (p.heardAt !== this.heardCount) p.silentSends = 0;
    p.heardAt = this.heardCount;
    p.silentSends++;
    p.order = ++this.order;
    p.lastSend = performance.now();
    p.evidence = null;
    this.port.write(p.bytes).catch((e: unknown) =>
      this.fail(new LinkError(`the serial port ${this.port.path} went away (device disconnected or the board stopped): writing failed: ${(e as Error).message}`, { disconnected: true }, { cause: e })),
    );
  }

  /**
   * Resend `p` if it is due (lost by the evidence, or timed out, and its backoff has passed);
   * declare the link dead instead if it has used its tries and the device has been silent.
   */
  private resendIfDue(p: Pending, now: number): void {
    const wait = (why: 'evidence' | 'timeout'): number => retryWaitMs(p.tries, why, { stepMs: this.o.minTimeoutMs, capMs: this.o.maxBackoffMs, timeoutMs: this.timeoutMs });
    const evidence = p.evidence !== null && now - p.lastSend >= wait('evidence') ? p.evidence : null;
    const timedOut = now - Math.max(p.lastSend, this.lastAnswerAt) >= wait('timeout');
    if (!evidence && !timedOut) return;
    const silentMs = now - Math.max(this.lastByteAt, p.firstSend);
    const silentSends = p.heardAt === this.heardCount ? p.silentSends : 0;
    if (silentSends >= this.o.maxTries && silentMs >= this.o.stallMs) {
      this.fail(
        new LinkError(
          `no answer from the device on ${this.port.path} to ${nameOf(p)}: sent ${p.tries} times over ${Math.round(now - p.firstSend)} ms, the last ${silentSends} with nothing at all received for ${Math.round(silentMs)} ms`,
          { timedOut: true },
        ),
      );
      return;
    }
    if (evidence === 'later-answer') this.stats.fastRetransmits++;
    else if (evidence === 'crc-error') this.stats.crcRetransmits++;
    else this.stats.timeoutRetransmits++;
    this.send(p);
  }

  private onFrame(f: Frame): void {
    if (this.failed) return;
    const now = performance.now();
    if (f.cmd === CMD.ERROR) {
      this.stats.errorFrames++;
      const code = f.payload[0] ?? 0;
      const forCmd = f.payload[1] ?? -1;
      const p = this.pending.get(f.seq);
      if (!p || p.cmd !== forCmd) return;
      // The device read a frame with this sequence number and command but a bad CRC: resend it.
      // (The seq of a corrupted frame is itself untrusted; a wrong resend only costs a duplicate.)
      if (code === 1) {
        p.evidence = 'crc-error';
        this.resendIfDue(p, now);
      } else p.settle(new LinkError(`the device refused ${nameOf(p)}: ${ERROR_CODES[code] ?? `error ${code}`}`, { device: true }));
      return;
    }
    const p = this.pending.get(f.seq);
    if (!p || f.cmd !== (p.cmd | ANSWER) || (p.accept && !p.accept(f, p.bytes))) {
      this.stats.duplicates++;
      return;
    }
    this.lastAnswerAt = now;
    this.stats.answers++;
    if (p.tries === 1) this.sample(now - p.firstSend);
    // Settle first: whatever the resends below lead to (even a link failure), this request has its answer.
    p.settle(f);
    // Requests sent before this one and not answered were lost on the way (or their answers were).
    for (const q of this.byOrder()) {
      if (this.failed || q.order >= p.order) break;
      q.evidence = 'later-answer';
      this.resendIfDue(q, now);
    }
  }

  private sample(rtt: number): void {
    if (this.srtt === null) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
      this.srtt = 0.875 * this.srtt + 0.125 * rtt;
    }
  }

  /** Pending requests in the order the device will answer them. */
  private byOrder(): Pending[] {
    return [...this.pending.values()].sort((a, b) => a.order - b.order);
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.min(100, this.o.minTimeoutMs / 2)));
  }

  private disarm(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Resend whatever is due: timed out, or known lost and held back by its backoff until now. */
  private tick(): void {
    const now = performance.now();
    for (const p of this.byOrder()) {
      if (this.failed) return;
      this.resendIfDue(p, now);
    }
  }

  /** Fail the link: every pending request settles with `e`; later requests are refused with it. */
  private fail(e: LinkError): void {
    if (this.failed) return;
    this.failed = e;
    this.disarm();
    for (const p of [...this.pending.values()]) p.settle(e);
  }

  get error(): LinkError | null {
    return this.failed;
  }
}

/** "INFER request (seq 12)": how errors name a request. */
function nameOf(p: Pick<Pending, 'cmd' | 'seq'>): string {
  return `${COMMAND_NAMES.get(p.cmd) ?? `command 0x${p.cmd.toString(16)}`} request (seq ${p.seq})`;
}

/** Accept an INFER answer only if it carries the CRC of this request frame (bytes 3..4 from the end of its payload). */
export function acceptInferFor(crcOffsetFromEnd = 2): (answer: Frame, request: Uint8Array) => boolean {
  return (answer, request) => {
    const reqCrc = crc16(request, 1, request.length - 2);
    const p = answer.payload;
    const o = p.length - crcOffsetFromEnd;
    return o >= 0 && (p[o]! | (p[o + 1]! << 8)) === reqCrc;
  };
}
