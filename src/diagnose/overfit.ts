import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import type { LossFn } from '../train/evaluate.js';

/**
 * Overfit a single batch: a model that can learn anything must be able to memorize a few
 * dozen examples. If the training loss on one fixed batch does not fall close to zero within
 * a couple of hundred steps, something between the data, the model, the loss and the
 * optimizer is wired wrong (labels misaligned with inputs, a detached branch, a loss of the
 * wrong shape, a learning rate far off) — and no amount of training on the full set will fix it.
 */
export interface OverfitResult {
  passed: boolean;
  initialLoss: number;
  finalLoss: number;
  bestLoss: number;
  /** Optimizer steps taken (fewer than maxSteps when the target was reached early). */
  steps: number;
  /** The training loss before each step. */
  losses: number[];
}

export interface OverfitOptions {
  /** Default 200. */
  maxSteps?: number;
  /** Pass when the loss falls below this (default 0.05)... */
  targetLoss?: number;
  /** ...or by this factor from its initial value (default 100). */
  dropFactor?: number;
}

/**
 * Trains `model` in training mode on the one batch with the given optimizer until the loss is
 * below targetLoss or has fallen dropFactor times, or maxSteps pass. Stops at a non-finite loss.
 */
export function overfitBatch(
  model: Module, optimizer: Optimizer<Hyper>, loss: LossFn, batch: { x: Tensor; y: Tensor }, opts: OverfitOptions = {},
): OverfitResult {
  const maxSteps = opts.maxSteps ?? 200;
  const target = opts.targetLoss ?? 0.05;
  const drop = opts.dropFactor ?? 100;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`overfitBatch: maxSteps must be a positive integer, got ${maxSteps}`);
  const reached = (l: number, l0: number): boolean => l < target || (l0 > 0 && l <= l0 / drop);
  model.train();
  const losses: number[] = [];
  let finalLoss = NaN;
  for (let step = 0; step <= maxSteps; step++) {
    optimizer.zeroGrad();
    const l = loss(model.call(batch.x), batch.y);
    finalLoss = l.item();
    if (!Number.isFinite(finalLoss) || reached(finalLoss, losses[0] ?? finalLoss) || step === maxSteps) break;
    losses.push(finalLoss);
    l.backward();
    optimizer.step();
  }
  const initialLoss = losses[0] ?? finalLoss;
  const finite = [...losses, finalLoss].filter(Number.isFinite);
  return {
    passed: Number.isFinite(finalLoss) && reached(finalLoss, initialLoss),
    initialLoss, finalLoss, bestLoss: finite.length ? Math.min(...finite) : NaN, steps: losses.length, losses,
  };
}
