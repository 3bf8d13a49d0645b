import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './grad-mode.js';
import { GradNode, type BackwardFn } from './node.js';
import { isAnomalyEnabled, isForwardCheckEnabled, checkForward } from './anomaly.js';
import { currentGeneration, reportGraphLeak } from './graph-leak.js';

/**
 * Attaches an op to the tape when grad recording is on and an input needs a gradient.
 * Every differentiable op ends by calling this with its output and its gradient rule.
 */
export function record(out: Tensor, op: string, inputs: Tensor[], backward: BackwardFn): Tensor {
  const anomaly = isAnomalyEnabled();
  let stack: string | undefined;
  if (anomaly) {
    stack = new Error().stack;
    if (isForwardCheckEnabled()) checkForward(op, inputs, out, stack);
  }
  if (!isGradEnabled()) return out;
  let needs = false;
  const generation = currentGeneration();
  for (const t of inputs) {
    if (!t.requiresGrad) continue;
    needs = true;
    const fn = t.gradFn;
    if (fn !== null && fn.generation < generation && !fn.freed) reportGraphLeak(op, fn.op, generation - fn.generation);
  }
  if (!needs) return out;
  const node = new GradNode(op, inputs, backward);
  node.stack = stack;
  out.requiresGrad = true;
  out.gradFn = node;
  return out;
}
