import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadBoard } from '../../src/board/board.js';
import { BoardAbsentError, findProgrammingCable, parseScanUsb, requireBoardAttached, sysfsUsbIds } from '../../src/board/presence.js';
import { tempDir } from '../helpers.js';

/** A sysfs tree of our own: <root>/bus/usb/devices/<name>/idVendor and idProduct, as the kernel writes them. */
function fakeSysfs(devices: Record<string, [string, string] | null>): string {
  const root = tempDir('gatebench-sysfs-');
  const dir = join(root, 'bus', 'usb', 'devices');
  mkdirSync(dir, { recursive: true });
  for (const [name, ids] of Object.entries(devices)) {
    mkdirSync(join(dir, name));
    if (ids) {
      writeFileSync(join(dir, name, 'idVendor'), `${ids[0]}\n`);
      writeFileSync(join(dir, name, 'idProduct'), `${ids[1]}\n`);
    }
  }
  return root;
}

describe('is the board there (before anything is built)', () => {
  const roots: string[] = [];
  const sysfs = (devices: Record<string, [string, string] | null>): string => {
    const root = fakeSysfs(devices);
    roots.push(root);
    return root;
  };
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  const icebreaker = loadBoard('icebreaker');

  it('finds an attached FT2232H in a sysfs tree with a root hub, the cable and its interfaces', async () => {
    // A root hub, the iCEBreaker's FT2232H, and its two interfaces (no ids of their own).
    const root = sysfs({ usb1: ['1d6b', '0002'], '1-1': ['0403', '6010'], '1-1:1.0': null, '1-1:1.1': null });
    assert.deepEqual(sysfsUsbIds(root), ['0403:6010', '1d6b:0002']);
    assert.deepEqual(await findProgrammingCable(icebreaker, { sysfsRoot: root }), { found: true, where: `under ${join(root, 'bus', 'usb', 'devices')}` });
    const saved = process.env['GATEBENCH_SYSFS'];
    process.env['GATEBENCH_SYSFS'] = root;
    try {
      assert.equal((await requireBoardAttached(icebreaker)).found, true, 'GATEBENCH_SYSFS points the check at the tree');
    } finally {
      if (saved === undefined) delete process.env['GATEBENCH_SYSFS'];
      else process.env['GATEBENCH_SYSFS'] = saved;
    }
    // The UPduino's FT232H (0403:6014) is not that cable.
    assert.equal((await findProgrammingCable(loadBoard('upduino3'), { sysfsRoot: root })).found, false);
  });

  it('says no cable, and what to do, when sysfs has no such device or no USB bus at all', async () => {
    for (const root of [sysfs({ usb1: ['1d6b', '0002'], '1-2': ['046d', 'c52b'] }), tempDir('gatebench-sysfs-')]) {
      roots.push(root);
      mkdirSync(join(root, 'bus'), { recursive: true });
      await assert.rejects(requireBoardAttached(icebreaker, { sysfsRoot: root, nextStep: 'or build only' }), (e: unknown) => {
        assert.ok(e instanceof BoardAbsentError && e.reason === 'no-cable', String(e));
        assert.equal(
          e.message,
          `no programming cable or board found for icebreaker: no USB device 0403:6010, the FT2232H channel A, under ${join(root, 'bus', 'usb', 'devices')}; plug the board in (a data USB cable, not a charge-only one); if it is, check lsusb shows its FTDI chip; or build only`,
        );
        return true;
      });
    }
  });

  it('without sysfs, asks openFPGALoader --scan-usb (the real tool; no board on this machine)', async () => {
    const noSysfs = tempDir('gatebench-nosysfs-');
    roots.push(noSysfs);
    assert.equal(sysfsUsbIds(noSysfs), null);
    assert.deepEqual(await findProgrammingCable(icebreaker, { sysfsRoot: noSysfs }), { found: false, where: 'in openFPGALoader --scan-usb' });
  });

  it('reads the USB ids in openFPGALoader --scan-usb output, openable or not', () => {
    const output = [
      'found 3 USB device',
      'Bus device vid:pid       probe type      manufacturer serial               product',
      '001 005    0x0403:0x6010 FTDI2232        FTDI         none                 Dual RS232-HS',
      'Error: can\'t open device with vid:vid = 0x0403:0x6014. Error code -3 Access denied (insufficient permissions)',
    ].join('\n');
    assert.deepEqual(parseScanUsb(output), ['0403:6010', '0403:6014']);
    assert.deepEqual(parseScanUsb('found 0 USB device\nBus device vid:pid       probe type      manufacturer serial               product\n'), []);
  });

  it('a --port that does not exist fails at once', async () => {
    const root = sysfs({ '1-1': ['0403', '6010'] });
    await assert.rejects(requireBoardAttached(icebreaker, { sysfsRoot: root, port: '/dev/gatebench-no-such-tty' }), (e: unknown) => {
      assert.ok(e instanceof BoardAbsentError && e.reason === 'no-port', String(e));
      assert.match(e.message, /^--port: \/dev\/gatebench-no-such-tty does not exist \(expected the icebreaker's UART, FT2232H channel B; /);
      return true;
    });
  });
});
