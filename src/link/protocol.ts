import { frameBytes } from './frame.js';

/** Commands of the device protocol (docs/protocol.md). Answers carry cmd | 0x80. */
export const CMD = { INFO: 0x01, INFER: 0x02, ECHO: 0x03, STRESS_START: 0x04, STRESS_STOP: 0x05, ERROR: 0xff } as const;
export const ANSWER = 0x80;
export const PROTOCOL_VERSION = 1;

export const ERROR_CODES: Record<number, string> = { 1: 'bad CRC', 2: 'bad length', 3: 'unknown command', 4: 'busy (STRESS running)' };

export const INFO_BYTES = 41;

/** What INFO reports: the build's constants and the device's counters. */
export interface DeviceInfo {
  protocolVersion: number;
  designVersion: number;
  /** First 8 bytes of the model's networkHash, hex. */
  modelId: string;
  inputBits: number;
  classes: number;
  sumBits: number;
  classIdxBits: number;
  coreLatency: number;
  clockHz: number;
  baud: number;
  fifoBytes: number;
  maxPayload: number;
  /** Clock cycles since configuration (simulated cycles on the virtual board). */
  uptimeCycles: number;
  stressing: boolean;
  crcErrors: number;
  rxOverflows: number;
  framingErrors: number;
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 2 ** 24;
export const u48 = (b: Uint8Array, o: number): number => u32(b, o) + u16(b, o + 4) * 2 ** 32;

export function decodeInfo(p: Uint8Array): DeviceInfo {
  if (p.length !== INFO_BYTES) throw new Error(`INFO answer has ${p.length} bytes, expected ${INFO_BYTES}`);
  return {
    protocolVersion: p[0]!,
    designVersion: p[1]!,
    modelId: Buffer.from(p.subarray(2, 10)).toString('hex'),
    inputBits: u16(p, 10),
    classes: p[12]!,
    sumBits: p[13]!,
    classIdxBits: p[14]!,
    coreLatency: p[15]!,
    clockHz: u32(p, 16),
    baud: u32(p, 20),
    fifoBytes: u16(p, 24) || 65536,
    maxPayload: u16(p, 26),
    uptimeCycles: u48(p, 28),
    stressing: (p[34]! & 1) === 1,
    crcErrors: u16(p, 35),
    rxOverflows: u16(p, 37),
    framingErrors: u16(p, 39),
  };
}

/** The shape of the core behind the link, enough to pack vectors and unpack results. */
export interface Geometry {
  inputBits: number;
  classes: number;
  sumBits: number;
}

export function inferRequestBytes(g: Geometry): number {
  return Math.ceil(g.inputBits / 8);
}

export function inferAnswerBytes(g: Geometry): number {
  return Math.ceil((g.classes * g.sumBits) / 8) + 5;
}

/** Vector `index` of a row-major 0/1 byte array, packed LSB first: bit i in byte i/8, bit i%8. */
export function packVector(bits: Uint8Array, index: number, inputBits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(inputBits / 8));
  const base = index * inputBits;
  for (let i = 0; i < inputBits; i++) if (bits[base + i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

export interface InferAnswer {
  sums: number[];
  classIdx: number;
  /** Clock cycles from the core's in_valid to its out_valid. */
  cycles: number;
  /** CRC of the request frame this answers (binds an answer to its request). */
  requestCrc: number;
}

export function decodeInfer(p: Uint8Array, g: Geometry): InferAnswer {
  const sumBytes = Math.ceil((g.classes * g.sumBits) / 8);
  if (p.length !== sumBytes + 5) throw new Error(`INFER answer has ${p.length} bytes, expected ${sumBytes + 5}`);
  const sums: number[] = [];
  for (let c = 0; c < g.classes; c++) {
    let v = 0;
    for (let b = 0; b < g.sumBits; b++) {
      const bit = c * g.sumBits + b;
      if (p[bit >> 3]! & (1 << (bit & 7))) v |= 1 << b;
    }
    sums.push(v);
  }
  return { sums, classIdx: p[sumBytes]!, cycles: u16(p, sumBytes + 1), requestCrc: u16(p, sumBytes + 3) };
}

/**
 * The most vectors per second a UART link can carry: 10 bits per byte (8N1), requests and
 * answers flowing at the same time in the two directions, so the longer frame sets the pace.
 */
export function theoreticalVectorsPerSecond(g: Geometry, baud: number): number {
  const bytes = Math.max(frameBytes(inferRequestBytes(g)), frameBytes(inferAnswerBytes(g)));
  return baud / (10 * bytes);
}
