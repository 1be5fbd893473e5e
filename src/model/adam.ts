/**
 * Adam (Kingma & Ba 2015, PyTorch's form and defaults) over typed arrays. tfjs' own Adam runs a
 * dozen generic element-wise kernels per step on the pure-JS backend, which cost more than the
 * whole logic network at difflogic's sizes; this loop does one pass.
 */
export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(
    private readonly lr: number,
    sizes: number[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = sizes.map((n) => new Float32Array(n));
    this.v = sizes.map((n) => new Float32Array(n));
  }

  /** Update params in place from grads (same order and sizes as given to the constructor). */
  step(params: Float32Array[], grads: Float32Array[]): void {
    this.t++;
    const { beta1, beta2, epsilon } = this;
    const stepSize = this.lr / (1 - beta1 ** this.t);
    const vCorrection = 1 / (1 - beta2 ** this.t);
    params.forEach((p, k) => {
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = beta1 * m[i]! + (1 - beta1) * gi;
        const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i]! -= (stepSize * mi) / (Math.sqrt(vi * vCorrection) + epsilon);
      }
    });
  }
}
