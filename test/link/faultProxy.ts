import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { SYNC } from '../../src/link/frame.js';
import { openSerialPort, type BytePort } from '../../src/link/port.js';
import { ptyPair, type PtyPair } from '../../src/link/pty.js';
import { Rng } from '../../src/util/rng.js';

/**
 * Faults for one direction of a link. Rates are expected faults per `unitBytes` bytes of traffic
 * (the direction's frame length, so 0.5 garbage is one burst per two frames on average).
 */
export interface FaultMix {
  /** Bursts of 1 to 8 random bytes (30% of them sync bytes) inserted into the stream. */
  garbage?: number;
  /** Runs of 1 to unitBytes bytes dropped. */
  drop?: number;
  /** Single bits flipped. */
  flip?: number;
  /** From this byte offset on, every byte is dropped: the link dies. */
  cutAt?: number;
}

export interface FaultCounts {
  garbage: number;
  drop: number;
  flip: number;
  garbageBytes: number;
  droppedBytes: number;
  /** Bytes dropped after cutAt. */
  cutBytes: number;
}

type FaultKind = 'garbage' | 'drop' | 'flip';

interface Fault {
  /** Offset in the input stream: garbage goes before this byte, a flip or a drop starts at it. */
  at: number;
  kind: FaultKind;
  /** Garbage bytes; the flipped bit's mask; the dropped length. */
  garbage: Uint8Array;
  mask: number;
  length: number;
}

/**
 * Where faults fall in one direction's byte stream, drawn from a seeded RNG by byte offset: the
 * same bytes get the same faults however the operating system splits them into reads, so the
 * number of faults in the first N bytes depends on the seed alone (faultsBefore).
 */
export class FaultSchedule {
  readonly injected: FaultCounts = { garbage: 0, drop: 0, flip: 0, garbageBytes: 0, droppedBytes: 0, cutBytes: 0 };
  private readonly rng: Rng;
  private readonly perByte: number;
  private next: Fault | null;
  private offset = 0;
  private dropping = 0;

  constructor(
    seed: number,
    readonly mix: FaultMix,
    readonly unitBytes: number,
  ) {
    this.rng = new Rng(seed);
    this.perByte = Math.min(1, ((mix.garbage ?? 0) + (mix.drop ?? 0) + (mix.flip ?? 0)) / unitBytes);
    this.next = this.draw(0);
  }

  /** Faults (garbage, drops, flips) placed before input byte `offset`, by a replay of the schedule. */
  static faultsBefore(seed: number, mix: FaultMix, unitBytes: number, offset: number): number {
    const replay = new FaultSchedule(seed, mix, unitBytes);
    let n = 0;
    for (let f = replay.next; f && f.at < offset; f = replay.draw(f.at + (f.kind === 'drop' ? f.length : 1))) n++;
    return n;
  }

  get faults(): number {
    return this.injected.garbage + this.injected.drop + this.injected.flip;
  }

  /** The first fault at or after offset `from` (all its randomness drawn now, so the order of calls never matters). */
  private draw(from: number): Fault | null {
    if (this.perByte <= 0) return null;
    const u = this.rng.next();
    const gap = this.perByte >= 1 ? 0 : Math.floor(Math.log(1 - u) / Math.log(1 - this.perByte));
    const m = this.mix;
    let pick = this.rng.next() * ((m.garbage ?? 0) + (m.drop ?? 0) + (m.flip ?? 0));
    const kind: FaultKind = (pick -= m.garbage ?? 0) < 0 ? 'garbage' : (pick -= m.drop ?? 0) < 0 ? 'drop' : 'flip';
    const garbage = kind === 'garbage' ? Uint8Array.from({ length: 1 + this.rng.int(8) }, () => (this.rng.next() < 0.3 ? SYNC : this.rng.int(256))) : new Uint8Array(0);
    const mask = kind === 'flip' ? 1 << this.rng.int(8) : 0;
    const length = kind === 'drop' ? 1 + this.rng.int(this.unitBytes) : 0;
    return { at: from + gap, kind, garbage, mask, length };
  }

  /** The bytes to pass on for the next chunk of the input stream. */
  apply(chunk: Uint8Array): Buffer {
    const out: Uint8Array[] = [];
    const cutAt = this.mix.cutAt ?? Number.POSITIVE_INFINITY;
    let i = 0;
    while (i < chunk.length) {
      if (this.offset >= cutAt) {
        this.injected.cutBytes += chunk.length - i;
        this.offset += chunk.length - i;
        break;
      }
      const room = Math.min(chunk.length - i, cutAt - this.offset);
      if (this.dropping > 0) {
        const n = Math.min(this.dropping, room);
        this.dropping -= n;
        this.injected.droppedBytes += n;
        this.offset += n;
        i += n;
        continue;
      }
      const f = this.next;
      const clean = f ? Math.min(room, f.at - this.offset) : room;
      if (clean > 0) {
        out.push(chunk.subarray(i, i + clean));
        this.offset += clean;
        i += clean;
        continue;
      }
      // A fault falls on this byte.
      this.injected[f!.kind]++;
      if (f!.kind === 'garbage') {
        out.push(f!.garbage);
        this.injected.garbageBytes += f!.garbage.length;
      } else if (f!.kind === 'flip') {
        out.push(Uint8Array.of(chunk[i]! ^ f!.mask));
        this.offset++;
        i++;
      } else this.dropping = f!.length;
      this.next = this.draw(f!.at + (f!.kind === 'drop' ? f!.length : 1));
    }
    return Buffer.concat(out);
  }
}

/** A faulty link: the host opens `hostPath`; bytes each way pass through their schedule. */
export interface FaultyLink {
  hostPath: string;
  toDevice: FaultSchedule;
  toHost: FaultSchedule;
  close(): Promise<void>;
}

/**
 * Put a fault-injecting proxy in front of the device on `devicePath`:
 * host <-> hostPath ~ socat ~ proxy <-> devicePath (the device). `baud` is set on the device's
 * pty (the virtual board simulates its UART at the baud set there).
 */
export async function faultyLink(devicePath: string, dir: string, toDevice: FaultSchedule, toHost: FaultSchedule, baud = 115200): Promise<FaultyLink> {
  const pair: PtyPair = await ptyPair(mkdtempSync(join(dir, 'proxy-')));
  let hostSide: BytePort | null = null;
  let deviceSide: BytePort | null = null;
  const close = async (): Promise<void> => {
    await hostSide?.close().catch(() => undefined);
    await deviceSide?.close().catch(() => undefined);
    pair.stop();
  };
  try {
    hostSide = await openSerialPort(pair.b, 115200);
    deviceSide = await openSerialPort(devicePath, baud);
  } catch (e) {
    await close();
    throw e;
  }
  // A write after either end closed fails; the proxy has nobody to tell.
  const forward = (schedule: FaultSchedule, out: BytePort) => (chunk: Buffer) => {
    const bytes = schedule.apply(chunk);
    if (bytes.length > 0) out.write(bytes).catch(() => undefined);
  };
  hostSide.onData(forward(toDevice, deviceSide));
  deviceSide.onData(forward(toHost, hostSide));
  return { hostPath: pair.a, toDevice, toHost, close };
}
