import { totalmem } from 'node:os';
import { UserError } from '../util/errors.js';
import { GATE_COUNT } from './gates.js';

const FLOAT_BYTES = 4;
/**
 * Per gate, whatever the batch (src/model/train.ts): its 16 logits, their tensor copy, their
 * gradient, Adam's two moments, the softmax mixture (16 probabilities, 4 coefficients and their 4
 * gradients), and its two input indices (int32).
 */
export const PARAMETER_BYTES_PER_GATE = (5 * GATE_COUNT + GATE_COUNT + 8) * FLOAT_BYTES + 2 * 4;
/** Per gate and batch sample: the layer's output, its gradient and the gradient it hands down. */
const TRAINING_FLOATS_PER_SAMPLE = 3;
/** The relaxed accuracy runs the test set in chunks of this many samples, keeping every layer's output. */
export const EVALUATION_CHUNK = 1000;

export interface TrainingSize {
  inputBits: number;
  widths: readonly number[];
  batch: number;
  testCount: number;
}

/**
 * A lower bound of the memory training takes at its peak, in bytes: what the arrays named above
 * need, nothing for tfjs, Node or the dataset. Sizes beyond it cannot train on this machine.
 */
export function trainingBytes(size: TrainingSize): { total: number; perGate: number; gates: number } {
  const gates = size.widths.reduce((sum, w) => sum + w, 0);
  const samples = Math.max(TRAINING_FLOATS_PER_SAMPLE * size.batch, Math.min(EVALUATION_CHUNK, size.testCount));
  const perGate = PARAMETER_BYTES_PER_GATE + samples * FLOAT_BYTES;
  const inputs = size.inputBits * Math.max(size.batch, Math.min(EVALUATION_CHUNK, size.testCount)) * FLOAT_BYTES;
  return { total: gates * perGate + inputs, perGate, gates };
}

/** The memory this process may use: the machine's, or its cgroup's limit when lower. */
export function memoryLimitBytes(): number {
  const total = totalmem();
  const constrained = process.constrainedMemory?.();
  return constrained !== undefined && constrained > 0 && constrained < total ? constrained : total;
}

function gib(bytes: number): string {
  const g = bytes / 2 ** 30;
  return g >= 10 ? `${g.toFixed(0)} GiB` : `${g.toFixed(1)} GiB`;
}

/**
 * Refuse, before any work, a network that cannot be trained in this machine's memory (it would run
 * for minutes and then die in an allocation). `flag` names what set the widths.
 */
export function checkTrainingFits(flag: string, size: TrainingSize, limitBytes = memoryLimitBytes()): void {
  const need = trainingBytes(size);
  if (need.total <= limitBytes) return;
  throw new UserError(
    `${flag} ${size.widths.join(',')}: ${need.gates.toLocaleString('en-US')} gates need at least ${gib(need.total)} to train ` +
      `(${need.perGate.toLocaleString('en-US')} bytes per gate at batch ${size.batch}), this machine has ${gib(limitBytes)}`,
  );
}
