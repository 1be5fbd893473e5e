import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSeconds } from '../../src/cli/progress.js';

test('durations read as people write them, never "1m60s"', () => {
  assert.equal(formatSeconds(4.4), '4s');
  assert.equal(formatSeconds(119.6), '2m00s');
  assert.equal(formatSeconds(125), '2m05s');
  assert.equal(formatSeconds(3 * 3600 + 61), '3h01m');
});
