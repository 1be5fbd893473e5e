import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { Adam } from './adam.js';
import type { Augmenter } from '../data/augment.js';
import type { TrainingSet } from '../data/encoding.js';
import { Rng } from '../util/rng.js';
import { GATE_COEFFICIENTS, GATE_COUNT } from './gates.js';
import { gateMixture, gateMixtureBackward, groupSum, groupSumBackward, logicBackward, logicForward, type LayerShape } from './logicKernel.js';
import type { Architecture, DiscreteNetwork, InitMode } from './network.js';
import { EVALUATION_CHUNK } from './memory.js';
import { loadTf, type Tf } from './tf.js';
import { drawWiring, type LayerWiring } from './wiring.js';

export interface TrainOptions {
  architecture: Architecture;
  /** 'normal': standard normal logits (difflogic 2022); 'residual': ~90% on gate 'a' (Petersen et al. 2024). */
  init: InitMode;
  seed: number;
  batch: number;
  /** Builds each training batch (e.g. randomly shifted images); default: the encoded set as is. */
  augment?: Augmenter;
  lr: number;
  iterations: number;
  onProgress?: (progress: TrainProgress) => void;
}

export interface TrainProgress {
  iteration: number;
  iterations: number;
  loss: number;
  samplesPerSecond: number;
}

export interface TrainResult {
  network: DiscreteNetwork;
  relaxedTestAccuracy: number | null;
  finalLoss: number;
  seconds: number;
  samplesPerSecond: number;
  backend: string;
}

const GATE_TABLE = Float32Array.from(GATE_COEFFICIENTS.flat());

/** How often (in iterations) the loss is read back and progress reported. */
const REPORT_EVERY = 20;

/**
 * Train an LGN with Adam on softmax-relaxed gates, then discretise every neuron to its most likely
 * gate. The same seed draws the same wiring, initial logits and batch order.
 */
export async function trainNetwork(train: TrainingSet, test: TrainingSet, options: TrainOptions): Promise<TrainResult> {
  const { tf, backend } = await loadTf();
  const { architecture: arch } = options;
  const rng = new Rng(options.seed);
  const wiring: LayerWiring[] = [];
  let inDim = arch.inputBits;
  for (const width of arch.widths) {
    wiring.push(drawWiring(arch.wiring, inDim, width, rng));
    inDim = width;
  }
  const logits = arch.widths.map((width) => initialLogits(options.init, width, rng));
  const model = new RelaxedModel(tf, arch, wiring);
  const adam = new Adam(options.lr, logits.map((l) => l.length));
  let batchData = train;
  let batchRows = new Int32Array(0);
  const lossAndGradients = tf.valueAndGrads((...tensors: Tensor[]) => model.loss(batchData, batchRows, tensors as Tensor2D[]));
  const augmentedRows = Int32Array.from({ length: options.batch }, (_, i) => i);

  const order = rng.permutation(train.count);
  let cursor = 0;
  const batchIndices = new Int32Array(options.batch);
  const started = performance.now();
  let loss = NaN;
  for (let it = 1; it <= options.iterations; it++) {
    for (let i = 0; i < options.batch; i++) {
      if (cursor === order.length) {
        rng.shuffle(order);
        cursor = 0;
      }
      batchIndices[i] = order[cursor++]!;
    }
    if (options.augment) {
      batchData = options.augment(batchIndices, rng);
      batchRows = augmentedRows;
    } else {
      batchRows = batchIndices;
    }
    const inputs = logits.map((l, k) => tf.tensor2d(l, [arch.widths[k]!, GATE_COUNT]));
    const { value, grads } = lossAndGradients(inputs);
    adam.step(logits, grads.map((g) => g.dataSync() as Float32Array));
    if (it % REPORT_EVERY === 0 || it === options.iterations) {
      loss = value.dataSync()[0]!;
      const seconds = (performance.now() - started) / 1000;
      options.onProgress?.({ iteration: it, iterations: options.iterations, loss, samplesPerSecond: (it * options.batch) / seconds });
    }
    tf.dispose([value, ...grads, ...inputs]);
  }
  const seconds = (performance.now() - started) / 1000;
  const relaxedTestAccuracy = model.accuracy(test, logits);
  const layers = logits.map((l, k) => ({ ...wiring[k]!, gates: argmaxRows(l, GATE_COUNT) }));
  return {
    network: { inputBits: arch.inputBits, classes: arch.classes, layers },
    relaxedTestAccuracy,
    finalLoss: loss,
    seconds,
    samplesPerSecond: (options.iterations * options.batch) / seconds,
    backend,
  };
}

/** The pass-through gate 'a' that residual initialisation favours. */
const GATE_A = 3;
const RESIDUAL_LOGIT = 5;

function initialLogits(init: InitMode, width: number, rng: Rng): Float32Array {
  if (init === 'normal') return Float32Array.from({ length: width * GATE_COUNT }, () => rng.normal());
  // softmax(5, 0 x 15) puts 0.91 on 'a': a deep network starts close to passing its inputs through.
  const logits = new Float32Array(width * GATE_COUNT);
  for (let j = 0; j < width; j++) logits[j * GATE_COUNT + GATE_A] = RESIDUAL_LOGIT;
  return logits;
}

/** Index of the largest value in each row; ties go to the lowest index. */
function argmaxRows(values: Float32Array, rowLength: number): Uint8Array {
  const rows = values.length / rowLength;
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let i = 1; i < rowLength; i++) if (values[r * rowLength + i]! > values[r * rowLength + best]!) best = i;
    out[r] = best;
  }
  return out;
}

/** The differentiable network: our fused kernel for the gates, tfjs for GroupSum, loss and Adam. */
class RelaxedModel {
  private readonly layerOps: ((x: Tensor2D, logits: Tensor2D) => Tensor2D)[];

  private readonly groupSumOp: (h: Tensor2D) => Tensor2D;

  constructor(
    private readonly tf: Tf,
    private readonly arch: Architecture,
    wiring: LayerWiring[],
  ) {
    this.groupSumOp = this.makeGroupSumOp();
    this.layerOps = wiring.map((w, l) => this.makeLayerOp(w, l === 0 ? arch.inputBits : arch.widths[l - 1]!));
  }

  /** One logic layer as a single tfjs op from (activations, logits) with a hand-written gradient. */
  private makeLayerOp(w: LayerWiring, inDim: number): (x: Tensor2D, logits: Tensor2D) => Tensor2D {
    const tf = this.tf;
    const neurons = w.a.length;
    return tf.customGrad((...args: unknown[]) => {
      const [x, logits, save] = args as [Tensor2D, Tensor2D, (t: Tensor[]) => void];
      const batch = x.shape[1];
      const shape: LayerShape = { a: w.a, b: w.b, batch };
      const probabilities = new Float32Array(neurons * GATE_COUNT);
      const coef = new Float32Array(neurons * 4);
      gateMixture(logits.dataSync() as Float32Array, GATE_TABLE, probabilities, coef);
      const xValues = x.dataSync() as Float32Array;
      const y = new Float32Array(neurons * batch);
      logicForward(shape, xValues, coef, y);
      save([x]);
      return {
        value: tf.tensor2d(y, [neurons, batch]),
        gradFunc: (dy: Tensor) => {
          const dx = new Float32Array(inDim * batch);
          const dcoef = new Float32Array(neurons * 4);
          logicBackward(shape, xValues, coef, dy.dataSync() as Float32Array, dx, dcoef);
          const dlogits = new Float32Array(neurons * GATE_COUNT);
          gateMixtureBackward(probabilities, GATE_TABLE, dcoef, dlogits);
          return [tf.tensor2d(dx, [inDim, batch]), tf.tensor2d(dlogits, [neurons, GATE_COUNT])];
        },
      };
    }) as unknown as (x: Tensor2D, logits: Tensor2D) => Tensor2D;
  }

  /** GroupSum over tau as one op: tfjs' reduce, transpose and matMul are slow on the pure-JS backend. */
  private makeGroupSumOp(): (h: Tensor2D) => Tensor2D {
    const { tf, arch } = this;
    return tf.customGrad((...args: unknown[]) => {
      const h = args[0] as Tensor2D;
      const [width, batch] = h.shape;
      const scores = new Float32Array(batch * arch.classes);
      groupSum(h.dataSync() as Float32Array, batch, arch.classes, arch.tau, scores);
      return {
        value: tf.tensor2d(scores, [batch, arch.classes]),
        gradFunc: (dy: Tensor) => {
          const dh = new Float32Array(width * batch);
          groupSumBackward(dy.dataSync() as Float32Array, batch, arch.classes, arch.tau, dh);
          return [tf.tensor2d(dh, [width, batch])];
        },
      };
    }) as unknown as (h: Tensor2D) => Tensor2D;
  }

  /** Class scores [batch, classes] of the relaxed network, GroupSum divided by tau. */
  scores(data: TrainingSet, indices: ArrayLike<number>, logits: Tensor2D[]): Tensor2D {
    const { tf } = this;
    const batch = indices.length;
    const bits = data.inputBits;
    const x0 = new Float32Array(bits * batch);
    for (let s = 0; s < batch; s++) {
      const row = indices[s]! * bits;
      for (let i = 0; i < bits; i++) x0[i * batch + s] = data.inputs[row + i]!;
    }
    let h: Tensor2D = tf.tensor2d(x0, [bits, batch]);
    this.layerOps.forEach((op, l) => {
      h = op(h, logits[l]!);
    });
    return this.groupSumOp(h);
  }

  loss(data: TrainingSet, indices: Int32Array, logits: Tensor2D[]): Tensor {
    const { tf } = this;
    const labels = tf.oneHot(tf.tensor1d(Array.from(indices, (i) => data.labels[i]!), 'int32'), this.arch.classes);
    return tf.losses.softmaxCrossEntropy(labels, this.scores(data, indices, logits));
  }

  /** The relaxed network's accuracy on `data`; null for an empty set (nothing was measured). */
  accuracy(data: TrainingSet, logits: Float32Array[], chunk = EVALUATION_CHUNK): number | null {
    if (data.count === 0) return null;
    let correct = 0;
    for (let start = 0; start < data.count; start += chunk) {
      const indices = Int32Array.from({ length: Math.min(chunk, data.count - start) }, (_, i) => start + i);
      const predicted = this.tf.tidy(() => {
        const tensors = logits.map((l) => this.tf.tensor2d(l, [l.length / GATE_COUNT, GATE_COUNT]));
        return this.scores(data, indices, tensors).argMax(1).dataSync();
      });
      predicted.forEach((p, i) => {
        if (p === data.labels[indices[i]!]) correct++;
      });
    }
    return correct / data.count;
  }
}
