import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PYTHON = join(ROOT, '.venv-ml', 'bin', 'python');
const SMALL_MODELS = join(ROOT, 'python', 'gatebench_export', 'tests', 'small_models.py');

/** The real exporter on a briefly trained network of `framework` (python/gatebench_export/tests/small_models.py). */
function exportSmallModel(framework: 'difflogic' | 'torchlogix'): { model: string; vectors: string } {
  assert.ok(existsSync(PYTHON), `${PYTHON} is missing: scripts/setup-ml makes it`);
  const dir = tempDir();
  const done = spawnSync(PYTHON, [SMALL_MODELS, framework, dir], { encoding: 'utf8' });
  assert.equal(done.status, 0, `exporting the small ${framework} model failed: ${done.stderr}`);
  return { model: join(dir, 'model.json'), vectors: join(dir, 'model.vectors.json') };
}

function storedOrigin(db: string, hash: string): unknown {
  const store = openStore(db, { create: false });
  try {
    return store.getModel(hash)?.origin ?? null;
  } finally {
    store.close();
  }
}

describe('gatebench import (real difflogic and torchlogix, exported by python/gatebench_export)', () => {
  const exported: Record<string, { model: string; vectors: string }> = {};
  before(() => {
    exported['difflogic'] = exportSmallModel('difflogic');
    exported['torchlogix'] = exportSmallModel('torchlogix');
  });

  for (const framework of ['difflogic', 'torchlogix'] as const) {
    it(`imports a trained ${framework} network with identical class sums on 1,000 vectors and stores its origin`, () => {
      const { model, vectors } = exported[framework]!;
      const db = join(tempDir(), 'results.db');
      const r = runCli(['import', model, '--vectors', vectors, '--db', db, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const result = JSON.parse(r.stdout);
      assert.deepEqual([result.vectors.checked, result.vectors.mismatches], [1000, 0]);
      assert.deepEqual(result.widths, [256, 256, 200]);
      const origin = storedOrigin(db, result.hash) as Record<string, string>;
      assert.equal(origin['framework'], framework);
      assert.equal(origin['frameworkVersion'], framework === 'difflogic' ? '0.1.0' : '0.2.2');
      assert.equal(origin['exporter'], 'gatebench_export');
    });
  }

  it('reports class sums that differ from the framework like a simulation mismatch, and stores nothing', () => {
    const { model, vectors } = exported['difflogic']!;
    const doc = JSON.parse(readFileSync(vectors, 'utf8'));
    // One more neuron counted in class 2 of vector 7: the framework "says" a different sum.
    doc.scores[7][2] += 1 / doc.tau;
    const altered = join(tempDir(), 'altered.vectors.json');
    writeFileSync(altered, JSON.stringify(doc));
    const db = join(tempDir(), 'results.db');
    const r = runCli(['import', model, '--vectors', altered, '--db', db]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /FAIL: 1000 vectors from .*, 1 mismatches/);
    assert.match(r.stdout, /vector 7: reference sums \[[\d ]+\] class \d, difflogic \[[\d ]+\] class \d/);
    assert.match(r.stderr, /1 of 1000 vectors differ .* the model was not stored/);
    const hash = JSON.parse(readFileSync(model, 'utf8')).hash as string;
    const store = openStore(db, { create: false });
    try {
      assert.equal(store.getModel(hash), null);
    } finally {
      store.close();
    }
  });

  it('refuses a bad vectors file in one line naming the file and field (exit 2)', () => {
    const { model, vectors } = exported['torchlogix']!;
    const doc = JSON.parse(readFileSync(vectors, 'utf8'));
    doc.bits[3] = doc.bits[3].slice(1);
    const broken = join(tempDir(), 'broken.vectors.json');
    writeFileSync(broken, JSON.stringify(doc));
    const r = runCli(['import', model, '--vectors', broken, '--db', join(tempDir(), 'results.db')]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /broken\.vectors\.json: field bits\[3\] is .*, expected a string of 64 characters 0 or 1/);
  });
});
