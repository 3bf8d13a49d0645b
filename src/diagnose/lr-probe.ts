import type { Tensor, Parameter } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import type { LossFn } from '../train/evaluate.js';
import { noGrad } from '../autograd/grad-mode.js';

/**
 * A short learning-rate probe: from the same initial weights, a few steps on one batch at each
 * of a handful of log-spaced learning rates, to see which one lowers the loss fastest. It is a
 * coarse, cheap cousin of the LR range test (`lrFind` in tune/lr-find.ts, `tradecraft lr-find`):
 * enough to tell an experiment whose learning rate is off by orders of magnitude.
 */
export interface LrProbePoint {
  lr: number;
  initialLoss: number;
  /** The loss after the last step (NaN or large when it diverged). */
  finalLoss: number;
  /** initialLoss - finalLoss; -Infinity when the run diverged. */
  decrease: number;
  /** The loss became non-finite or rose above 3x its initial value (the probe stops early). */
  diverged: boolean;
  steps: number;
}

export interface LrProbeResult {
  points: LrProbePoint[];
  /** The learning rate with the largest decrease; null when none lowered the loss. */
  bestLr: number | null;
}

export interface LrProbeOptions {
  /** Learning rates to try (default 1e-5, 1e-4, ..., 1). */
  lrs?: number[];
  /** Steps per learning rate (default 10). */
  steps?: number;
}

/** Learning rates lo, lo*10, ..., hi (inclusive, log-spaced by decades). */
export function logSpacedLrs(lo = 1e-5, hi = 1): number[] {
  if (!(lo > 0 && hi >= lo)) throw new RangeError(`logSpacedLrs: need 0 < lo <= hi, got ${lo}, ${hi}`);
  const out: number[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)) + 1e-9; e++) out.push(Number(`1e${e}`));
  return out;
}

/** Sets the optimizer's learning rate to lr for group 0 and scales the other groups by the same factor. */
export function setLearningRate(optimizer: Optimizer<Hyper>, lr: number): void {
  if (!(lr >= 0) || !Number.isFinite(lr)) throw new RangeError(`setLearningRate: lr must be a finite number >= 0, got ${lr}`);
  const base = optimizer.paramGroups[0].lr;
  if (typeof base !== 'number') throw new Error(`setLearningRate: ${optimizer.constructor.name} has no numeric 'lr' in its parameter groups`);
  for (const g of optimizer.paramGroups) {
    const cur = g.lr as number;
    (g as Record<string, unknown>).lr = base > 0 ? cur * (lr / base) : lr;
  }
}

/**
 * For each learning rate: restores the model's initial weights and buffers, builds a fresh
 * optimizer with makeOptimizer and sets its rate, and takes `steps` steps on the batch in
 * training mode. The model is left with its initial weights afterwards.
 */
export function lrProbe(
  model: Module, makeOptimizer: (params: Parameter[]) => Optimizer<Hyper>, loss: LossFn,
  batch: { x: Tensor; y: Tensor }, opts: LrProbeOptions = {},
): LrProbeResult {
  const lrs = opts.lrs ?? logSpacedLrs();
  const steps = opts.steps ?? 10;
  if (lrs.length === 0 || lrs.some((lr) => !(lr > 0))) throw new RangeError(`lrProbe: lrs must be positive numbers, got [${lrs.join(', ')}]`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`lrProbe: steps must be a positive integer, got ${steps}`);
  const state = Object.values(model.stateDict());
  const initial = state.map((t) => t.data.slice());
  const restore = (): void => noGrad(() => { state.forEach((t, i) => t.data.set(initial[i])); });
  const wasTraining = model.training;
  const points: LrProbePoint[] = [];
  try {
    for (const lr of lrs) {
      restore();
      model.zeroGrad();
      model.train();
      const optimizer = makeOptimizer(model.parameters());
      setLearningRate(optimizer, lr);
      let initialLoss = NaN;
      let diverged = false;
      let taken = 0;
      for (; taken < steps; taken++) {
        optimizer.zeroGrad();
        const l = loss(model.call(batch.x), batch.y);
        const v = l.item();
        if (taken === 0) initialLoss = v;
        if (!Number.isFinite(v) || v > 3 * Math.abs(initialLoss) + 1e-8) { diverged = true; break; }
        l.backward();
        optimizer.step();
      }
      const finalLoss = noGrad(() => loss(model.call(batch.x), batch.y).item());
      if (!Number.isFinite(finalLoss) || finalLoss > 3 * Math.abs(initialLoss) + 1e-8) diverged = true;
      points.push({ lr, initialLoss, finalLoss, decrease: diverged ? -Infinity : initialLoss - finalLoss, diverged, steps: taken });
    }
  } finally {
    restore();
    model.zeroGrad();
    model.train(wasTraining);
  }
  let best: LrProbePoint | null = null;
  for (const p of points) if (p.decrease > 0 && (best === null || p.decrease > best.decrease)) best = p;
  return { points, bestLr: best ? best.lr : null };
}
