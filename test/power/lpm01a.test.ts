import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openSerialPort } from '../../src/link/port.js';
import { ptyPair } from '../../src/link/pty.js';
import { decodeAsciiDec, LPM01A_BAUD, Lpm01aMonitor, Lpm01aParser, type Lpm01aEvent } from '../../src/power/lpm01a.js';
import { hostSeconds } from '../../src/power/driver.js';
import { VirtualLpm01a } from '../../src/power/virtualLpm01a.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';

const transcripts = join(import.meta.dirname, '..', '..', '..', 'test', 'power', 'transcripts');

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

test('decodeAsciiDec: UM2269 example and exponents both ways', () => {
  assert.equal(decodeAsciiDec('6409-07'), 6409e-7);
  assert.equal(decodeAsciiDec('1234-06'), 1.234e-3);
  assert.equal(decodeAsciiDec('0001+02'), 100);
  assert.equal(decodeAsciiDec('640-07'), null);
  assert.equal(decodeAsciiDec('6409e-07'), null);
});

// lpm01a-session.txt follows UM2269 and the firmware help quoted in the MLPerf Tiny runner.
test('Lpm01aParser: the session transcript gives samples, replies, status and problems by line', () => {
  const parser = new Lpm01aParser();
  const events = parser.push(readFileSync(join(transcripts, 'lpm01a-session.txt')));
  const samples = events.filter((e): e is Extract<Lpm01aEvent, { type: 'sample' }> => e.type === 'sample');
  assert.deepEqual(
    samples.map((s) => [s.line, s.amps]),
    [
      [10, 6409e-7],
      [11, 6411e-7],
      [12, 1.234e-3],
      [14, 6410e-7],
      [14, 6412e-7],
      [16, 0],
      [17, 1],
      [19, 6408e-7],
    ],
  );
  const acks = events.filter((e) => e.type === 'ack').map((e) => (e as { text: string }).text);
  assert.deepEqual(acks, ['htc', 'powershield PowerShield present, board ID 0x20374E5A5031', 'version 1.0.5', 'freq 1k', 'volt get 3292-03', 'start', 'stop']);
  assert.deepEqual(
    events.filter((e) => e.type === 'status').map((e) => [(e as { seconds: number }).seconds, (e as { bufferPercent: number }).bufferPercent]),
    [
      [0, 0],
      [1, 62],
    ],
  );
  assert.deepEqual(events.find((e) => e.type === 'end'), { type: 'end', line: 22 });
  assert.deepEqual(
    events.filter((e) => e.type === 'info').map((e) => (e as { text: string }).text),
    ['Summary: 8 samples'],
  );
  assert.deepEqual(parser.problems, [
    'line 6: instrument error: freq 300',
    'line 7: instrument error detail: frequency not in list',
    "line 13: unexpected '12a4-06'",
    "line 15: instrument transmit buffer at 62% (samples may be lost): 'TimeStamp: 001s 000ms, buff 62%'",
    "line 18: instrument reports overcurrent: 'Overcurrent detected'",
    "line 20: unexpected 'hello there'",
  ]);
});

test('Lpm01aParser: the transcript fed one byte at a time gives the same events', () => {
  const bytes = readFileSync(join(transcripts, 'lpm01a-session.txt'));
  const whole = new Lpm01aParser();
  const expected = whole.push(bytes);
  const split = new Lpm01aParser();
  const got: Lpm01aEvent[] = [];
  for (let i = 0; i < bytes.length; i++) got.push(...split.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(got, expected);
  assert.deepEqual(split.problems, whole.problems);
});

test('Lpm01aParser: garbage bytes are a problem naming the line, shown escaped', () => {
  const parser = new Lpm01aParser();
  const events = parser.push(Buffer.from([0x36, 0x34, 0x30, 0x39, 0x2d, 0x30, 0x37, 0x0a, 0xff, 0x00, 0x31, 0x0a, 0x36, 0x34, 0x31, 0x30, 0x2d, 0x30, 0x37, 0x0a]));
  assert.equal(events.length, 2);
  assert.deepEqual(parser.problems, ["line 2: unexpected '\\xff\\x001'"]);
});

describe('LPM01A driver against the virtual instrument over a pty', () => {
  let dir: string;
  before(() => {
    dir = tempDir('gatebench-lpm-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('set-up, a constant 1.234 mA: median within noise, 1 kHz spacing, clean idempotent stop', async () => {
    const instrument = await VirtualLpm01a.start({ current: () => 1.234e-3, noise: { relative: 0.01, absoluteAmps: 2e-6 }, seed: 7, dir: mkdtempSync(join(dir, 'c-')) });
    try {
      const monitor = await Lpm01aMonitor.open(instrument.path, { rateHz: 1000, volts: 1.8 });
      await monitor.start();
      await monitor.start();
      assert.match(monitor.description, /LPM01A.*PowerShield present.*firmware 1\.0\.5.*supply 1\.800 V.*1000 Hz/);
      await new Promise((r) => setTimeout(r, 600));
      await monitor.stop();
      await monitor.stop();
      const samples = monitor.samples();
      assert.ok(samples.length >= 550 && samples.length <= 1000, `${samples.length} samples in ~0.6 s`);
      const amps = median(samples.map((s) => s.amps));
      assert.ok(Math.abs(amps - 1.234e-3) < 1.234e-3 * 0.002 + 1e-6, `median ${amps}`);
      for (let i = 1; i < samples.length; i++) assert.ok(Math.abs(samples[i]!.t - samples[i - 1]!.t - 1e-3) < 1e-9);
      assert.ok(samples.every((s) => s.volts === 1.8 && Math.abs(s.watts - 1.8 * s.amps) < 1e-15));
      assert.deepEqual(monitor.problems, []);
      assert.deepEqual(instrument.received, ['htc', 'powershield', 'version', 'pwr off', 'acqtime inf', 'trigdelay 0', 'trigsrc sw', 'output current', 'format ascii_dec', 'freq 1k', 'volt 1800m', 'volt get', 'pwr on nostatus', 'start', 'stop', 'hrc']);
      assert.equal(instrument.acquiring, false);
    } finally {
      await instrument.stop();
    }
  });

  test('a current step half-way shows in the samples at the right host time', async () => {
    let stepAt = Infinity;
    const instrument = await VirtualLpm01a.start({ current: (t) => (t < stepAt ? 0.5e-3 : 2.5e-3), seed: 2, dir: mkdtempSync(join(dir, 's-')) });
    try {
      const monitor = await Lpm01aMonitor.open(instrument.path, { rateHz: 1000 });
      await monitor.start();
      await new Promise((r) => setTimeout(r, 300));
      stepAt = hostSeconds() + 0.05;
      await new Promise((r) => setTimeout(r, 350));
      await monitor.stop();
      const samples = monitor.samples();
      const firstHigh = samples.findIndex((s) => s.amps > 1.5e-3);
      assert.ok(firstHigh > 0, 'the step is in the samples');
      assert.ok(samples.slice(0, firstHigh).every((s) => s.amps === 0.5e-3));
      assert.ok(samples.slice(firstHigh).every((s) => s.amps === 2.5e-3));
      // The driver stamps from `ack start`, which arrives a pty hop after the instrument's start
      // (0.4-4 ms here); the bound leaves room for a loaded machine.
      const error = samples[firstHigh]!.t - stepAt;
      assert.ok(error >= 0 && error < 0.05, `step seen ${(error * 1000).toFixed(2)} ms after it happened`);
      assert.deepEqual(monitor.problems, []);
    } finally {
      await instrument.stop();
    }
  });

  test('an error reply to a command is a UserError naming the command and the reply', async () => {
    const instrument = await VirtualLpm01a.start({ current: () => 1e-3, dir: mkdtempSync(join(dir, 'e-')) });
    try {
      const monitor = await Lpm01aMonitor.open(instrument.path, { rateHz: 1000 });
      await assert.rejects(monitor.command('freq 50k'), (e: Error) => e instanceof UserError && e.message.includes("refused 'freq 50k': error freq 50k (frequency too high for format ascii_dec") && e.message.includes(instrument.path));
      await assert.rejects(monitor.command('frobnicate'), /refused 'frobnicate': error frobnicate \(unknown command 'frobnicate'/);
      assert.equal(await monitor.command('volt get'), 'get 3300-03');
      await monitor.stop();
      await monitor.stop();
    } finally {
      await instrument.stop();
    }
  });

  test('an instrument that never answers: a timeout error naming the port', async () => {
    const pair = await ptyPair(mkdtempSync(join(dir, 'silent-')));
    const silent = await openSerialPort(pair.b, LPM01A_BAUD);
    try {
      const monitor = await Lpm01aMonitor.open(pair.a, { rateHz: 1000, replyTimeoutMs: 300 });
      const t0 = performance.now();
      await assert.rejects(monitor.start(), (e: Error) => e instanceof UserError && e.message === `LPM01A on ${pair.a} did not answer 'htc' within 300 ms: check the port (it must be the PowerShield's ST-Link virtual COM port) and that no other program uses it`);
      // A hang guard, not a speed claim: the reply timeout is 300 ms.
      assert.ok(performance.now() - t0 < 10_000);
      await monitor.stop();
    } finally {
      await silent.close();
      pair.stop();
    }
  });
});
