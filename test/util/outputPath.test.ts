import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { checkOutputFile, checkOutputFolder } from '../../src/util/outputPath.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';

const oneLine = (message: RegExp) => (e: Error) => e instanceof UserError && message.test(e.message) && !e.message.includes('\n');

test('an output file: a new or existing file in an existing folder, never a folder or under a missing one', () => {
  const dir = tempDir();
  const existing = join(dir, 'old.json');
  writeFileSync(existing, '{}');
  assert.equal(checkOutputFile('--out', join(dir, 'new.json')), join(dir, 'new.json'));
  assert.equal(checkOutputFile('--out', existing), existing, 'an existing file is replaced');
  assert.equal(checkOutputFile('--out', 'relative.json'), resolve('relative.json'));
  assert.throws(() => checkOutputFile('--out', dir), oneLine(/^--out .*: is a folder, expected a file to write$/));
  assert.throws(() => checkOutputFile('--sums', join(dir, 'a', 'b.csv')), oneLine(/^--sums .*a\/b\.csv: the folder .*\/a does not exist \(create it first\)$/));
  assert.throws(() => checkOutputFile('--out', join(existing, 'x.json')), oneLine(/^--out .*old\.json\/x\.json: .*old\.json is not a folder$/));
});

test('an output folder: an existing folder, or a new one in an existing folder, never a file', () => {
  const dir = tempDir();
  const file = join(dir, 'f');
  writeFileSync(file, '');
  mkdirSync(join(dir, 'there'));
  assert.equal(checkOutputFolder('--out', join(dir, 'there')), join(dir, 'there'));
  assert.equal(checkOutputFolder('--out', join(dir, 'new')), join(dir, 'new'));
  assert.throws(() => checkOutputFolder('--out', file), oneLine(/^--out .*\/f: is a file, expected a folder to write into$/));
  assert.throws(() => checkOutputFolder('--out', join(dir, 'a', 'b')), oneLine(/the folder .*\/a does not exist/));
});
