import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { buildBitstream, clearToolCache, resolveTool, runPlan, ToolNotFoundError, type CommandPlan } from '../../src/flow/index.js';
import { UserError } from '../../src/util/errors.js';
import { COUNTER, tempDir, writeVerilog } from './verilog.js';

const originalPath = process.env.PATH;

/** A fake nextpnr-ice40 on PATH: answers --version, then misbehaves in a way real tools rarely do. */
function fakeNextpnr(body: string): string {
  const dir = tempDir('gatebench-fake-');
  const file = join(dir, 'nextpnr-ice40');
  writeFileSync(file, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "nextpnr-ice40 -- fake"; exit 0; fi\n${body}\n`);
  chmodSync(file, 0o755);
  process.env.PATH = `${dir}:${originalPath}`;
  clearToolCache();
  return dir;
}

/** Resolves once the fake's first router pass is in the live log (a minute at most). */
async function firstPassLogged(log: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (!(existsSync(log) && readFileSync(log, 'utf8').includes('iter=1'))) {
    assert.ok(Date.now() < until, 'the first pass never reached the log');
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterEach(() => {
  process.env.PATH = originalPath;
  clearToolCache();
});

describe('runPlan', () => {
  it('keeps command line, cwd, exit code, duration, version and the output tails of a failed run', async () => {
    fakeNextpnr('i=1; while [ $i -le 60 ]; do echo "line $i" >&2; i=$((i+1)); done; echo "ERROR: something broke" >&2; exit 3');
    const cwd = tempDir();
    const plan: CommandPlan = { stage: 'pnr', tool: 'nextpnr-ice40', argv: ['--up5k', 'x.json'], inputs: ['x.json'], outputs: [] };
    const r = await runPlan(plan, cwd);
    assert.equal(r.failed, true);
    assert.equal(r.exitCode, 3);
    assert.equal(r.cwd, cwd);
    assert.equal(r.version, 'nextpnr-ice40 -- fake');
    assert.equal(r.origin, 'native');
    assert.deepEqual(r.command.slice(1), ['--up5k', 'x.json']);
    assert.equal(r.error, 'nextpnr-ice40 exited with code 3: ERROR: something broke');
    const tail = r.stderrTail.split('\n');
    assert.equal(tail.length, 40, 'only the tail is kept in the record');
    assert.equal(tail.at(-1), 'ERROR: something broke');
    assert.match(readFileSync(join(cwd, r.logFile), 'utf8'), /line 1\n[\s\S]*ERROR: something broke/, 'the whole log is on disk');
  });

  it('writes the log as the tool prints, so a long run can be followed while it runs', async () => {
    // The fake prints a router pass, then waits until the test has read it in the log and says go.
    fakeNextpnr('echo "Info: iter=1 wires=10 overused=3" >&2; while [ ! -f go ]; do sleep 0.05; done; echo "Info: iter=2 wires=10 overused=0" >&2');
    const cwd = tempDir();
    const plan: CommandPlan = { stage: 'pnr', tool: 'nextpnr-ice40', argv: ['--up5k'], inputs: [], outputs: [] };
    let settled = false;
    const running = runPlan(plan, cwd).finally(() => (settled = true));
    const log = join(cwd, 'pnr.log');
    await firstPassLogged(log);
    assert.equal(settled, false, 'the tool is still running (it waits for go)');
    assert.match(readFileSync(log, 'utf8'), /^\$ \S*nextpnr-ice40 --up5k\n/, 'the command line comes first');
    writeFileSync(join(cwd, 'go'), '');
    const r = await running;
    assert.equal(r.failed, false);
    assert.match(readFileSync(log, 'utf8'), /iter=1[\s\S]*iter=2/);
  });

  it('a work folder removed while the tool prints: one line naming the folder, not an uncaught exception', async () => {
    // The fake waits for go in a folder of its own: its work folder is the one removed.
    const control = tempDir();
    fakeNextpnr(`echo "Info: iter=1" >&2; while [ ! -f ${control}/go ]; do sleep 0.05; done; echo "Info: iter=2" >&2`);
    const cwd = tempDir();
    const plan: CommandPlan = { stage: 'pnr', tool: 'nextpnr-ice40', argv: ['--up5k'], inputs: [], outputs: [] };
    const running = runPlan(plan, cwd);
    const log = join(cwd, 'pnr.log');
    await firstPassLogged(log);
    rmSync(cwd, { recursive: true });
    writeFileSync(join(control, 'go'), '');
    await assert.rejects(running, (e: unknown) => e instanceof UserError && e.message.startsWith(`nextpnr-ice40: its work folder ${cwd} was removed while it ran`));
  });

  it('counts a CPU budget in CPU time: a waiting tool outlives it, a busy one is stopped by it', async () => {
    const plan: CommandPlan = { stage: 'pnr', tool: 'nextpnr-ice40', argv: [], inputs: [], outputs: [] };
    fakeNextpnr('sleep 2; echo done >&2');
    const waiting = await runPlan(plan, tempDir(), { cpuBudgetMs: 300 });
    assert.equal(waiting.failed, false, waiting.error ?? '');
    assert.equal(waiting.outOfBudget, false);
    assert.ok(waiting.durationMs >= 2000, `${waiting.durationMs} ms`);
    fakeNextpnr('while :; do :; done');
    const busy = await runPlan(plan, tempDir(), { cpuBudgetMs: 300 });
    assert.equal(busy.outOfBudget, true);
    assert.equal(busy.failed, true);
    assert.equal(busy.error, 'nextpnr-ice40 used up its CPU budget of 300 ms');
  });

  it('turns a hanging tool into a timed-out result, which the build does not cache', async () => {
    // The timeout is per tool: long enough for the real yosys on a loaded machine, short against the hang.
    // Stopped while routing: the router's progress goes into the message as when a budget stops it.
    fakeNextpnr('echo "Info: Running router2..." >&2; echo "Info:     iter=3 wires=10 overused=7 overuse=7 archfail=NA" >&2; sleep 300');
    const counter = writeVerilog(tempDir(), 'counter.v', COUNTER);
    const cacheDir = tempDir();
    const r = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir, timeoutMs: 20_000, options: { icetime: false } });
    assert.equal(r.status, 'tool-failed');
    assert.match(r.message, /^nextpnr-ice40 timed out after 20000 ms.* \(router2 pass 3, 7 wires still overused\)$/);
    assert.equal(r.figures.routing?.overusedWires, 7);
    const pnr = r.stages.find((s) => s.stage === 'pnr')!;
    assert.equal(pnr.timedOut, true);
    const again = await buildBitstream({ verilogFiles: [counter], top: 'top', board: 'icebreaker', cacheDir, timeoutMs: 20_000, options: { icetime: false } });
    assert.equal(again.cached, false);
  });

  it('names what to install when a tool is missing', async () => {
    process.env.PATH = tempDir();
    clearToolCache();
    await assert.rejects(resolveTool('icetime'), (e: unknown) => {
      assert.ok(e instanceof ToolNotFoundError);
      assert.equal(e.message, 'icetime not found on PATH: install icestorm and its chip database (Debian: apt-get install fpga-icestorm fpga-icestorm-chipdb), then run the command again');
      return true;
    });
  });
});
