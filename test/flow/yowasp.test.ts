import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { restoreToolLookup } from './faults.js';
import { buildBitstream, buildFile, clearToolCache, findPackageDir, resolveTool } from '../../src/flow/index.js';
import { COUNTER, tempDir, writeVerilog } from './verilog.js';

const yowasp = findPackageDir('@yowasp/yosys') !== null && findPackageDir('@yowasp/nextpnr-ice40') !== null;

// With no native tools on PATH and no PyPI virtual environment the flow falls back to the YoWASP
// WebAssembly builds (optional npm dependencies) and records that it did.
describe('YoWASP fallback', { skip: yowasp ? false : 'the optional @yowasp packages are not installed' }, () => {
  restoreToolLookup(after);

  it('builds the counter for the iCEBreaker with WebAssembly yosys, nextpnr and icepack', async () => {
    process.env.PATH = tempDir();
    process.env.GATEBENCH_EDA_VENV = tempDir();
    clearToolCache();
    const yosys = await resolveTool('yosys');
    assert.equal(yosys.origin, 'yowasp-npm');
    assert.match(yosys.version, /^@yowasp\/yosys@/);
    const file = writeVerilog(tempDir(), 'counter.v', COUNTER);
    const r = await buildBitstream({ verilogFiles: [file], top: 'top', board: 'icebreaker', cacheDir: tempDir() });
    assert.equal(r.status, 'ok', r.message);
    assert.equal(r.toolchain.yosys!.origin, 'yowasp-npm');
    assert.equal(r.toolchain['nextpnr-ice40']!.origin, 'yowasp-npm');
    assert.equal(r.toolchain.icepack!.origin, 'yowasp-npm');
    assert.equal(r.toolchain.icetime, undefined, 'icetime has no WebAssembly build: the cross-check is skipped');
    assert.equal(r.options.icetime, false);
    assert.match(r.warnings.join('\n'), /^no icetime cross-check: icetime not found on PATH: install icestorm/, 'said, not silent');
    assert.ok(existsSync(buildFile(r, 'bin')!));
    assert.equal(statSync(buildFile(r, 'bin')!).size, 104090);
    assert.ok(r.figures.fmaxMHz! > 12);
  });
});
