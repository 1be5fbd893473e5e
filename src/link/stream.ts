import { acceptInferFor, LinkError, type Link } from './link.js';
import { CMD, decodeInfer, packVector, type Geometry } from './protocol.js';

/** Vectors to stream: one byte (0/1) per input bit, row-major. */
export interface Vectors {
  count: number;
  inputBits: number;
  bits: Uint8Array;
}

/** Answers by vector index; -1 (or NaN) where no answer arrived. */
export interface StreamAnswers {
  count: number;
  classes: number;
  received: number;
  /** count x classes. */
  sums: Int32Array;
  classIdx: Int32Array;
  /** On-chip cycles from in_valid to out_valid. */
  cycles: Int32Array;
  /** Host round trip of each vector's request (first send to answer), ms. */
  roundTripMs: Float64Array;
}

export function emptyAnswers(count: number, classes: number): StreamAnswers {
  return {
    count,
    classes,
    received: 0,
    sums: new Int32Array(count * classes).fill(-1),
    classIdx: new Int32Array(count).fill(-1),
    cycles: new Int32Array(count).fill(-1),
    roundTripMs: new Float64Array(count).fill(Number.NaN),
  };
}

/** A stream that stopped early: the cause, and every answer received before it. */
export class StreamError extends LinkError {
  constructor(
    readonly cause: LinkError,
    readonly answers: StreamAnswers,
  ) {
    super(`${cause.message} (after ${answers.received} of ${answers.count} vectors were answered)`, cause, { cause });
    this.name = 'StreamError';
  }
}

export interface StreamOptions {
  /** Requests in flight at once. */
  window: number;
  /** Vector indices first..first+count-1 of `vectors` (default all). */
  first?: number;
  count?: number;
  /** Called after each answer. */
  onAnswer?: (index: number, received: number) => void;
}

/**
 * INFER every vector, keeping `window` requests in flight so the link, not the host, sets the
 * pace. Each answer lands at its vector's index, once. Fills `into` (so a caller streaming in
 * several phases keeps one result); on a link failure throws StreamError with the answers so far,
 * once every request in flight has settled.
 */
export async function streamInfer(link: Link, vectors: Vectors, g: Geometry, options: StreamOptions, into: StreamAnswers = emptyAnswers(vectors.count, g.classes)): Promise<StreamAnswers> {
  if (vectors.inputBits !== g.inputBits) throw new Error(`the vectors have ${vectors.inputBits} bits, the device takes ${g.inputBits}`);
  const first = options.first ?? 0;
  const end = first + (options.count ?? vectors.count - first);
  const window = Math.max(1, Math.floor(options.window));
  const accept = acceptInferFor();
  let next = first;
  // The first failure stops every worker at its next request (none is left sending after we return).
  let failure: { error: unknown } | null = null;

  const worker = async (): Promise<void> => {
    while (next < end && !failure) {
      const index = next++;
      const started = performance.now();
      try {
        const answer = await link.request(CMD.INFER, packVector(vectors.bits, index, vectors.inputBits), { accept });
        const a = decodeInfer(answer.payload, g);
        into.roundTripMs[index] = performance.now() - started;
        for (let c = 0; c < g.classes; c++) into.sums[index * g.classes + c] = a.sums[c]!;
        into.classIdx[index] = a.classIdx;
        into.cycles[index] = a.cycles;
        into.received++;
        options.onAnswer?.(index, into.received);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, end - first) }, worker));
  // (Set by the workers: TypeScript cannot see that and narrows `failure` to null.)
  const stopped = failure as { error: unknown } | null;
  if (stopped === null) return into;
  throw stopped.error instanceof LinkError ? new StreamError(stopped.error, into) : stopped.error;
}
