import type { ReferenceResult } from './reference.js';

export function accuracy(result: ReferenceResult, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < result.count; i++) if (result.predictions[i] === labels[i]) correct++;
  return result.count === 0 ? 0 : correct / result.count;
}
