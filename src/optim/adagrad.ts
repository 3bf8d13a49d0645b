import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, checkRange, buffer, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';

export type AdagradOptions = { lr: number; lrDecay: number; weightDecay: number; initialAccumulatorValue: number; eps: number };

/**
 * Adagrad as torch.optim.Adagrad: sum += g^2; p -= clr * g / (sqrt(sum) + eps),
 * clr = lr / (1 + (step - 1) * lrDecay).
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...opts });
  }

  protected validate(g: ParamGroup<AdagradOptions>, i: number): void {
    checkRange('Adagrad', 'lr', g.lr, 0, Infinity, i);
    checkRange('Adagrad', 'lrDecay', g.lrDecay, 0, Infinity, i);
    checkRange('Adagrad', 'weightDecay', g.weightDecay, 0, Infinity, i);
    checkRange('Adagrad', 'initialAccumulatorValue', g.initialAccumulatorValue, 0, Infinity, i);
    checkRange('Adagrad', 'eps', g.eps, 0, Infinity, i);
  }

  protected update(p: Tensor, grad: Float32Array, st: ParamState, g: ParamGroup<AdagradOptions>): void {
    const w = p.f32, n = w.length;
    const sum = buffer(st, 'sum', n, g.initialAccumulatorValue);
    const step = ((st.step as number | undefined) ?? 0) + 1;
    st.step = step;
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    const f = Math.fround;
    for (let i = 0; i < n; i++) {
      const gi = g.weightDecay !== 0 ? f(grad[i] + f(g.weightDecay * w[i])) : grad[i];
      sum[i] = f(sum[i] + f(gi * gi));
      w[i] = f(w[i] - f(clr * f(gi / f(f(Math.sqrt(sum[i])) + g.eps))));
    }
  }
}
