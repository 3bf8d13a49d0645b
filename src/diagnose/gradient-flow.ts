import type { Module } from '../nn/module.js';
import { gradNorm } from '../optim/clip.js';

/**
 * Gradient flow: after a backward pass, which parameters received a gradient, how large it
 * is, and which did not. A parameter the loss does not depend on (a layer built but never
 * used in forward, a branch cut by detach()) has no gradient at all; one behind a dead ReLU
 * layer gets a gradient of exact zeros. Either way the optimizer will never change it.
 *
 * The model-probing aids that go with it live beside this file and are re-exported here:
 * deadUnits (dead-units.ts) and activationStats (activation-stats.ts).
 */

/**
 * - 'ok': a gradient with at least one non-zero value;
 * - 'no-grad': grad is null after backward, so the parameter is disconnected from the loss;
 * - 'zero': the gradient is all zeros (dead: e.g. behind ReLUs that never fire);
 * - 'frozen': requiresGrad is false (on purpose, e.g. fine-tuning).
 */
export type GradientStatus = 'ok' | 'no-grad' | 'zero' | 'frozen';

export interface ParameterGradient {
  /** PyTorch-style dotted name, e.g. `2.weight`. */
  name: string;
  shape: number[];
  /** The L2 norm of the gradient (0 without one; NaN or Infinity when it holds non-finite values). */
  gradNorm: number;
  status: GradientStatus;
}

/**
 * One row per parameter describing the gradient the last backward pass left in `.grad`.
 * Call it after `loss.backward()` and before `optimizer.zeroGrad()`.
 */
export function gradientFlow(model: Module): ParameterGradient[] {
  const rows: ParameterGradient[] = [];
  for (const [name, p] of model.namedParameters()) {
    const shape = [...p.shape];
    if (!p.requiresGrad) { rows.push({ name, shape, gradNorm: 0, status: 'frozen' }); continue; }
    const g = p.grad;
    if (g === null) { rows.push({ name, shape, gradNorm: 0, status: 'no-grad' }); continue; }
    let allZero = true;
    const d = g.data;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) { allZero = false; break; }
    rows.push({ name, shape, gradNorm: gradNorm([p]), status: allZero ? 'zero' : 'ok' });
  }
  return rows;
}

export { deadUnits, isReluFamily, type DeadUnitLayer } from './dead-units.js';
export {
  activationStats, type ActivationStats, type ActivationStatsOptions, type LayerActivationStats, type DepthTrend,
} from './activation-stats.js';
