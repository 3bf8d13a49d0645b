import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, checkRange, buffer, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';

export type RmspropOptions = { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean };

/**
 * RMSprop as torch.optim.RMSprop: v = alpha v + (1-alpha) g^2; centered subtracts the squared
 * running mean of g; p -= lr * g / (sqrt(v) + eps), through a momentum buffer when momentum > 0.
 * Arithmetic is done in float32 steps in the same order as torch to match it closely.
 */
export class RMSprop extends Optimizer<RmspropOptions> {
  constructor(params: ParamsArg<RmspropOptions>, opts: Partial<RmspropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...opts });
  }

  protected validate(g: ParamGroup<RmspropOptions>, i: number): void {
    checkRange('RMSprop', 'lr', g.lr, 0, Infinity, i);
    checkRange('RMSprop', 'alpha', g.alpha, 0, 1, i);
    checkRange('RMSprop', 'eps', g.eps, 0, Infinity, i);
    checkRange('RMSprop', 'weightDecay', g.weightDecay, 0, Infinity, i);
    checkRange('RMSprop', 'momentum', g.momentum, 0, Infinity, i);
  }

  protected update(p: Tensor, grad: Float32Array, st: ParamState, g: ParamGroup<RmspropOptions>): void {
    const w = p.f32, n = w.length;
    const sq = buffer(st, 'square_avg', n);
    const avgG = g.centered ? buffer(st, 'grad_avg', n) : null;
    const buf = g.momentum > 0 ? buffer(st, 'momentum_buffer', n) : null;
    st.step = ((st.step as number | undefined) ?? 0) + 1;
    const f = Math.fround;
    for (let i = 0; i < n; i++) {
      const gi = g.weightDecay !== 0 ? f(grad[i] + f(g.weightDecay * w[i])) : grad[i];
      sq[i] = f(f(g.alpha * sq[i]) + f(f(1 - g.alpha) * f(gi * gi)));
      let denom: number;
      if (avgG) {
        avgG[i] = f(f(g.alpha * avgG[i]) + f((1 - g.alpha) * gi));
        denom = f(f(Math.sqrt(f(sq[i] - f(avgG[i] * avgG[i])))) + g.eps);
      } else {
        denom = f(f(Math.sqrt(sq[i])) + g.eps);
      }
      if (buf) {
        buf[i] = f(f(g.momentum * buf[i]) + f(gi / denom));
        w[i] = f(w[i] - f(g.lr * buf[i]));
      } else {
        w[i] = f(w[i] - f(g.lr * f(gi / denom)));
      }
    }
  }
}
