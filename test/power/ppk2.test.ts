import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSerialPort } from '../../src/link/port.js';
import { ptyPair } from '../../src/link/pty.js';
import { waitFor } from '../../src/power/driver.js';
import { defaultModifiers, parsePpk2Metadata, Ppk2Monitor, Ppk2Parser } from '../../src/power/ppk2.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';

const transcripts = join(import.meta.dirname, '..', '..', '..', 'test', 'power', 'transcripts');
const ADC_MULT = 1.8 / 163840;

/** ppk2-stream.hex: one little-endian word a line as hex bytes, `#` comments. */
function streamBytes(): Buffer {
  const text = readFileSync(join(transcripts, 'ppk2-stream.hex'), 'utf8');
  const hex = text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .join(' ');
  return Buffer.from(hex.split(/\s+/).map((h) => parseInt(h, 16)));
}

// ppk2-metadata.txt: the keys pc-nrfconnect-ppk and ppk2-api-python parse from GET_METADATA.
test('parsePpk2Metadata: modifiers per range, -nan keeps the default, other keys kept, bad lines reported', () => {
  const meta = parsePpk2Metadata(readFileSync(join(transcripts, 'ppk2-metadata.txt'), 'utf8'));
  assert.deepEqual(meta.modifiers.r, [1003.3425, 101.5978, 10.1819, 0.9418, 0.0448]);
  assert.deepEqual(meta.modifiers.o, [112.775, 75.334, 64.576, 72.011, 84.873]);
  assert.deepEqual(meta.modifiers.s, [4.7e-8, 4.9e-8, 0, 3e-8, 0]);
  assert.deepEqual(meta.modifiers.gs, [0, 0, 0, 0, 0]);
  assert.deepEqual(meta.modifiers.ug, [1, 1, 1, 1, 1]);
  assert.equal(meta.values.hw, '9173');
  assert.equal(meta.values.mode, '2');
  assert.equal(meta.values.calibrated, '0');
  assert.deepEqual(meta.problems, ["metadata line 40: expected 'key: value', got 'garbage line without a colon'"]);
  assert.deepEqual(parsePpk2Metadata('R0: 0\nR7: 5\n').problems, ['metadata: no END marker', "metadata line 2: range 7 out of 0..4 in 'R7: 5'"]);
  assert.deepEqual(parsePpk2Metadata('R0: 0\nEND').modifiers.r, defaultModifiers().r, 'a zero resistor keeps the default');
});

// ppk2-stream.hex: the sample word layout of pc-nrfconnect-ppk (ADC 0-13, range 14-16, counter 18-23, logic 24-31).
test('Ppk2Parser: calibration formula, spike filter after a range switch, bad range and counter gap as problems', () => {
  const m = parsePpk2Metadata(readFileSync(join(transcripts, 'ppk2-metadata.txt'), 'utf8')).modifiers;
  const parser = new Ppk2Parser(m, 3300);
  const amps = parser.push(streamBytes());
  // amps = UG * (x * (GS * x + GI) + S * vdd + I) with x = (4 * adc - O) * adc_mult / R; GS = 0 here.
  const a0 = ((4000 - 112.775) * ADC_MULT) / 1003.3425 + 4.7e-8 * 3.3;
  const a1 = ((32000 - 75.334) * ADC_MULT) / 101.5978 + 4.9e-8 * 3.3;
  // After the switch to range 1 three samples are the rolling average (alpha 0.18).
  const r1 = 0.18 * a1 + 0.82 * a0;
  const r2 = 0.18 * a1 + 0.82 * r1;
  const r3 = 0.18 * a1 + 0.82 * r2;
  const expected = [a0, a0, r1, r2, r3, a1, a1, NaN, a1, a1];
  assert.equal(amps.length, expected.length);
  amps.forEach((a, i) => (Number.isNaN(expected[i]) ? assert.ok(Number.isNaN(a), `sample ${i}`) : assert.ok(Math.abs(a - expected[i]!) < 1e-15, `sample ${i}: ${a} vs ${expected[i]}`)));
  assert.ok(Math.abs(a0 - 42.72e-6) < 0.01e-6 && Math.abs(a1 - 3.452e-3) < 1e-6, 'plausible currents: 42.72 uA, 3.452 mA');
  assert.deepEqual(parser.problems, ['byte 28: measurement range 6 is not 0..4 (word 0x001d81f4)', 'byte 32: sample counter 9, expected 8 (1 samples lost or a corrupt word)']);
});

test('Ppk2Parser: words split across chunks at every offset give the same currents', () => {
  const bytes = streamBytes();
  const whole = new Ppk2Parser(defaultModifiers(), 1800).push(bytes);
  for (const size of [1, 2, 3, 5, 7]) {
    const parser = new Ppk2Parser(defaultModifiers(), 1800);
    const got: number[] = [];
    for (let i = 0; i < bytes.length; i += size) got.push(...parser.push(bytes.subarray(i, i + size)));
    assert.deepEqual(got, whole, `chunks of ${size}`);
  }
});

test('PPK2 driver against a scripted PPK2 on a pty: set-up bytes, metadata, 100 kHz averaged to 1 kHz', async () => {
  const dir = tempDir('gatebench-ppk2-');
  const pair = await ptyPair(mkdtempSync(join(dir, 'p-')));
  const device = await openSerialPort(pair.b, 115200);
  const received: number[] = [];
  let streaming: NodeJS.Timeout | null = null;
  let counter = 0;
  // Range 2, adc 2000: a constant current.
  const word = (): number => 2000 | (2 << 14) | ((counter++ & 0x3f) << 18);
  device.onData((chunk) => {
    received.push(...chunk);
    for (const b of chunk) {
      if (b === 0x19) void device.write(Buffer.from(`Calibrated: 0\nR0: 1031.64\nHW: 1234\nmode: 2\nEND\n`));
      if (b === 0x06 && !streaming)
        streaming = setInterval(() => {
          const out = Buffer.alloc(4 * 1000);
          for (let i = 0; i < 1000; i++) out.writeUInt32LE(word(), 4 * i);
          void device.write(out).catch(() => undefined);
        }, 10);
      if (b === 0x07 && streaming) {
        clearInterval(streaming);
        streaming = null;
      }
    }
  });
  try {
    const monitor = await Ppk2Monitor.open(pair.a, 'source', { rateHz: 1000, volts: 3.3 });
    await monitor.start();
    assert.match(monitor.description, /PPK2 on .*source meter, VDD 3\.300 V, HW 1234, calibrated 0, 100 kHz averaged to 1000 Hz/);
    await waitFor(() => monitor.samples().length >= 100, 3000, () => new Error('no samples'));
    await monitor.stop();
    await monitor.stop();
    assert.deepEqual(received.slice(0, 9), [0x07, 0x19, 0x11, 2, 0x0d, 0x0c, 0xe4, 0x0c, 1], 'stop, metadata, source mode, 3300 mV = 0x0ce4, DUT on');
    assert.equal(received[9], 0x06);
    assert.equal(received.at(-1), 0x07);
    const samples = monitor.samples();
    // Without GS/GI in the metadata both sources default them to 1: amps = x * (x + 1).
    const x = (8000 * ADC_MULT) / 10.15;
    const expected = x * (x + 1);
    assert.ok(samples.every((s) => Math.abs(s.amps - expected) < 1e-12 && s.volts === 3.3));
    for (let i = 1; i < samples.length; i++) assert.ok(Math.abs(samples[i]!.t - samples[i - 1]!.t - 1e-3) < 1e-9);
    assert.deepEqual(monitor.problems, []);
  } finally {
    if (streaming) clearInterval(streaming);
    await device.close();
    pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PPK2 driver: no metadata is a UserError naming the port; bad voltage and rate are refused', async () => {
  const dir = tempDir('gatebench-ppk2-');
  const pair = await ptyPair(dir);
  const silent = await openSerialPort(pair.b, 115200);
  try {
    const monitor = await Ppk2Monitor.open(pair.a, 'ampere', { rateHz: 1000, replyTimeoutMs: 200 });
    await assert.rejects(monitor.start(), (e: Error) => e instanceof UserError && e.message.startsWith(`PPK2 on ${pair.a} sent no metadata within 200 ms`));
    await monitor.stop();
    await assert.rejects(Ppk2Monitor.open(pair.a, 'source', { rateHz: 1000, volts: 5.5 }), /0\.8 to 5 V, got 5\.5/);
  } finally {
    await silent.close();
    pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
