import type * as TfModule from '@tensorflow/tfjs';

export type Tf = typeof TfModule;

let loaded: { tf: Tf; backend: string } | null = null;

/**
 * TensorFlow.js with the fastest backend that loads: the native one from @tensorflow/tfjs-node
 * when it is installed (an optional dependency: its install downloads libtensorflow), else the pure
 * JavaScript CPU backend. The logic layers run in our own kernel either way.
 */
export async function loadTf(): Promise<{ tf: Tf; backend: string }> {
  if (loaded) return loaded;
  const nativeName = '@tensorflow/tfjs-node';
  try {
    const tf = (await import(nativeName)) as Tf;
    loaded = { tf, backend: `tfjs-node ${tf.version_core} (${tf.getBackend()})` };
  } catch {
    const tf = await import('@tensorflow/tfjs');
    // PROD skips debug checks and the banner urging tfjs-node; we report the backend ourselves.
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    loaded = { tf, backend: `tfjs ${tf.version_core} (cpu, pure JavaScript)` };
  }
  return loaded;
}
