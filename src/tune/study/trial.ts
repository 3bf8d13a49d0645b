import type { FrozenTrial, Params } from '../types.js';
import type { TrialRecord } from './store.js';
import type { Study } from './study.js';

/**
 * A running trial, as the objective sees it (Optuna's Trial): its parameters, `report` for
 * intermediate values (one per epoch) and `shouldPrune` to ask the study's pruner whether to
 * stop. Intermediate values go to the store as they are reported, so a crash keeps them.
 */
export class Trial {
  readonly id: number;
  readonly number: number;
  readonly params: Params;
  readonly sequenceIndex?: number;
  /** The trial this one re-runs (its worker died), if any. */
  readonly retryOf: number | null;
  readonly intermediate: Record<number, number> = {};
  private lastStep: number | null = null;

  constructor(readonly study: Study, record: TrialRecord) {
    this.id = record.id;
    this.number = record.number;
    this.params = record.params;
    this.sequenceIndex = record.sequenceIndex;
    this.retryOf = record.retryOf;
  }

  /** Records the objective's value at `step` (e.g. validation accuracy after epoch `step`). */
  async report(step: number, value: number): Promise<void> {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`trial.report: step must be a whole number >= 0, got ${step}`);
    if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`trial.report: value at step ${step} must be a number, got ${String(value)}`);
    this.intermediate[step] = value;
    this.lastStep = step;
    await this.study.store.reportIntermediate(this.id, step, value);
  }

  /** Whether the study's pruner would stop this trial after its last report (false without a pruner or a report). */
  async shouldPrune(): Promise<boolean> {
    const pruner = this.study.pruner;
    if (!pruner || this.lastStep === null) return false;
    const all = await this.study.trials();
    return pruner.shouldPrune(this.frozen(), this.lastStep, all, this.study.direction);
  }

  /** The trial as samplers and pruners see it. */
  frozen(): FrozenTrial {
    return {
      number: this.number, state: 'running', params: this.params, intermediate: { ...this.intermediate },
      ...(this.sequenceIndex !== undefined ? { sequenceIndex: this.sequenceIndex } : {}),
    };
  }

  /** Keeps extra facts with the trial (its run directory, the validation set size, ...). */
  async setAttrs(attrs: Record<string, unknown>): Promise<void> {
    await this.study.store.setAttrs(this.id, attrs);
  }

  /** The last reported value, or undefined. */
  lastValue(): number | undefined {
    return this.lastStep === null ? undefined : this.intermediate[this.lastStep];
  }
}
