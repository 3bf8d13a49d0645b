import { checkRange, buffer, type ParamState } from './optimizer.js';

/** The options every Adam-family optimizer shares, checked the same way for each. */
export interface AdamFamilyOptions { lr: number; betas: [number, number]; eps: number; weightDecay: number }

export function checkAdamFamily(name: string, g: AdamFamilyOptions, i: number): void {
  checkRange(name, 'lr', g.lr, 0, Infinity, i);
  checkRange(name, 'eps', g.eps, 0, Infinity, i);
  checkRange(name, 'weightDecay', g.weightDecay, 0, Infinity, i);
  checkBetas(name, g.betas, i);
}

/** A [beta1, beta2] pair, each in [0, 1). */
export function checkBetas(name: string, betas: unknown, i: number): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new RangeError(`${name}: betas must be a pair [beta1, beta2], got ${String(betas)} (parameter group ${i})`);
  checkRange(name, 'betas[0]', betas[0], 0, 1, i, true);
  checkRange(name, 'betas[1]', betas[1], 0, 1, i, true);
}

/**
 * Advances a parameter's step count and returns it with its first and second moment buffers,
 * under PyTorch's state names (`step`, `exp_avg`, `exp_avg_sq`) so state dicts carry over.
 */
export function adamMoments(st: ParamState, size: number): { step: number; m: Float32Array; v: Float32Array } {
  const step = ((st.step as number | undefined) ?? 0) + 1;
  st.step = step;
  return { step, m: buffer(st, 'exp_avg', size), v: buffer(st, 'exp_avg_sq', size) };
}
