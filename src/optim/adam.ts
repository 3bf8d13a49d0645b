import type { Tensor } from '../tensor/tensor.js';
import { backend } from '../backend/registry.js';
import { checkAdamFamily, adamMoments } from './adam-family.js';
import { Optimizer, buffer, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';

export type AdamOptions = { lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean };

/** One fused Adam/AdamW step: the bias corrections depend on the per-parameter step count. */
function adamUpdate(p: Tensor, grad: Float32Array, st: ParamState, g: ParamGroup<AdamOptions>, decoupled: boolean): void {
  const { step, m, v } = adamMoments(st, p.size);
  const vmax = g.amsgrad ? buffer(st, 'max_exp_avg_sq', p.size) : null;
  const [b1, b2] = g.betas;
  backend().adamStep(p.f32, grad, m, v, vmax, {
    lr: g.lr, beta1: b1, beta2: b2, eps: g.eps, weightDecay: g.weightDecay, decoupled,
    biasCorrection1: 1 - b1 ** step, biasCorrection2: 1 - b2 ** step,
  });
}

/** Adam (Kingma & Ba) with bias correction, optional AMSGrad and L2 weight decay added to the gradient (torch.optim.Adam). */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, ...opts });
  }
  protected validate(g: ParamGroup<AdamOptions>, i: number): void { checkAdamFamily('Adam', g, i); }
  protected update(p: Tensor, grad: Float32Array, st: ParamState, g: ParamGroup<AdamOptions>): void { adamUpdate(p, grad, st, g, false); }
}

/** AdamW (Loshchilov & Hutter): weight decay decoupled from the gradient, default 0.01 (torch.optim.AdamW). */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, ...opts });
  }
  protected validate(g: ParamGroup<AdamOptions>, i: number): void { checkAdamFamily('AdamW', g, i); }
  protected update(p: Tensor, grad: Float32Array, st: ParamState, g: ParamGroup<AdamOptions>): void { adamUpdate(p, grad, st, g, true); }
}
