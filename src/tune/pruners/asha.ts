import type { Direction, FrozenTrial, Pruner } from '../types.js';

export interface AshaOptions {
  /** Steps (epochs) every trial gets before its first comparison (the grace period; default 1). */
  minResource?: number;
  /** Keep the top 1/reductionFactor at each rung (default 4, as Optuna). */
  reductionFactor?: number;
  /** Skip the first rungs: rung r is at minResource * rf^(r + minEarlyStoppingRate). */
  minEarlyStoppingRate?: number;
  /** Compare only with trials that share this key (Hyperband's brackets). */
  bracket?: (t: FrozenTrial) => number;
}

/**
 * Asynchronous successive halving (Li et al. 2020; Optuna's SuccessiveHalvingPruner): rung r
 * sits at step minResource·rf^(r+s). A trial reaching a rung is promoted when its value is in
 * the top 1/rf of the values every trial (running ones included) recorded at that rung, else
 * pruned. Asynchronous: no trial waits for a rung to fill. A trial's rung value is its
 * intermediate value at the rung's step, which the store keeps for every trial.
 */
export class AshaPruner implements Pruner {
  readonly name: string = 'asha';
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;

  constructor(readonly o: AshaOptions = {}) {
    this.minResource = o.minResource ?? 1;
    this.reductionFactor = o.reductionFactor ?? 4;
    this.minEarlyStoppingRate = o.minEarlyStoppingRate ?? 0;
    if (!Number.isInteger(this.minResource) || this.minResource < 1) throw new RangeError(`asha: minResource must be a whole number >= 1, got ${this.minResource}`);
    if (!Number.isInteger(this.reductionFactor) || this.reductionFactor < 2) throw new RangeError(`asha: reductionFactor must be a whole number >= 2, got ${this.reductionFactor}`);
    if (!Number.isInteger(this.minEarlyStoppingRate) || this.minEarlyStoppingRate < 0) throw new RangeError(`asha: minEarlyStoppingRate must be a whole number >= 0, got ${this.minEarlyStoppingRate}`);
  }

  /** The step of rung r. */
  rungStep(r: number): number {
    return this.minResource * this.reductionFactor ** (r + this.minEarlyStoppingRate);
  }

  shouldPrune(trial: FrozenTrial, step: number, trials: readonly FrozenTrial[], direction: Direction): boolean {
    const value = trial.intermediate[step];
    if (value === undefined) return false;
    if (Number.isNaN(value)) return true;
    const peers = this.o.bracket ? trials.filter((t) => this.o.bracket!(t) === this.o.bracket!(trial)) : trials;
    for (let r = 0; this.rungStep(r) <= step; r++) {
      const rs = this.rungStep(r);
      // The value this trial carried into rung r: its report at the rung's step (or the current one).
      const mine = trial.intermediate[rs] ?? value;
      const competing = peers.filter((t) => t.number !== trial.number && t.intermediate[rs] !== undefined && !Number.isNaN(t.intermediate[rs]))
        .map((t) => t.intermediate[rs]);
      competing.push(mine);
      if (!promotable(mine, competing, this.reductionFactor, direction)) return true;
    }
    return false;
  }
}

/** Optuna's rule: promotable when at least as good as the value at index max(0, floor(n/rf) - 1) of the sorted rung. */
export function promotable(value: number, competing: number[], rf: number, direction: Direction): boolean {
  let k = Math.floor(competing.length / rf) - 1;
  if (k < 0) k = 0;
  const sorted = [...competing].sort((a, b) => (direction === 'maximize' ? b - a : a - b));
  return direction === 'maximize' ? value >= sorted[k] : value <= sorted[k];
}
