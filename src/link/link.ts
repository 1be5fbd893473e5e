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
  /** Lower bound of the timeout. Default 100 ms. */
  minTimeoutMs?: number;
  /** Upper bound of the timeout. Default 30 s. */
  maxTimeoutMs?: number;
  /** Sends of one request before giving up (the first included). Default 8. */
  maxTries?: number;
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
  decoder: DecoderStats;
}

export interface RequestOptions {
  /** Accept an answer only if this holds (e.g. it carries the request's CRC); else it is stale. */
  accept?: (answer: Frame, request: Uint8Array) => boolean;
}

interface Pending {
  cmd: number;
  seq: number;
  bytes: Buffer;
  /** Transmission order of the latest send (the device answers in this order). */
  order: number;
  lastSend: number;
  firstSend: number;
  tries: number;
  accept: ((answer: Frame, request: Uint8Array) => boolean) | undefined;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
}

/**
 * Request/answer transport over a BytePort: sequence numbers, CRC-checked frames, many requests
 * in flight, and recovery of lost or corrupted frames. The device answers strictly in the order it
 * receives requests, so an answer to a request proves every request sent before it and still
 * unanswered was lost: those are resent at once. A request with no answer at all is resent after a
 * timeout derived from the measured round trip. An answer is matched to its request by sequence
 * number (8 bits, allocated round-robin, so a number comes back only after 256 newer requests)
 * and, where the caller gives one, an accept check; anything else counts as a duplicate and is
 * dropped. So no request is lost and none is answered twice.
 */
export class Link {
  readonly stats: LinkStats;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 0;
  private order = 0;
  private lastAnswerAt = 0;
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
      maxTries: options.maxTries ?? 8,
      maxPayload: options.maxPayload ?? 1024,
    };
    this.decoder = new FrameDecoder(this.o.maxPayload);
    this.stats = { requests: 0, answers: 0, fastRetransmits: 0, timeoutRetransmits: 0, crcRetransmits: 0, duplicates: 0, errorFrames: 0, decoder: this.decoder.stats };
    port.onData((chunk) => {
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

  /** Send one request; resolves with its answer frame, rejects with a LinkError. */
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
      const p: Pending = { cmd, seq, bytes, order: 0, lastSend: now, firstSend: now, tries: 0, accept: options.accept, resolve, reject };
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
    p.order = ++this.order;
    p.lastSend = performance.now();
    this.port.write(p.bytes).catch((e: unknown) =>
      this.fail(new LinkError(`the serial port ${this.port.path} went away (device disconnected or the board stopped): writing failed: ${(e as Error).message}`, { disconnected: true }, { cause: e })),
    );
  }

  private resend(p: Pending): void {
    if (p.tries >= this.o.maxTries) {
      this.fail(
        new LinkError(`no answer from the device on ${this.port.path} to a request (command 0x${p.cmd.toString(16)}) after ${p.tries} tries over ${Math.round(performance.now() - p.firstSend)} ms`, { timedOut: true }),
      );
      return;
    }
    this.send(p);
  }

  private onFrame(f: Frame): void {
    if (this.failed) return;
    if (f.cmd === CMD.ERROR) {
      this.stats.errorFrames++;
      const code = f.payload[0] ?? 0;
      const forCmd = f.payload[1] ?? -1;
      const p = this.pending.get(f.seq);
      // The device read a frame with this sequence number and command but a bad CRC: resend it.
      // (The seq of a corrupted frame is itself untrusted; a wrong resend only costs a duplicate.)
      if (code === 1) {
        if (p && p.cmd === forCmd) {
          this.stats.crcRetransmits++;
          this.resend(p);
        }
        return;
      }
      if (p && p.cmd === forCmd) {
        this.pending.delete(f.seq);
        p.reject(new LinkError(`the device refused command 0x${p.cmd.toString(16)}: ${ERROR_CODES[code] ?? `error ${code}`}`, { device: true }));
      }
      return;
    }
    const p = this.pending.get(f.seq);
    if (!p || f.cmd !== (p.cmd | ANSWER) || (p.accept && !p.accept(f, p.bytes))) {
      this.stats.duplicates++;
      return;
    }
    const now = performance.now();
    this.pending.delete(f.seq);
    this.lastAnswerAt = now;
    this.stats.answers++;
    if (p.tries === 1) this.sample(now - p.firstSend);
    // Requests sent before this one and not answered were lost on the way (or their answers were).
    for (const q of [...this.pending.values()].sort((a, b) => a.order - b.order)) {
      if (q.order >= p.order) break;
      this.stats.fastRetransmits++;
      this.resend(q);
      if (this.failed) return;
    }
    p.resolve(f);
    if (this.pending.size === 0) this.disarm();
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

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.min(100, this.o.minTimeoutMs / 2)));
  }

  private disarm(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Resend requests that waited a timeout since their last send and since the last answer. */
  private tick(): void {
    const now = performance.now();
    const limit = this.timeoutMs;
    for (const p of [...this.pending.values()].sort((a, b) => a.order - b.order)) {
      if (now - Math.max(p.lastSend, this.lastAnswerAt) < limit) continue;
      this.stats.timeoutRetransmits++;
      this.resend(p);
      if (this.failed) return;
    }
  }

  private fail(e: LinkError): void {
    if (this.failed) return;
    this.failed = e;
    this.disarm();
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  get error(): LinkError | null {
    return this.failed;
  }
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
