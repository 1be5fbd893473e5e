import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSerialPort } from '../../src/link/port.js';
import { ptyPair } from '../../src/link/pty.js';
import { LineSplitter, waitFor } from '../../src/power/driver.js';
import { InaSerialMonitor, InaSerialParser, type InaEvent } from '../../src/power/inaSerial.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';

const transcripts = join(import.meta.dirname, '..', '..', '..', 'test', 'power', 'transcripts');

// ina-bridge.txt follows format version 1 (docs/power-monitors.md, boards/power/ina-bridge/ina_bridge.ino).
test('InaSerialParser: header, samples in SI units, micros() wrap, malformed / out-of-order / overflow rows as problems', () => {
  const parser = new InaSerialParser();
  const events = parser.push(readFileSync(join(transcripts, 'ina-bridge.txt')));
  assert.deepEqual(parser.header, { version: 1, chip: 'ina226', addr: '0x40', shuntOhms: 0.1, periodUs: 1704 });
  const samples = events.filter((e): e is Extract<InaEvent, { type: 'sample' }> => e.type === 'sample').map((s) => [s.line, s.deviceSeconds, s.volts, s.amps]);
  const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;
  const expected: [number, number, number | null, number][] = [
    [5, 0, 3.3, 1.2345e-3],
    [6, 0.002, 3.29875, -25e-6],
    [11, 0.01, null, 0.5e-3],
    // A new header (here a period change) starts a new device time line; then micros() wraps.
    [13, 0.01, 3.3, 1e-3],
    [14, 0.011704, 3.3, 2e-3],
  ];
  assert.equal(samples.length, expected.length);
  samples.forEach((s, i) => {
    const e = expected[i]!;
    assert.equal(s[0], e[0]);
    assert.ok(close(s[1] as number, e[1]), `line ${e[0]} time ${s[1]}`);
    assert.equal(s[2], e[2]);
    assert.ok(close(s[3] as number, e[3]), `line ${e[0]} amps ${s[3]}`);
  });
  assert.deepEqual(
    events.filter((e) => e.type === 'stopped' || e.type === 'columns').map((e) => [e.type, e.line]),
    [
      ['columns', 4],
      ['stopped', 16],
    ],
  );
  assert.deepEqual(parser.problems, [
    "line 2: sample before the '# gatebench-ina-bridge' header: '1000,3300000,100000,0'",
    'line 7: ovf set (shunt voltage at full scale or ina226 math overflow): current out of range, sample dropped',
    'line 8: t_us 4000 is not after the previous 5000 (out of order or repeated)',
    "line 9: expected 't_us,bus_uV,shunt_nV,ovf' values, got '7000,3301250,100000'",
    "line 10: expected 't_us,bus_uV,shunt_nV,ovf' values, got '9000,3300000,abc,0'",
    'line 15: bridge error: i2c: no answer from the INA',
  ]);
});

test('InaSerialParser: a bad header is a problem and rows stay unparsed until a good one', () => {
  const parser = new InaSerialParser();
  parser.push('# gatebench-ina-bridge 2 chip=ina226 shunt_mohm=100 period_us=2000\n# gatebench-ina-bridge 1 chip=ina3221 shunt_mohm=100 period_us=2000\n10,1,1,0\n');
  assert.equal(parser.header, null);
  assert.deepEqual(parser.problems, [
    'line 1: bridge format version 2, expected 1',
    "line 2: header needs chip=ina219|ina226, shunt_mohm>0 and period_us>0, got 'chip=ina3221 shunt_mohm=100 period_us=2000'",
    "line 3: sample before the '# gatebench-ina-bridge' header: '10,1,1,0'",
  ]);
});

test('INA bridge driver against a scripted bridge on a pty: info, period, start, stop, rail volts when the bus is absent', async () => {
  const dir = tempDir('gatebench-ina-');
  const pair = await ptyPair(dir);
  const bridge = await openSerialPort(pair.b, 115200);
  const commands: string[] = [];
  let period = 2000;
  let timer: NodeJS.Timeout | null = null;
  let micros = 4294960000; // wraps during the run
  const header = (): string => `# gatebench-ina-bridge 1 chip=ina219 addr=0x41 shunt_mohm=50 period_us=${period}\n`;
  const lines = new LineSplitter();
  bridge.onData((chunk) => {
    for (const { line } of lines.push(chunk)) {
      commands.push(line);
      if (line === 'info') void bridge.write(Buffer.from(header()));
      else if (line.startsWith('period ')) {
        period = Math.max(2000, Number(line.slice(7)));
        void bridge.write(Buffer.from(header()));
      } else if (line === 'start') {
        void bridge.write(Buffer.from(`${header()}t_us,bus_uV,shunt_nV,ovf\n`));
        timer = setInterval(() => {
          micros = (micros + period) % 2 ** 32;
          void bridge.write(Buffer.from(`${micros},,25000,0\n`)).catch(() => undefined);
        }, period / 1000);
      } else if (line === 'stop') {
        if (timer) clearInterval(timer);
        void bridge.write(Buffer.from('# stopped\n'));
      }
    }
  });
  try {
    const monitor = await InaSerialMonitor.open(pair.a, null, { rateHz: 100, volts: 1.2 });
    await monitor.start();
    assert.equal(monitor.description, `INA bridge on ${pair.a} at 115200 baud: INA219 at 0x41, shunt 50 mOhm, 100.0 Hz, rail 1.2 V`);
    await waitFor(() => monitor.samples().length >= 20, 3000, () => new Error('no samples'));
    await monitor.stop();
    await monitor.stop();
    assert.deepEqual(commands, ['info', 'period 10000', 'start', 'stop']);
    const samples = monitor.samples();
    assert.ok(samples.every((s) => s.volts === 1.2 && Math.abs(s.amps - 0.5e-3) < 1e-15 && Math.abs(s.watts - 0.6e-3) < 1e-15));
    for (let i = 1; i < samples.length; i++) assert.ok(Math.abs(samples[i]!.t - samples[i - 1]!.t - 0.01) < 1e-9, 'device spacing kept across the wrap');
    assert.deepEqual(monitor.problems, []);
  } finally {
    if (timer) clearInterval(timer);
    await bridge.close();
    pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('INA bridge driver: a silent port is a UserError naming the port and the baud rate', async () => {
  const dir = tempDir('gatebench-ina-');
  const pair = await ptyPair(dir);
  const silent = await openSerialPort(pair.b, 9600);
  try {
    const monitor = await InaSerialMonitor.open(pair.a, 9600, { rateHz: 100, replyTimeoutMs: 300 });
    await assert.rejects(monitor.start(), (e: Error) => e instanceof UserError && e.message.startsWith(`INA bridge on ${pair.a} did not answer 'info' within 300 ms`) && e.message.includes('(9600, set it with @BAUD)'));
    await monitor.stop();
  } finally {
    await silent.close();
    pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
