import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, checkRange, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { checkAdamFamily, adamMoments } from './adam-family.js';

export type NAdamOptions = {
  lr: number; betas: [number, number]; eps: number; weightDecay: number; momentumDecay: number;
  /**
   * Reproduce PyTorch 1.13's product of momentum coefficients for the look-ahead term, which
   * counted mu_t twice (mu_1...mu_t * mu_t * mu_{t+1}); fixed in PyTorch 2.0 (pull request
   * #92699). Off by default: the default follows Dozat and PyTorch >= 2.0.
   */
  torch113MuProduct: boolean;
};

/**
 * NAdam, Adam with Nesterov momentum (Dozat 2016, "Incorporating Nesterov Momentum into
 * Adam"), with torch.optim.NAdam's momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi))
 * (psi = momentumDecay, 0.004) and L2 weight decay added to the gradient:
 *   p -= lr (1 - mu_t) / (1 - prod_{i<=t} mu_i) * g / d + lr mu_{t+1} / (1 - prod_{i<=t+1} mu_i) * m / d,
 *   d = sqrt(v / (1 - beta2^t)) + eps.
 *
 * ```ts
 * const opt = new NAdam(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ParamsArg<NAdamOptions>, opts: Partial<NAdamOptions> = {}) {
    super(params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, torch113MuProduct: false, ...opts });
  }

  protected validate(g: ParamGroup<NAdamOptions>, i: number): void {
    checkAdamFamily('NAdam', g, i);
    checkRange('NAdam', 'momentumDecay', g.momentumDecay, 0, Infinity, i);
  }

  protected update(p: Tensor, grad: Float32Array, st: ParamState, g: ParamGroup<NAdamOptions>): void {
    const { step, m, v } = adamMoments(st, p.size);
    const w = p.f32;
    const [b1, b2] = g.betas;
    const bc2 = 1 - b2 ** step;
    const mu = b1 * (1 - 0.5 * 0.96 ** (step * g.momentumDecay));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * g.momentumDecay));
    // torch keeps the running product as a float32 tensor; round the same way.
    const muProduct = Math.fround(((st.mu_product as number | undefined) ?? 1) * mu);
    st.mu_product = muProduct;
    const muProductNext = Math.fround(g.torch113MuProduct ? Math.fround(muProduct * mu) * muNext : muProduct * muNext);
    const cGrad = (g.lr * (1 - mu)) / (1 - muProduct);
    const cMom = (g.lr * muNext) / (1 - muProductNext);
    const wd = g.weightDecay, eps = g.eps;
    for (let i = 0; i < w.length; i++) {
      const gi = wd !== 0 ? grad[i] + wd * w[i] : grad[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      const d = Math.sqrt(v[i] / bc2) + eps;
      w[i] -= cGrad * gi / d + cMom * m[i] / d;
    }
  }
}
