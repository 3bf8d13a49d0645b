import type { Direction, FrozenTrial, Pruner } from '../types.js';

export interface PercentileOptions {
  /** Complete trials needed before anything is pruned (Optuna: 5). */
  startupTrials?: number;
  /** Steps of each trial that are never pruned (Optuna: 0). */
  warmupSteps?: number;
  /** Complete trials that must have reported this step for a comparison (Optuna: 1). */
  minTrials?: number;
}

/** The q-th percentile (0-100) with linear interpolation between order statistics (numpy's default). */
export function percentile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Optuna's PercentilePruner: after `startupTrials` complete trials and `warmupSteps` steps, stop
 * a trial whose best intermediate value so far is worse than the given percentile of the
 * complete trials' values at the same step. A NaN report is pruned at once.
 */
export class PercentilePruner implements Pruner {
  readonly name: string;
  readonly startupTrials: number;
  readonly warmupSteps: number;
  readonly minTrials: number;

  constructor(readonly q: number, o: PercentileOptions = {}, name = `percentile(${q})`) {
    if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile pruner: q must be in [0, 100], got ${q}`);
    this.startupTrials = o.startupTrials ?? 5;
    this.warmupSteps = o.warmupSteps ?? 0;
    this.minTrials = o.minTrials ?? 1;
    for (const [k, v] of [['startupTrials', this.startupTrials], ['warmupSteps', this.warmupSteps], ['minTrials', this.minTrials]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`percentile pruner: ${k} must be a whole number >= 0, got ${v}`);
    }
    this.name = name;
  }

  shouldPrune(trial: FrozenTrial, step: number, trials: readonly FrozenTrial[], direction: Direction): boolean {
    const complete = trials.filter((t) => t.state === 'complete' && t.number !== trial.number);
    if (complete.length === 0 || complete.length < this.startupTrials) return false;
    if (step < this.warmupSteps) return false;
    const own = Object.entries(trial.intermediate).filter(([s]) => Number(s) <= step).map(([, v]) => v);
    if (own.length === 0) return false;
    if (own.some((v) => Number.isNaN(v))) return true;
    const best = direction === 'maximize' ? Math.max(...own) : Math.min(...own);
    const atStep = complete.map((t) => t.intermediate[step]).filter((v): v is number => v !== undefined && !Number.isNaN(v));
    if (atStep.length < this.minTrials) return false;
    // For maximization the bottom q% is below the (100 - q)th percentile.
    const p = percentile(atStep, direction === 'maximize' ? 100 - this.q : this.q);
    return direction === 'maximize' ? best < p : best > p;
  }
}

/** Optuna's MedianPruner defaults: 5 startup trials, no warmup, the 50th percentile. */
export class MedianPruner extends PercentilePruner {
  constructor(o: PercentileOptions = {}) {
    super(50, o, 'median');
  }
}
