import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Link, LinkError } from '../../src/link/link.js';
import { openSerialPort } from '../../src/link/port.js';
import { CMD, decodeInfo } from '../../src/link/protocol.js';
import { streamInfer, StreamError, type StreamAnswers } from '../../src/link/stream.js';
import { evaluateReference } from '../../src/model/reference.js';
import { sumBits } from '../../src/model/network.js';
import { randomNetwork, randomVectors, tempDir } from '../helpers.js';
import { ptyPair, SoftDevice, type Faults, type PtyPair } from './softDevice.js';

const net = randomNetwork(7, 40, [60, 30], 3);
const g = { inputBits: 40, classes: 3, sumBits: sumBits(net) };
const data = randomVectors(8, 400, 40, 3);
const ref = evaluateReference(net, data);

function checkAnswers(a: StreamAnswers, upTo = a.count): number {
  let received = 0;
  for (let i = 0; i < upTo; i++) {
    if (a.classIdx[i] === -1) continue;
    received++;
    assert.equal(a.classIdx[i], ref.predictions[i], `class of vector ${i}`);
    for (let c = 0; c < 3; c++) assert.equal(a.sums[i * 3 + c], ref.sums[i * 3 + c], `sum ${c} of vector ${i}`);
  }
  return received;
}

describe('transport over a socat pty pair', () => {
  let dir: string;
  const pairs: PtyPair[] = [];
  before(() => {
    dir = tempDir('gatebench-link-');
  });
  after(() => {
    for (const p of pairs) p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setup(name: string, faults: Faults): Promise<{ link: Link; device: SoftDevice; pair: PtyPair }> {
    const pair = await ptyPair(mkdtempSync(join(dir, `${name}-`)));
    pairs.push(pair);
    const device = await SoftDevice.open(pair.b, net, faults);
    const link = new Link(await openSerialPort(pair.a, 115200), { initialTimeoutMs: 300, minTimeoutMs: 50 });
    return { link, device, pair };
  }

  it('streams every vector once, in a window, on a clean link', async () => {
    const { link, device } = await setup('clean', {});
    const info = decodeInfo((await link.request(CMD.INFO, new Uint8Array())).payload);
    assert.equal(info.inputBits, 40);
    const a = await streamInfer(link, data, g, { window: 16 });
    assert.equal(a.received, data.count);
    assert.equal(checkAnswers(a), data.count);
    // (A loaded machine may still time a request out and resend it: assert on what the test controls.)
    assert.equal(link.stats.answers, data.count + 1, 'each request answered once');
    assert.equal(link.stats.decoder.garbageBytes + link.stats.decoder.crcErrors, 0, 'nothing damaged on a clean link');
    assert.ok(device.answered >= data.count + 1);
    await link.close();
    await device.close();
  });

  it('recovers from lost requests, corrupted answers and garbage, checking every vector', async () => {
    const { link, device } = await setup('faults', { dropRequest: 0.05, corruptAnswer: 0.05, garbage: 0.1, seed: 3 });
    const a = await streamInfer(link, data, g, { window: 16 });
    assert.equal(a.received, data.count, 'every vector answered');
    assert.equal(checkAnswers(a), data.count, 'and each answer is right');
    assert.ok(device.dropped > 5 && device.corrupted > 5, `faults were injected: ${device.dropped} dropped, ${device.corrupted} corrupted`);
    const s = link.stats;
    assert.ok(s.fastRetransmits + s.timeoutRetransmits >= device.dropped, `resent ${JSON.stringify(s)}`);
    assert.ok(s.decoder.garbageBytes > 0 && s.decoder.crcErrors + s.decoder.badLengths > 0, `decoder saw the damage: ${JSON.stringify(s.decoder)}`);
    assert.equal(s.answers, data.count, 'no vector counted twice');
    await link.close();
    await device.close();
  });

  it('fails clearly when the port goes away mid-run, keeping the answers received', async () => {
    const { link, device, pair } = await setup('vanish', {});
    let killedAt = -1;
    const run = streamInfer(link, data, g, {
      window: 8,
      onAnswer: (_i, received) => {
        if (received === 100 && killedAt < 0) {
          killedAt = received;
          pair.stop();
        }
      },
    });
    const started = performance.now();
    await assert.rejects(run, (e: unknown) => {
      assert.ok(e instanceof StreamError, `a StreamError, got ${String(e)}`);
      assert.ok(e instanceof LinkError && e.disconnected, 'classified as disconnected');
      assert.match(e.message, /went away/);
      assert.ok(e.answers.received >= 100 && e.answers.received < data.count, `kept ${e.answers.received} answers`);
      assert.equal(checkAnswers(e.answers), e.answers.received);
      return true;
    });
    assert.ok(performance.now() - started < 5000, 'and fails fast');
    await device.close().catch(() => undefined);
  });
});
