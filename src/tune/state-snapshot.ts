import type { Module } from '../nn/module.js';
import type { Optimizer, Hyper, ParamState } from '../optim/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultGenerator } from '../tensor/random.js';
import { noGrad } from '../autograd/grad-mode.js';

/**
 * Everything a probe (LR range test, noise-scale estimate) can disturb, copied so it can be put
 * back exactly: parameter and buffer values, gradients, the optimizer's per-parameter state and
 * group hyperparameters, the train/eval mode, and the global generator (dropout and augmentation
 * draw from it, so a probe must not shift the run that follows).
 */
export interface TrainingSnapshot {
  /** Puts every value back, bit for bit, into the same tensors and buffers. */
  restore(): void;
}

function cloneState(st: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(st)) out[k] = typeof v === 'number' ? v : v.slice();
  return out;
}

function cloneHyper(v: unknown): unknown {
  return Array.isArray(v) ? v.slice() : v;
}

/**
 * Takes a snapshot of a model (and optionally its optimizer). Restoring writes into the existing
 * typed arrays, so references held elsewhere (the optimizer's parameter list, a trainer) stay valid.
 * @example const snap = snapshotTraining(model, opt); probe(); snap.restore();
 */
export function snapshotTraining(model: Module, optimizer?: Optimizer<Hyper>): TrainingSnapshot {
  const tensors: Tensor[] = Object.values(model.stateDict());
  if (optimizer) for (const g of optimizer.paramGroups) for (const p of g.params) if (!tensors.includes(p)) tensors.push(p);
  const values = tensors.map((t) => t.data.slice());
  const grads = tensors.map((t) => t.grad);
  const gradValues = grads.map((g) => (g ? g.data.slice() : null));
  const modes = [...model.namedModules()].map(([, m]) => [m, m.training] as const);
  const rng = defaultGenerator.getState();
  // The original state objects and arrays are kept and refilled, so nothing that holds them goes stale.
  const optState = optimizer ? [...optimizer.state].map(([p, st]) => ({ p, st, copy: cloneState(st), arrays: { ...st } })) : null;
  const groups = optimizer
    ? optimizer.paramGroups.map((g) => Object.fromEntries(Object.entries(g).filter(([k]) => k !== 'params').map(([k, v]) => [k, cloneHyper(v)])))
    : null;
  return {
    restore(): void {
      noGrad(() => {
        tensors.forEach((t, i) => {
          (t.data as Float32Array).set(values[i] as Float32Array);
          t.grad = grads[i];
          const gv = gradValues[i];
          if (t.grad && gv) (t.grad.data as Float32Array).set(gv as Float32Array);
        });
      });
      for (const [m, mode] of modes) m.training = mode;
      defaultGenerator.setState(rng);
      if (optimizer && optState && groups) {
        optimizer.state.clear();
        for (const { p, st, copy, arrays } of optState) {
          for (const k of Object.keys(st)) if (!(k in copy)) delete st[k];
          for (const [k, v] of Object.entries(copy)) {
            const orig = arrays[k];
            if (typeof v === 'number' || typeof orig === 'number' || orig === undefined) st[k] = typeof v === 'number' ? v : v.slice();
            else { orig.set(v); st[k] = orig; }
          }
          optimizer.state.set(p, st);
        }
        optimizer.paramGroups.forEach((g, i) => {
          const rec = g as Record<string, unknown>;
          for (const k of Object.keys(rec)) if (k !== 'params' && !(k in groups[i])) delete rec[k];
          for (const [k, v] of Object.entries(groups[i])) rec[k] = cloneHyper(v);
        });
      }
    },
  };
}
