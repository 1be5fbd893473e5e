import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSerialPort, type BytePort } from '../../src/link/port.js';
import { LPM01A_BAUD, Lpm01aParser, type Lpm01aEvent } from '../../src/power/lpm01a.js';
import { waitFor } from '../../src/power/driver.js';
import { encodeAsciiDec, parseFirmwareNumber, VirtualLpm01a } from '../../src/power/virtualLpm01a.js';

test('encodeAsciiDec / parseFirmwareNumber: the firmware notations', () => {
  assert.equal(encodeAsciiDec(6409e-7), '6409-07');
  assert.equal(encodeAsciiDec(1.234e-3), '1234-06');
  assert.equal(encodeAsciiDec(0.09999999), '1000-04');
  assert.equal(encodeAsciiDec(0), '0000-10');
  assert.equal(encodeAsciiDec(-1e-6), '0000-10');
  assert.equal(encodeAsciiDec(12.5), '1250-02');
  assert.equal(parseFirmwareNumber('3300m'), 3.3);
  assert.equal(parseFirmwareNumber('2-3'), 0.002);
  assert.equal(parseFirmwareNumber('100u'), 1e-4);
  assert.equal(parseFirmwareNumber('1k'), 1000);
  assert.equal(parseFirmwareNumber('30'), 30);
  assert.equal(parseFirmwareNumber('3.3V'), null);
});

/** A raw host session: send lines, collect parsed events. */
async function session(instrument: VirtualLpm01a): Promise<{ port: BytePort; events: Lpm01aEvent[]; parser: Lpm01aParser; send(line: string): Promise<Lpm01aEvent> }> {
  const port = await openSerialPort(instrument.path, LPM01A_BAUD);
  const parser = new Lpm01aParser();
  const events: Lpm01aEvent[] = [];
  port.onData((c) => events.push(...parser.push(c)));
  return {
    port,
    events,
    parser,
    async send(line) {
      const from = events.length;
      await port.write(Buffer.from(`${line}\n`));
      let reply: Lpm01aEvent | undefined;
      await waitFor(() => (reply = events.slice(from).find((e) => e.type === 'ack' || e.type === 'error')) !== undefined, 2000, () => new Error(`no reply to ${line}`));
      return reply!;
    },
  };
}

test('virtual LPM01A: argument checks, the ascii_dec frequency cap, acqtime ending the acquisition by itself', async () => {
  const instrument = await VirtualLpm01a.start({ current: () => 2e-3 });
  try {
    const s = await session(instrument);
    assert.deepEqual(await s.send('start'), { type: 'error', text: 'start', line: 1 });
    assert.equal(s.events.at(-1)?.type, 'errorDetail');
    assert.equal((await s.send('htc')).type, 'ack');
    for (const bad of ['volt 3400m', 'volt 1', 'freq 3k', 'freq 50k', 'acqtime 200', 'format csv', 'pwr on loud', 'bogus']) assert.equal((await s.send(bad)).type, 'error', bad);
    // 20 kHz ascii is allowed only for at most 0.5 s.
    for (const ok of ['freq 20k', 'acqtime inf']) assert.equal((await s.send(ok)).type, 'ack', ok);
    assert.equal((await s.send('start')).type, 'error');
    for (const ok of ['acqtime 250m', 'pwr on status']) assert.equal((await s.send(ok)).type, 'ack', ok);
    const t0 = performance.now();
    assert.deepEqual(await s.send('start'), { type: 'ack', text: 'start', line: 26 });
    await waitFor(() => s.events.some((e) => e.type === 'end'), 10_000, () => new Error('no end of acquisition'));
    const took = performance.now() - t0;
    const samples = s.events.filter((e) => e.type === 'sample');
    assert.equal(samples.length, 5000);
    assert.ok(samples.every((e) => (e as { amps: number }).amps === 2e-3));
    // It ends by itself after its 0.25 s (the upper bound only catches an acquisition that never ends).
    assert.ok(took >= 240 && took < 10_000, `0.25 s acquisition took ${took.toFixed(0)} ms`);
    assert.deepEqual(
      s.events.filter((e) => e.type === 'info').map((e) => (e as { text: string }).text),
      ['Target power on', 'Target power on', 'Summary: 5000 samples at 20000 Hz, 0.250 s'],
    );
    // `pwr ... status` adds the target power status lines; they are not samples or problems.
    assert.deepEqual(s.parser.problems.filter((p) => !/instrument error/.test(p)), []);
    assert.equal(instrument.acquiring, false);
    assert.equal((await s.send('stop')).type, 'error', 'stop with no acquisition');
    await s.port.close();
  } finally {
    await instrument.stop();
    await instrument.stop();
  }
});

test('virtual LPM01A: one TimeStamp line a second, commands refused while acquiring, stop ends with the end lines', async () => {
  const instrument = await VirtualLpm01a.start({ current: () => 5e-4 });
  try {
    const s = await session(instrument);
    for (const c of ['htc', 'acqtime 0', 'freq 5k', 'pwr on nostatus', 'start']) assert.equal((await s.send(c)).type, 'ack', c);
    assert.equal((await s.send('freq 1k')).type, 'error');
    await waitFor(() => s.events.some((e) => e.type === 'status'), 2500, () => new Error('no TimeStamp line after 1 s'));
    const stop = await s.send('stop');
    assert.equal(stop.type === 'ack' && stop.text, 'stop');
    await waitFor(() => s.events.some((e) => e.type === 'end'), 1000, () => new Error('no Acquisition completed'));
    const status = s.events.filter((e) => e.type === 'status');
    assert.deepEqual(status[0], { type: 'status', seconds: 1, bufferPercent: 0, line: status[0]!.line });
    // The TimeStamp line comes after exactly one second of samples.
    const before = s.events.filter((e) => e.type === 'sample' && e.line < status[0]!.line).length;
    assert.equal(before, 5000);
    assert.deepEqual(s.parser.problems, ['line 6: instrument error: freq 1k', 'line 7: instrument error detail: acquisition in progress, send stop first']);
    await s.port.close();
  } finally {
    await instrument.stop();
  }
});
