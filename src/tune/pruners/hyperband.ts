import type { Direction, FrozenTrial, Pruner } from '../types.js';
import { AshaPruner } from './asha.js';

export interface HyperbandOptions {
  minResource?: number;
  /** The most steps (epochs) a trial can run: the experiment's epochs. */
  maxResource: number;
  /** Default 3 (Li et al. 2018 and Optuna). */
  reductionFactor?: number;
  /** Salts the bracket assignment (Optuna hashes "<study>_<trial number>"). */
  studyName?: string;
}

/** CRC-32 (IEEE), the hash Optuna uses to spread trials over brackets. */
export function crc32(text: string): number {
  let c = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Hyperband (Li et al. 2018) as Optuna runs it: floor(log_rf(max/min)) + 1 brackets, each an
 * asynchronous successive halving with its own early-stopping rate, so some brackets stop
 * trials aggressively and others let them run long. A trial's bracket is fixed by a hash of its
 * number, weighted by each bracket's budget ceil(n·rf^s/(s+1)); trials compete only within
 * their bracket.
 */
export class HyperbandPruner implements Pruner {
  readonly name = 'hyperband';
  readonly brackets: number;
  readonly budgets: number[];
  private readonly pruners: AshaPruner[];
  private readonly total: number;

  constructor(readonly o: HyperbandOptions) {
    const min = o.minResource ?? 1, rf = o.reductionFactor ?? 3;
    if (!Number.isInteger(o.maxResource) || o.maxResource < min) throw new RangeError(`hyperband: maxResource must be a whole number >= minResource (${min}), got ${o.maxResource}`);
    this.brackets = Math.floor(Math.log(o.maxResource / min) / Math.log(rf) + 1e-9) + 1;
    this.budgets = Array.from({ length: this.brackets }, (_, i) => {
      const s = this.brackets - 1 - i;
      return Math.ceil((this.brackets * rf ** s) / (s + 1));
    });
    this.total = this.budgets.reduce((a, b) => a + b, 0);
    const bracket = (t: FrozenTrial) => this.bracketOf(t.number);
    this.pruners = Array.from({ length: this.brackets }, (_, i) => new AshaPruner({ minResource: min, reductionFactor: rf, minEarlyStoppingRate: i, bracket }));
  }

  bracketOf(trialNumber: number): number {
    let n = crc32(`${this.o.studyName ?? ''}_${trialNumber}`) % this.total;
    for (let b = 0; b < this.brackets; b++) {
      n -= this.budgets[b];
      if (n < 0) return b;
    }
    return this.brackets - 1;
  }

  shouldPrune(trial: FrozenTrial, step: number, trials: readonly FrozenTrial[], direction: Direction): boolean {
    return this.pruners[this.bracketOf(trial.number)].shouldPrune(trial, step, trials, direction);
  }
}
