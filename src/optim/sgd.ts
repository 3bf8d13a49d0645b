import type { Tensor } from '../tensor/tensor.js';
import { backend } from '../backend/registry.js';
import { Optimizer, checkRange, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';

export type SgdOptions = { lr: number; momentum: number; dampening: number; nesterov: boolean; weightDecay: number };

/**
 * SGD with PyTorch's update: g += wd*p; buf = momentum*buf + (1-dampening)*g (buf = g on the
 * first step); g = nesterov ? g + momentum*buf : buf; p -= lr*g.
 */
export class SGD extends Optimizer<SgdOptions> {
  constructor(params: ParamsArg<SgdOptions>, opts: Partial<SgdOptions> = {}) {
    super(params, { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, ...opts });
  }

  protected validate(g: ParamGroup<SgdOptions>, i: number): void {
    checkRange('SGD', 'lr', g.lr, 0, Infinity, i);
    checkRange('SGD', 'momentum', g.momentum, 0, Infinity, i);
    checkRange('SGD', 'dampening', g.dampening, 0, 1, i);
    checkRange('SGD', 'weightDecay', g.weightDecay, 0, Infinity, i);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new RangeError(`SGD: nesterov needs momentum > 0 and dampening = 0, got momentum ${g.momentum}, dampening ${g.dampening} (parameter group ${i})`);
    }
  }

  protected update(p: Tensor, grad: Float32Array, st: ParamState, g: ParamGroup<SgdOptions>): void {
    let buf: Float32Array | null = null;
    let firstStep = false;
    if (g.momentum !== 0) {
      buf = st.momentum_buffer as Float32Array | undefined ?? null;
      if (!buf) { buf = new Float32Array(p.size); st.momentum_buffer = buf; firstStep = true; }
    }
    backend().sgdStep(p.f32, grad, buf, {
      lr: g.lr, momentum: g.momentum, dampening: g.dampening, nesterov: g.nesterov, weightDecay: g.weightDecay, firstStep,
    });
  }
}
