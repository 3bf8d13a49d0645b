import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { LossFn } from './evaluate.js';

/**
 * Callbacks see each epoch's full-pass metrics (`train_loss`, `val_accuracy`, ...) and can stop
 * training. Their state is saved in checkpoints so a resumed run behaves like an uninterrupted one.
 */
export interface EpochContext {
  epoch: number;
  metrics: Record<string, number>;
  /** Set to true to stop after this epoch. */
  stop: boolean;
  /** Why training stopped, shown to the user. */
  stopReason?: string;
}

/** A training batch after its gradients are computed, before the optimizer step (accumulation: the last batch). */
export interface TrainStepContext {
  /** The optimizer step about to be taken (1-based). */
  step: number;
  epoch: number;
  x: Tensor;
  y: Tensor;
  model: Module;
  loss: LossFn;
  /** The optimizer's learning rate for this step (absent when the caller does not know it). */
  lr?: number;
  /** Appends a training metric for this step to the run's metrics.jsonl (no-op without a run). */
  log(name: string, value: number): void;
}

export interface Callback {
  readonly name: string;
  onEpochEnd?(ctx: EpochContext): void;
  /** Opt-in per-step measurements (e.g. the gradient noise scale); must leave weights and gradients as they were. */
  onTrainStep?(ctx: TrainStepContext): void;
  state?(): unknown;
  load?(state: unknown): void;
}

export type Mode = 'min' | 'max';

export function modeFor(metric: string): Mode {
  return /loss|error/.test(metric) ? 'min' : 'max';
}

/** Stops when `monitor` has not improved by more than minDelta for `patience` epochs (Lightning's EarlyStopping). */
export class EarlyStopping implements Callback {
  readonly name = 'earlyStopping';
  private best: number;
  private wait = 0;
  readonly mode: Mode;

  constructor(readonly monitor = 'val_loss', readonly patience = 3, readonly minDelta = 0, mode?: Mode) {
    if (!Number.isInteger(patience) || patience < 0) throw new RangeError(`EarlyStopping: patience must be a non-negative integer, got ${patience}`);
    this.mode = mode ?? modeFor(monitor);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  onEpochEnd(ctx: EpochContext): void {
    const v = ctx.metrics[this.monitor];
    if (v === undefined) throw new Error(`EarlyStopping: metric '${this.monitor}' is not logged; available: ${Object.keys(ctx.metrics).join(', ')}`);
    const improved = this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
    if (improved) { this.best = v; this.wait = 0; return; }
    if (++this.wait > this.patience) {
      ctx.stop = true;
      ctx.stopReason = `early stopping: ${this.monitor} has not improved on ${this.best.toFixed(4)} for ${this.wait} epochs`;
    }
  }

  state(): unknown { return { best: this.best, wait: this.wait }; }
  load(s: unknown): void { Object.assign(this, s as { best: number; wait: number }); }
}
