import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc16 } from '../../src/link/crc.js';
import { encodeFrame, FrameDecoder, SYNC, type Frame } from '../../src/link/frame.js';
import { decodeInfer, packVector, theoreticalVectorsPerSecond } from '../../src/link/protocol.js';
import { Rng } from '../../src/util/rng.js';

function frames(rng: Rng, n: number): Frame[] {
  return Array.from({ length: n }, (_, i) => ({
    cmd: 1 + rng.int(5),
    seq: i & 0xff,
    // Payloads full of sync bytes and plausible lengths make resynchronisation hard.
    payload: Uint8Array.from({ length: rng.int(40) }, () => (rng.next() < 0.3 ? SYNC : rng.int(256))),
  }));
}

const same = (a: Frame[], b: Frame[]): void =>
  assert.deepEqual(
    a.map((f) => [f.cmd, f.seq, Array.from(f.payload)]),
    b.map((f) => [f.cmd, f.seq, Array.from(f.payload)]),
  );

describe('frame codec', () => {
  it('uses CRC-16/CCITT-FALSE (check value 0x29B1)', () => {
    assert.equal(crc16(Buffer.from('123456789')), 0x29b1);
  });

  it('round-trips frames delivered in one chunk and byte by byte', () => {
    const rng = new Rng(1);
    const sent = frames(rng, 50);
    const wire = Buffer.concat(sent.map(encodeFrame));
    same(new FrameDecoder(64).push(wire), sent);
    const d = new FrameDecoder(64);
    const got: Frame[] = [];
    for (const byte of wire) got.push(...d.push(Uint8Array.of(byte)));
    same(got, sent);
    assert.equal(d.stats.garbageBytes, 0);
    assert.equal(d.pending, 0);
  });

  it('finds every frame behind garbage (random bytes, fake sync bytes and headers)', () => {
    const rng = new Rng(2);
    const sent = frames(rng, 200);
    const parts: Buffer[] = [];
    let garbage = 0;
    for (const f of sent) {
      if (rng.next() < 0.5) {
        const g = Buffer.from(Array.from({ length: 1 + rng.int(12) }, () => (rng.next() < 0.4 ? SYNC : rng.int(256))));
        garbage += g.length;
        parts.push(g);
      }
      parts.push(encodeFrame(f));
    }
    const d = new FrameDecoder(64);
    const wire = Buffer.concat(parts);
    const got: Frame[] = [];
    for (let i = 0; i < wire.length; i += 7) got.push(...d.push(wire.subarray(i, i + 7)));
    same(got, sent);
    assert.equal(d.stats.garbageBytes, garbage);
  });

  it('drops a corrupted frame and keeps the next one', () => {
    const rng = new Rng(3);
    const sent = frames(rng, 100);
    const encoded = sent.map(encodeFrame);
    const corrupted = new Set<number>();
    for (let i = 0; i < encoded.length; i += 3) {
      const f = encoded[i]!;
      f[1 + rng.int(f.length - 1)] ^= 1 << rng.int(8);
      corrupted.add(i);
    }
    const d = new FrameDecoder(64);
    const got = d.push(Buffer.concat(encoded));
    same(got, sent.filter((_, i) => !corrupted.has(i)));
    assert.ok(d.stats.crcErrors + d.stats.badLengths >= corrupted.size, `${JSON.stringify(d.stats)}`);
  });

  it('does not hold good frames behind garbage whose header claims a long (but allowed) length', () => {
    const d = new FrameDecoder(1024);
    const good = [0, 1, 2].map((seq) => ({ cmd: 0x82, seq, payload: Uint8Array.from([seq, 2, 3, 4, 5, 6, 7]) }));
    // SYNC, cmd, seq, then a length of 946 taken from the bytes that follow.
    const out = d.push(Buffer.concat([Buffer.from([SYNC, 0xaa, 0xa1, 0xb2, 0x03]), ...good.map(encodeFrame)]));
    assert.deepEqual(out.map((f) => f.seq), [0, 1, 2]);
    assert.equal(d.pending, 0);
    assert.equal(d.stats.abandoned, 1);
  });

  it('packs vectors LSB first and unpacks class sums', () => {
    const bits = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, /* vector 1: */ 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(packVector(bits, 0, 10)), [0x01, 0x02]);
    assert.deepEqual(Array.from(packVector(bits, 1, 10)), [0x06, 0x00]);
    // 3 classes of 5-bit sums: 17, 3, 30 -> bits 0..14.
    const v = 17 | (3 << 5) | (30 << 10);
    const a = decodeInfer(Uint8Array.from([v & 0xff, v >> 8, 2, 0, 0, 0x34, 0x12]), { inputBits: 10, classes: 3, sumBits: 5 });
    assert.deepEqual(a, { sums: [17, 3, 30], classIdx: 2, cycles: 0, requestCrc: 0x1234 });
  });

  it('sets the theoretical rate by the longer frame', () => {
    // 400 input bits: 57-byte requests; 10 classes x 7 bits: 21-byte answers.
    assert.equal(theoreticalVectorsPerSecond({ inputBits: 400, classes: 10, sumBits: 7 }, 115200), 115200 / 570);
  });
});
