import type { Tensor } from '../tensor/tensor.js';
import { checkAdamFamily, adamMoments } from './adam-family.js';
import { Optimizer, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';

export type RAdamOptions = { lr: number; betas: [number, number]; eps: number; weightDecay: number };

/**
 * RAdam, rectified Adam (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and
 * Beyond", Algorithm 2), with torch.optim.RAdam's update (PyTorch 1.13): while the
 * approximated SMA length rho_t <= 5 the step is bias-corrected momentum SGD; after that it is
 * Adam's step scaled by the rectification term r_t. L2 weight decay is added to the gradient.
 *
 * ```ts
 * const opt = new RAdam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: ParamsArg<RAdamOptions>, opts: Partial<RAdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...opts });
  }

  protected validate(g: ParamGroup<RAdamOptions>, i: number): void {
    checkAdamFamily('RAdam', g, i);
  }

  protected update(p: Tensor, grad: Float32Array, st: ParamState, g: ParamGroup<RAdamOptions>): void {
    const { step, m, v } = adamMoments(st, p.size);
    const w = p.f32;
    const [b1, b2] = g.betas;
    const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
    const rhoInf = 2 / (1 - b2) - 1;
    const rhoT = rhoInf - (2 * step * b2 ** step) / bc2;
    const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    const sqrtBc2 = Math.sqrt(bc2);
    const wd = g.weightDecay, lr = g.lr, eps = g.eps;
    for (let i = 0; i < w.length; i++) {
      const gi = wd !== 0 ? grad[i] + wd * w[i] : grad[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      const mHat = m[i] / bc1;
      w[i] -= rhoT > 5 ? (mHat * lr * sqrtBc2 * rect) / (Math.sqrt(v[i]) + eps) : mHat * lr;
    }
  }
}
