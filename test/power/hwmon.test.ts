import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findIna2xx, HwmonMonitor, parseHwmonReading } from '../../src/power/hwmon.js';
import { waitFor } from '../../src/power/driver.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';

// A directory laid out like /sys/class/hwmon with the files of Documentation/hwmon/ina2xx.rst.
const root = tempDir('gatebench-hwmon-');
after(() => rmSync(root, { recursive: true, force: true }));

function device(base: string, entry: string, files: Record<string, string>): string {
  const dir = join(base, entry);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), `${text}\n`);
  return dir;
}

test('findIna2xx and open: one device found, none or several are UserErrors listing them', async () => {
  const one = join(root, 'one');
  device(one, 'hwmon0', { name: 'coretemp' });
  const ina = device(one, 'hwmon1', { name: 'ina226', in1_input: '3300', curr1_input: '12', power1_input: '39600', update_interval: '2' });
  assert.deepEqual(findIna2xx(one), [{ dir: ina, name: 'ina226' }]);
  const monitor = await HwmonMonitor.open(null, { rateHz: 1000 }, one);
  assert.equal(monitor.target, ina);
  assert.match(monitor.description, /hwmon ina226 at .*hwmon1, polled every 10\.0 ms/);

  const none = join(root, 'none');
  device(none, 'hwmon0', { name: 'nvme' });
  await assert.rejects(HwmonMonitor.open(null, { rateHz: 1000 }, none), (e: Error) => e instanceof UserError && e.message.startsWith(`--power hwmon: no ina2xx device under ${none}`));

  const two = join(root, 'two');
  const a = device(two, 'hwmon2', { name: 'ina219', in1_input: '5000', curr1_input: '1' });
  const b = device(two, 'hwmon5', { name: 'ina2xx', in1_input: '5000', curr1_input: '1' });
  await assert.rejects(HwmonMonitor.open(null, { rateHz: 1000 }, two), (e: Error) => e instanceof UserError && e.message.includes(`${a} (ina219), ${b} (ina2xx)`) && e.message.includes('hwmon:DIR'));

  await assert.rejects(HwmonMonitor.open(join(one, 'hwmon0'), { rateHz: 1000 }), /is a 'coretemp' device, expected an ina2xx one/);
  await assert.rejects(HwmonMonitor.open(join(root, 'missing'), { rateHz: 1000 }), /is not a hwmon device directory/);
  const noCurrent = device(root, 'nocurr', { name: 'ina219', in1_input: '1' });
  await assert.rejects(HwmonMonitor.open(noCurrent, { rateHz: 1000 }), /has no curr1_input/);
});

test('parseHwmonReading: kernel units to SI, power optional, junk reported', () => {
  assert.deepEqual(parseHwmonReading({ in1: '3300\n', curr1: '-12\n', power1: '39600\n' }), { volts: 3.3, amps: -0.012, watts: 0.0396 });
  assert.deepEqual(parseHwmonReading({ in1: '1200', curr1: '5', power1: null }), { volts: 1.2, amps: 0.005, watts: null });
  assert.equal(parseHwmonReading({ in1: '1200', curr1: 'ERR', power1: null }), "curr1_input is 'ERR', expected an integer");
});

test('HwmonMonitor polls the files: values follow changes, a bad read is a problem by poll number', async () => {
  const dir = device(root, 'live', { name: 'ina219', in1_input: '1200', curr1_input: '7' });
  const monitor = await HwmonMonitor.open(dir, { rateHz: 50 });
  assert.match(monitor.description, /polled every 20\.0 ms/);
  await monitor.start();
  await waitFor(() => monitor.samples().length >= 3, 2000, () => new Error('no samples'));
  writeFileSync(join(dir, 'curr1_input'), 'garbage\n');
  await waitFor(() => monitor.problems.length >= 1, 2000, () => new Error('no problem reported'));
  writeFileSync(join(dir, 'curr1_input'), '9\n');
  await waitFor(() => monitor.samples().some((s) => s.amps === 0.009), 2000, () => new Error('change not seen'));
  await monitor.stop();
  await monitor.stop();
  const n = monitor.samples().length;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(monitor.samples().length, n, 'no polls after stop');
  const s = monitor.samples();
  assert.deepEqual(s[0] && { volts: s[0].volts, amps: s[0].amps, watts: s[0].watts }, { volts: 1.2, amps: 0.007, watts: 1.2 * 0.007 });
  for (let i = 1; i < s.length; i++) assert.ok(s[i]!.t > s[i - 1]!.t);
  assert.match(monitor.problems[0]!, /^poll \d+: curr1_input is 'garbage', expected an integer$/);
});
