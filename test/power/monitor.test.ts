import assert from 'node:assert/strict';
import test from 'node:test';
import { Averager, LineSplitter } from '../../src/power/driver.js';
import { openPowerMonitor, parseMonitorSpec } from '../../src/power/monitor.js';
import { UserError } from '../../src/util/errors.js';

test('parseMonitorSpec: every accepted form', () => {
  assert.deepEqual(parseMonitorSpec('lpm01a:/dev/ttyACM0'), { kind: 'lpm01a', target: '/dev/ttyACM0', baud: null });
  assert.deepEqual(parseMonitorSpec('ppk2:/dev/ttyACM1'), { kind: 'ppk2', target: '/dev/ttyACM1', baud: null, ppk2Mode: 'ampere' });
  assert.deepEqual(parseMonitorSpec('ppk2:/dev/ttyACM1@source'), { kind: 'ppk2', target: '/dev/ttyACM1', baud: null, ppk2Mode: 'source' });
  assert.deepEqual(parseMonitorSpec('ina-serial:/dev/ttyUSB2'), { kind: 'ina-serial', target: '/dev/ttyUSB2', baud: null });
  assert.deepEqual(parseMonitorSpec('ina-serial:/dev/ttyUSB2@230400'), { kind: 'ina-serial', target: '/dev/ttyUSB2', baud: 230400 });
  assert.deepEqual(parseMonitorSpec('hwmon:'), { kind: 'hwmon', target: null, baud: null });
  assert.deepEqual(parseMonitorSpec('hwmon:/sys/class/hwmon/hwmon3'), { kind: 'hwmon', target: '/sys/class/hwmon/hwmon3', baud: null });
});

test('parseMonitorSpec: bad specs are one-line UserErrors naming --power and the forms', () => {
  for (const [spec, why] of [
    ['/dev/ttyACM0', /no instrument kind/],
    ['joulescope:/dev/x', /unknown instrument 'joulescope'/],
    ['lpm01a:', /lpm01a needs a serial port/],
    ['ina-serial:/dev/ttyUSB0@fast', /baud rate after @ is not a number/],
    ['ina-serial:/dev/ttyUSB0@12', /baud rate 12 out of/],
    ['lpm01a:/dev/ttyACM0@9600', /lpm01a takes no @ suffix/],
    ['ppk2:/dev/ttyACM0@ampere', /only ppk2 suffix is '@source'/],
  ] as const) {
    assert.throws(
      () => parseMonitorSpec(spec),
      (e: Error) => e instanceof UserError && /^--power: /.test(e.message) && why.test(e.message) && e.message.includes('lpm01a:PORT') && !e.message.includes('\n'),
      spec,
    );
  }
});

test('openPowerMonitor: a missing port is a UserError naming it', async () => {
  await assert.rejects(openPowerMonitor('lpm01a:/dev/gatebench-no-such-port'), (e: Error) => e instanceof UserError && e.message.includes('/dev/gatebench-no-such-port'));
  await assert.rejects(openPowerMonitor('ppk2:/dev/null', { rateHz: 3000 }), /divides 100000 Hz.*got 3000/);
  await assert.rejects(openPowerMonitor('lpm01a:/dev/null', { rateHz: 10_000 }), /ascii_dec streams at most 5 kHz.*got 10000/);
  await assert.rejects(openPowerMonitor('lpm01a:/dev/null', { volts: 5 }), /1\.8 to 3\.3 V, got 5/);
});

test('Averager: groups of n, NaN left out of the mean, group stamped with its first time', () => {
  const a = new Averager(3);
  const out = [
    [0, 1],
    [1, 2],
    [2, 3],
    [3, NaN],
    [4, 10],
    [5, NaN],
    [6, NaN],
    [7, NaN],
    [8, NaN],
  ].map(([t, v]) => a.push(t!, v!));
  assert.deepEqual(out, [null, null, { t: 0, value: 2 }, null, null, { t: 3, value: 10 }, null, null, null]);
});

test('LineSplitter: lines across chunks, CRLF, numbering, flush', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('ab'), []);
  assert.deepEqual(s.push('c\r\nde\nf'), [
    { line: 'abc', no: 1 },
    { line: 'de', no: 2 },
  ]);
  assert.deepEqual(s.push(Buffer.from('g\n')), [{ line: 'fg', no: 3 }]);
  s.push('tail');
  assert.deepEqual(s.flush(), { line: 'tail', no: 4 });
  assert.equal(s.flush(), null);
});
