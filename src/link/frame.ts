import { crc16 } from './crc.js';

/**
 * Framing of the gatebench device protocol (docs/protocol.md):
 *
 *   SYNC(0xA5) CMD SEQ LEN_LO LEN_HI PAYLOAD[LEN] CRC_LO CRC_HI
 *
 * with CRC-16/CCITT-FALSE over CMD..PAYLOAD. Both directions use the same frame.
 */
export const SYNC = 0xa5;
export const HEADER_BYTES = 5;
export const FRAME_OVERHEAD = HEADER_BYTES + 2;

export interface Frame {
  cmd: number;
  seq: number;
  payload: Uint8Array;
}

export function frameBytes(payloadLength: number): number {
  return FRAME_OVERHEAD + payloadLength;
}

export function encodeFrame(f: Frame): Buffer {
  const n = f.payload.length;
  if (n > 0xffff) throw new RangeError(`payload of ${n} bytes is longer than a frame can carry (65535)`);
  const out = Buffer.alloc(FRAME_OVERHEAD + n);
  out[0] = SYNC;
  out[1] = f.cmd & 0xff;
  out[2] = f.seq & 0xff;
  out[3] = n & 0xff;
  out[4] = n >> 8;
  out.set(f.payload, HEADER_BYTES);
  const crc = crc16(out, 1, HEADER_BYTES + n);
  out[HEADER_BYTES + n] = crc & 0xff;
  out[HEADER_BYTES + n + 1] = crc >> 8;
  return out;
}

export interface DecoderStats {
  frames: number;
  /** Bytes skipped while hunting for a frame (outside any valid frame). */
  garbageBytes: number;
  /** Candidate frames whose CRC did not match (then resynchronised one byte later). */
  crcErrors: number;
  /** Candidate headers with a length above maxPayload. */
  badLengths: number;
  /** Incomplete candidate frames abandoned because a whole valid frame starts inside them. */
  abandoned: number;
}

/**
 * Streaming frame decoder: push chunks as they arrive, get whole frames back. A candidate frame
 * with a bad CRC or an impossible length is not trusted: the decoder drops only its sync byte and
 * hunts again from the next byte, so a frame hidden behind garbage is still found.
 *
 * A garbage sync byte followed by a plausible length (up to maxPayload) would otherwise hold
 * every later byte until that many bytes had arrived, hiding the good frames behind it (and, on a
 * request/answer link, no more bytes come once the host stops sending: it never completes). So
 * while a candidate is incomplete, the decoder also looks for a whole CRC-valid frame starting
 * inside it; if there is one, the candidate was garbage and is dropped up to that frame.
 */
export class FrameDecoder {
  readonly stats: DecoderStats = { frames: 0, garbageBytes: 0, crcErrors: 0, badLengths: 0, abandoned: 0 };
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPayload = 0xffff) {}

  push(chunk: Uint8Array): Frame[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const frames: Frame[] = [];
    let i = 0;
    const b = this.buf;
    for (;;) {
      const sync = b.indexOf(SYNC, i);
      if (sync < 0) {
        this.stats.garbageBytes += b.length - i;
        i = b.length;
        break;
      }
      this.stats.garbageBytes += sync - i;
      i = sync;
      if (b.length - i < HEADER_BYTES) break;
      const len = b[i + 3]! | (b[i + 4]! << 8);
      if (len > this.maxPayload) {
        this.stats.badLengths++;
        this.stats.garbageBytes++;
        i++;
        continue;
      }
      const end = i + FRAME_OVERHEAD + len;
      if (b.length < end) {
        const next = this.validFrameAfter(b, i);
        if (next < 0) break;
        this.stats.abandoned++;
        this.stats.garbageBytes += next - i;
        i = next;
        continue;
      }
      const crc = crc16(b, i + 1, end - 2);
      if ((b[end - 2]! | (b[end - 1]! << 8)) !== crc) {
        this.stats.crcErrors++;
        this.stats.garbageBytes++;
        i++;
        continue;
      }
      frames.push({ cmd: b[i + 1]!, seq: b[i + 2]!, payload: Uint8Array.from(b.subarray(i + HEADER_BYTES, end - 2)) });
      this.stats.frames++;
      i = end;
    }
    this.buf = i >= b.length ? Buffer.alloc(0) : Buffer.from(b.subarray(i));
    return frames;
  }

  /** Start of the first whole, CRC-valid frame after position `from` in `b`, or -1. */
  private validFrameAfter(b: Buffer, from: number): number {
    for (let j = b.indexOf(SYNC, from + 1); j >= 0 && b.length - j >= FRAME_OVERHEAD; j = b.indexOf(SYNC, j + 1)) {
      const len = b[j + 3]! | (b[j + 4]! << 8);
      if (len > this.maxPayload) continue;
      const end = j + FRAME_OVERHEAD + len;
      if (end > b.length) continue;
      if ((b[end - 2]! | (b[end - 1]! << 8)) === crc16(b, j + 1, end - 2)) return j;
    }
    return -1;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }
}
