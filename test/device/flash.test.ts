import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadBoard } from '../../src/board/board.js';
import { classifyFlashOutput, FlashError, flashBitstream } from '../../src/device/flash.js';
import { tempDir } from '../helpers.js';

describe('flashing through openFPGALoader', () => {
  const dir = tempDir('gatebench-flash-');
  const bin = join(dir, 'design.bin');
  writeFileSync(bin, Buffer.alloc(1024, 0xff));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fails cleanly and fast with no cable attached (the real tool, no board here)', async () => {
    const started = performance.now();
    await assert.rejects(flashBitstream(loadBoard('icebreaker'), bin), (e: unknown) => {
      assert.ok(e instanceof FlashError, String(e));
      assert.equal(e.reason, 'no-cable');
      assert.match(e.message, /no programming cable or board found/);
      assert.deepEqual(e.command, ['openFPGALoader', '-b', 'ice40_generic', bin]);
      return true;
    });
    assert.ok(performance.now() - started < 10_000);
  });

  it('says when the tool is not installed', async () => {
    await assert.rejects(flashBitstream(loadBoard('icebreaker'), bin, { executable: join(dir, 'no-such-openFPGALoader') }), (e: unknown) => {
      assert.ok(e instanceof FlashError && e.reason === 'tool-missing', String(e));
      assert.match(e.message, /not installed/);
      return true;
    });
  });

  it('does not trust the exit code: FAIL with exit 0 is a failure, DONE is success', () => {
    assert.deepEqual(classifyFlashOutput('openFPGALoader', 'write to flash\nErasing: [====] 100.00%\nWriting: [====] 100.00%\nVerifying: FAIL\n', 0), { ok: false, reason: 'failed', detail: 'Verifying: FAIL' });
    assert.deepEqual(classifyFlashOutput('openFPGALoader', 'Writing: [====] 100.00% Done\nVerifying: DONE\n', 0), { ok: true });
    assert.equal((classifyFlashOutput('openFPGALoader', 'unable to open ftdi device: -4 (usb_open() failed)\nError: Failed to claim cable', 1) as { reason: string }).reason, 'usb-permission');
    assert.equal((classifyFlashOutput('openFPGALoader', 'unable to open ftdi device: -3 (device not found)\nError: Failed to claim cable', 1) as { reason: string }).reason, 'no-cable');
    assert.equal(classifyFlashOutput('openFPGALoader', '', 0).ok, false, 'no DONE: not a success');
  });
});
