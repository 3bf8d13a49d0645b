import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import type { LossFn } from '../train/evaluate.js';
import { detectAnomaly, AnomalyError } from '../autograd/anomaly.js';

/**
 * NaN triage: one forward pass, backward pass and (optionally) optimizer step under anomaly
 * detection, so the first op that turns finite numbers into NaN or Inf is named together with
 * the line that called it — instead of a loss that reads NaN many steps later.
 */
export interface NanTriage {
  ok: boolean;
  /** The loss of the forward pass (NaN when it never got that far). */
  loss: number;
  /** Where the first non-finite value appeared. */
  stage?: 'data' | 'forward' | 'backward' | 'step';
  /** The op that produced it ('log', 'div', ...), or the optimizer's class name for the step. */
  op?: string;
  /** The user's source line that called the op, when anomaly mode could tell. */
  where?: string;
  message?: string;
}

function firstNonFinite(t: Tensor): number {
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return i;
  return -1;
}

/**
 * Runs forward, loss, backward and, if an optimizer is given, one step (use a tiny learning
 * rate such as 1e-12 so the model barely moves) with anomaly detection on. Reports the stage
 * and op of the first non-finite value: 'data' when the inputs or targets already hold NaN/Inf,
 * 'forward' or 'backward' with the op anomaly mode named, 'step' when the optimizer made a
 * parameter non-finite. Gradients are left in the parameters' `.grad`.
 */
export function nanTriage(model: Module, batch: { x: Tensor; y: Tensor }, loss: LossFn, optimizer?: Optimizer<Hyper>): NanTriage {
  for (const [what, t] of [['inputs', batch.x], ['targets', batch.y]] as const) {
    const i = firstNonFinite(t);
    if (i >= 0) {
      return { ok: false, loss: NaN, stage: 'data', message: `the batch ${what} hold ${t.data[i]} at flat index ${i}; the data has non-finite values before the model runs` };
    }
  }
  let stage: 'forward' | 'backward' | 'step' = 'forward';
  let lossValue = NaN;
  try {
    return detectAnomaly((): NanTriage => {
      optimizer?.zeroGrad();
      model.zeroGrad();
      const l = loss(model.call(batch.x), batch.y);
      lossValue = l.size === 1 ? l.item() : NaN;
      if (!Number.isFinite(lossValue)) {
        return { ok: false, loss: lossValue, stage: 'forward', message: `the loss is ${lossValue}${l.size === 1 ? '' : ` (it has shape (${l.shape.join(', ')}), not a scalar)`}` };
      }
      stage = 'backward';
      l.backward();
      for (const [name, p] of model.namedParameters()) {
        if (p.grad && firstNonFinite(p.grad) >= 0) {
          return { ok: false, loss: lossValue, stage: 'backward', message: `the gradient of ${name} holds non-finite values` };
        }
      }
      if (optimizer) {
        stage = 'step';
        optimizer.step();
        for (const [name, p] of model.namedParameters()) {
          if (firstNonFinite(p) >= 0) {
            return {
              ok: false, loss: lossValue, stage: 'step', op: optimizer.constructor.name,
              message: `${optimizer.constructor.name}.step() made parameter ${name} non-finite from finite gradients (check eps and other hyperparameters)`,
            };
          }
        }
      }
      return { ok: true, loss: lossValue };
    });
  } catch (e) {
    if (e instanceof AnomalyError) {
      const r: NanTriage = { ok: false, loss: lossValue, stage, op: e.op, message: e.message };
      if (e.userFrame) r.where = e.userFrame;
      return r;
    }
    throw e;
  }
}
