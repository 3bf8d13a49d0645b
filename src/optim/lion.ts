import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, checkRange, buffer, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { checkBetas } from './adam-family.js';

export type LionOptions = { lr: number; betas: [number, number]; weightDecay: number };

/**
 * Lion, EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", Algorithm 2):
 *   c = beta1 m + (1 - beta1) g;  p -= lr (sign(c) + wd p);  m = beta2 m + (1 - beta2) g.
 * Every coordinate moves by exactly lr (plus decay), so the paper advises an lr 3-10x smaller
 * than AdamW's and a weight decay 3-10x larger; defaults are the paper's betas (0.9, 0.99).
 * sign(0) = 0, as in the paper's reference code.
 *
 * ```ts
 * const opt = new Lion(model.parameters(), { lr: 1e-4, weightDecay: 1 });
 * ```
 */
export class Lion extends Optimizer<LionOptions> {
  constructor(params: ParamsArg<LionOptions>, opts: Partial<LionOptions> = {}) {
    super(params, { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0, ...opts });
  }

  protected validate(g: ParamGroup<LionOptions>, i: number): void {
    checkRange('Lion', 'lr', g.lr, 0, Infinity, i);
    checkRange('Lion', 'weightDecay', g.weightDecay, 0, Infinity, i);
    checkBetas('Lion', g.betas, i);
  }

  protected update(p: Tensor, grad: Float32Array, st: ParamState, g: ParamGroup<LionOptions>): void {
    const m = buffer(st, 'exp_avg', p.size);
    const w = p.f32;
    const [b1, b2] = g.betas;
    const decay = 1 - g.lr * g.weightDecay, lr = g.lr;
    for (let i = 0; i < w.length; i++) {
      const c = b1 * m[i] + (1 - b1) * grad[i];
      w[i] = w[i] * decay - lr * Math.sign(c);
      m[i] = b2 * m[i] + (1 - b2) * grad[i];
    }
  }
}
