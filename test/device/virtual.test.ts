import assert from 'node:assert/strict';
import { closeSync, constants, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { deviceDesign } from '../../src/device/top.js';
import { buildVirtualBoard, VirtualBoard, type VirtualBuild } from '../../src/device/virtual.js';
import { Link, LinkError } from '../../src/link/link.js';
import { openSerialPort, type BytePort } from '../../src/link/port.js';
import { encodeFrame, FrameDecoder, frameBytes } from '../../src/link/frame.js';
import { CMD, decodeInfo, inferAnswerBytes, inferRequestBytes, theoreticalVectorsPerSecond, u48 } from '../../src/link/protocol.js';
import { streamInfer, StreamError, type StreamAnswers } from '../../src/link/stream.js';
import { evaluateReference } from '../../src/model/reference.js';
import { randomNetwork, randomVectors, tempDir } from '../helpers.js';
import { CAMPAIGN_LINK, CAMPAIGN_MIXES, runCampaign, summarize, type FaultTarget } from '../link/faultCampaign.js';
import { faultyLink, FaultSchedule, type FaultMix, type FaultyLink } from '../link/faultProxy.js';

const BAUD = 3_000_000;
const net = randomNetwork(11, 48, [96, 48], 4);
const design = deviceDesign(net, { clockHz: 12e6, baud: BAUD });
const g = { inputBits: 48, classes: 4, sumBits: design.ports.sumBits };
const data = randomVectors(12, 600, 48, 4);
const ref = evaluateReference(net, data);
// A hang (no answer, no failure) becomes a failure, never a stuck run.
const TEST_TIMEOUT_MS = 60_000;

function checkAnswers(a: StreamAnswers): number {
  let n = 0;
  for (let i = 0; i < a.count; i++) {
    if (a.classIdx[i] === -1) continue;
    n++;
    assert.equal(a.classIdx[i], ref.predictions[i], `class of vector ${i}`);
    for (let c = 0; c < 4; c++) assert.equal(a.sums[i * 4 + c], ref.sums[i * 4 + c], `sum ${c} of vector ${i}`);
  }
  return n;
}

describe('virtual board (Verilator build of gatebench_top behind a pty)', () => {
  let build: VirtualBuild;
  let dir: string;
  const proxies: FaultyLink[] = [];
  // Everything a test opens, closed in after() even when the test failed (else the board process
  // and the open ports keep the test process alive).
  const boards: VirtualBoard[] = [];
  const ports: BytePort[] = [];
  const links: Link[] = [];
  async function startBoard(): Promise<VirtualBoard> {
    const board = await VirtualBoard.start(build);
    boards.push(board);
    return board;
  }
  async function open(path: string): Promise<BytePort> {
    const port = await openSerialPort(path, BAUD);
    ports.push(port);
    return port;
  }
  function track(link: Link): Link {
    links.push(link);
    return link;
  }
  before(async () => {
    dir = tempDir('gatebench-virtual-');
    build = await buildVirtualBoard(design);
  });
  after(async () => {
    for (const l of links) await l.close().catch(() => undefined);
    for (const p of ports) await p.close().catch(() => undefined);
    for (const b of boards) await b.stop('SIGKILL').catch(() => undefined);
    for (const p of proxies) await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function connect(): Promise<{ board: VirtualBoard; link: Link }> {
    const board = await startBoard();
    const link = track(new Link(await open(board.path), { initialTimeoutMs: 3000 }));
    return { board, link };
  }

  it('is lint clean in Verilator -Wall (device sources, generated top and core)', async () => {
    const src = mkdtempSync(join(dir, 'lint-'));
    for (const f of design.files) writeFileSync(join(src, f.name), f.text);
    const r = await execa('verilator', ['--lint-only', '-Wall', '--top-module', 'gatebench_top', ...design.files.map((f) => f.name)], { cwd: src, reject: false, all: true });
    assert.equal(r.exitCode, 0, r.all);
  });

  it('answers INFO, ECHO, STRESS and errors as docs/protocol.md says', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { board, link } = await connect();
    const info = decodeInfo((await link.request(CMD.INFO, new Uint8Array())).payload);
    assert.equal(info.modelId, design.modelId);
    assert.deepEqual([info.inputBits, info.classes, info.sumBits, info.clockHz, info.baud, info.fifoBytes, info.maxPayload], [48, 4, g.sumBits, 12e6, BAUD, 1024, 6]);
    for (const n of [0, 1, 5, 6]) {
      const payload = Uint8Array.from({ length: n }, (_, i) => 0xa5 ^ (i * 37));
      assert.deepEqual(Array.from((await link.request(CMD.ECHO, payload)).payload), Array.from(payload), `echo of ${n} bytes`);
    }
    await assert.rejects(link.request(0x33, new Uint8Array()), (e: unknown) => e instanceof LinkError && e.device && /unknown command/.test(e.message));
    await assert.rejects(link.request(CMD.INFER, new Uint8Array(3)), (e: unknown) => e instanceof LinkError && e.device && /bad length/.test(e.message));
    const start = u48((await link.request(CMD.STRESS_START, new Uint8Array())).payload, 0);
    assert.equal(decodeInfo((await link.request(CMD.INFO, new Uint8Array())).payload).stressing, true);
    await assert.rejects(link.request(CMD.INFER, new Uint8Array(6)), (e: unknown) => e instanceof LinkError && e.device && /busy/.test(e.message));
    // The board keeps simulating while the core is busy (no UART traffic under STRESS).
    await new Promise((r) => setTimeout(r, 300));
    const stop = u48((await link.request(CMD.STRESS_STOP, new Uint8Array())).payload, 0);
    // Paused (the old behaviour) it would advance a few hundred cycles; simulating, hundreds of thousands.
    assert.ok(stop - start > 20_000, `stressed ${stop - start} cycles in 300 ms`);
    await link.close();
    const summary = await board.stop();
    assert.ok(summary && summary.cycles > 0 && summary.framingErrors === 0, JSON.stringify(summary));
    // The core evaluates once per stressed cycle (the STRESS_STOP answer's uptime is taken a cycle or two before the flag drops).
    assert.ok(Math.abs(summary.activeCycles! - (stop - start)) <= 4, `active ${summary.activeCycles} vs stressed ${stop - start}`);
    assert.ok(board.activity && board.activity.activeCycles > 0, 'activity reported while running');
  });

  it('computes every vector exactly as the reference, at >= 90% of the UART maximum by the device clock', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { board, link } = await connect();
    const info0 = decodeInfo((await link.request(CMD.INFO, new Uint8Array())).payload);
    const a = await streamInfer(link, data, g, { window: 32 });
    const info1 = decodeInfo((await link.request(CMD.INFO, new Uint8Array())).payload);
    assert.equal(checkAnswers(a), data.count);
    assert.deepEqual([info1.crcErrors, info1.rxOverflows, info1.framingErrors], [0, 0, 0]);
    assert.deepEqual([...new Set(a.cycles)], [0], 'a combinational core answers in the cycle the vector is presented');
    const rate = data.count / ((info1.uptimeCycles - info0.uptimeCycles) / 12e6);
    const max = theoreticalVectorsPerSecond(g, BAUD);
    assert.ok(rate >= 0.9 * max, `${rate.toFixed(0)} vectors/s of ${max.toFixed(0)}`);
    const resent = link.stats.fastRetransmits + link.stats.timeoutRetransmits + link.stats.crcRetransmits;
    await link.close();
    const summary = await board.stop();
    assert.equal(summary?.activeCycles, data.count + resent, 'one evaluation per INFER the device executed');
  });

  it('announces its pty only once the device is out of reset: requests queued at once are received whole', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The board used to announce before simulating, so a host that wrote at once had its bytes
    // driven onto uart_rx during the device's power-on reset: the receiver started mid-byte and
    // lost the framing of the chained bytes (framing errors, requests unanswered). To queue bytes
    // deterministically at the moment of the announcement, the board's stdout is a full FIFO:
    // it stops in the announcement's write, the requests go into the pty it holds, then the
    // FIFO is drained and it goes on.
    const fifo = join(dir, 'announce.fifo');
    await execa('mkfifo', [fifo]);
    const boardOut = openSync(fifo, constants.O_RDWR);
    const tap = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const chunk = Buffer.alloc(4096);
    const readSome = (fd: number): Buffer => {
      try {
        return chunk.subarray(0, readSync(fd, chunk));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return chunk.subarray(0, 0);
        throw e;
      }
    };
    const readlinkOrNull = (link: string): string | null => {
      try {
        return readlinkSync(link);
      } catch {
        return null;
      }
    };
    const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
    for (;;) {
      try {
        writeSync(tap, chunk.fill(0x2e));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw e;
      }
    }
    // (node's spawn: execa's types take no file descriptor for stdout.)
    const child = spawn(build.binary, [], { stdio: ['ignore', boardOut, 'ignore'] });
    const exited = new Promise((r) => child.once('exit', r));
    closeSync(boardOut);
    let pty = -1;
    try {
      // Stopped in the announcement: the pty (its termios set) is open and stdout is blocked.
      let path: string | undefined;
      while (!path) {
        // (An fd may close between the listing and its readlink: the loader opens and closes libraries.)
        const slave = readdirSync(`/proc/${child.pid}/fd`)
          .map((fd) => readlinkOrNull(`/proc/${child.pid}/fd/${fd}`))
          .find((f) => f?.startsWith('/dev/pts/'));
        if (slave && /pipe_write/.test(readFileSync(`/proc/${child.pid}/wchan`, 'utf8'))) path = slave;
        else await pause();
      }
      const seqs = [0x80, 0x81, 0x82];
      pty = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
      writeSync(pty, Buffer.concat(seqs.map((seq) => encodeFrame({ cmd: CMD.INFO, seq, payload: new Uint8Array() }))));
      let out = '';
      while (!out.includes(`gatebench-virtual pty ${path} `)) {
        const got = readSome(tap);
        out = (out + got.toString('latin1')).slice(-4096);
        if (got.length === 0) await pause();
      }
      // The device answers in order: the last request's answer ends the exchange (and its counters cover all three).
      const answers = new Map<number, Uint8Array>();
      const decoder = new FrameDecoder();
      while (!answers.has(0x82)) {
        readSome(tap);  // activity reports: keep the board's stdout flowing
        const got = readSome(pty);
        for (const f of decoder.push(got)) answers.set(f.seq, f.payload);
        if (got.length === 0) await pause();
      }
      const info = decodeInfo(answers.get(0x82)!);
      assert.deepEqual([info.crcErrors, info.rxOverflows, info.framingErrors], [0, 0, 0]);
      assert.deepEqual([...answers.keys()], seqs, 'every request answered');
    } finally {
      if (pty >= 0) closeSync(pty);
      child.kill('SIGTERM');
      await exited;
      closeSync(tap);
    }
  });

  it('recovers from garbage and corrupted bytes in both directions, checking every vector', { timeout: TEST_TIMEOUT_MS }, async () => {
    const board = await startBoard();
    // host <-> proxy.hostPath ~ socat ~ fault proxy <-> virtual board; faults fall by byte offset.
    const mix: FaultMix = { garbage: 0.05, flip: 0.05 };
    const units = { toDevice: frameBytes(inferRequestBytes(g)), toHost: frameBytes(inferAnswerBytes(g)) };
    const proxy = await faultyLink(board.path, dir, new FaultSchedule(51, mix, units.toDevice), new FaultSchedule(52, mix, units.toHost), BAUD);
    proxies.push(proxy);
    const link = track(new Link(await open(proxy.hostPath), { initialTimeoutMs: 3000, minTimeoutMs: 200, maxTimeoutMs: 2000 }));
    const a = await streamInfer(link, data, g, { window: 8 });
    assert.equal(checkAnswers(a), data.count, 'every vector answered and right');
    // Every vector went through each direction at least once: the faults the seeds place in those bytes were injected.
    const guaranteed = FaultSchedule.faultsBefore(51, mix, units.toDevice, data.count * units.toDevice) + FaultSchedule.faultsBefore(52, mix, units.toHost, data.count * units.toHost);
    assert.ok(guaranteed > 50, `the seeds place ${guaranteed} faults in the first 600 requests and answers`);
    assert.ok(proxy.toDevice.faults + proxy.toHost.faults >= guaranteed, `${proxy.toDevice.faults} + ${proxy.toHost.faults} faults injected`);
    const s = link.stats;
    assert.ok(s.fastRetransmits + s.timeoutRetransmits + s.crcRetransmits > 0, JSON.stringify(s));
    assert.equal(s.answers, data.count);
    // The device saw corrupted requests too (counted in INFO).
    const info = decodeInfo((await link.request(CMD.INFO, new Uint8Array())).payload);
    assert.ok(info.crcErrors + info.framingErrors > 0 || s.crcRetransmits > 0, JSON.stringify(info));
    assert.equal(info.rxOverflows, 0);
    await link.close();
    await proxy.close();
    await board.stop();
  });

  it('ends every run of a few fault-campaign seeds: answers checked, or a clear error keeping the answers', { timeout: 4 * TEST_TIMEOUT_MS }, async (t) => {
    const target: FaultTarget = {
      net,
      data,
      g,
      start: async () => {
        const board = await startBoard();
        return { path: board.path, baud: BAUD, stop: async () => void (await board.stop()) };
      },
    };
    const mixes = CAMPAIGN_MIXES.filter((m) => /^garbage 50%|^dies \(to host/.test(m.name));
    const runs = await runCampaign(target, dir, { mixes, seedsPerMix: 2, vectors: 150, link: CAMPAIGN_LINK, boundMs: TEST_TIMEOUT_MS, concurrency: 1 });
    for (const line of summarize(runs)) t.diagnostic(line);
    assert.equal(runs.length, 6);
    for (const r of runs) {
      const what = JSON.stringify(r);
      assert.equal(r.outcome, r.mix.startsWith('dies') ? 'error' : 'complete', what);
      assert.ok(r.outcome === 'complete' || r.clear, what);
      assert.deepEqual([r.mismatches, r.countedTwice, r.unsettled], [0, 0, 0], what);
      assert.ok(r.faults >= r.guaranteedFaults, what);
    }
  });

  it('fails clearly when the board vanishes mid-run, keeping the answers received', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { board, link } = await connect();
    let killed = false;
    const run = streamInfer(link, data, g, {
      window: 16,
      onAnswer: (_i, received) => {
        if (received === 200 && !killed) {
          killed = true;
          board.kill();
        }
      },
    });
    await assert.rejects(run, (e: unknown) => {
      assert.ok(e instanceof StreamError && e.disconnected, `disconnected StreamError, got ${String(e)}`);
      assert.ok(e.answers.received >= 200 && e.answers.received < data.count, `kept ${e.answers.received}`);
      assert.equal(checkAnswers(e.answers), e.answers.received);
      return true;
    });
  });
});
