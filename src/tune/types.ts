import type { HParamValue } from '../experiments/define.js';

/**
 * The contract between search spaces, samplers, pruners and the study store. Samplers are
 * pure (they see finished and running trials and return parameters); the store decides which
 * trial runs next and hands out sequence indices atomically, so grid and Sobol points are
 * never used twice across workers.
 */

/** One hyperparameter's distribution. `log` samples uniformly in log space; `step` quantizes. */
export type ParamSpec =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number; when?: Condition }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number; when?: Condition }
  | { type: 'categorical'; choices: HParamValue[]; when?: Condition }
  | { type: 'fixed'; value: HParamValue; when?: Condition };

/** A conditional parameter exists only when another parameter takes one of these values. */
export interface Condition {
  param: string;
  equals: HParamValue | HParamValue[];
}

export type SearchSpace = Record<string, ParamSpec>;
export type Params = Record<string, HParamValue>;

export type TrialState = 'running' | 'complete' | 'pruned' | 'failed' | 'waiting';
export type Direction = 'minimize' | 'maximize';

/** A trial as samplers and pruners see it. */
export interface FrozenTrial {
  number: number;
  state: TrialState;
  params: Params;
  value?: number;
  /** Intermediate values reported by step (epoch). */
  intermediate: Record<number, number>;
  /** The sequence index a grid/Sobol sampler used for this trial, if any. */
  sequenceIndex?: number;
}

export interface SampleContext {
  direction: Direction;
  /** Claims the next unused sequence index for this study (atomic across workers). */
  nextSequenceIndex(): Promise<number>;
  /** Seeded uniform [0,1) source for this suggestion. */
  random(): number;
}

export interface Sampler {
  readonly name: string;
  /** Parameters for a new trial, given every trial of the study so far (running ones included). */
  sample(space: SearchSpace, trials: readonly FrozenTrial[], ctx: SampleContext): Promise<{ params: Params; sequenceIndex?: number }>;
}

export interface Pruner {
  readonly name: string;
  /** Whether `trial`, having just reported `step`, should stop, given all trials of the study. */
  shouldPrune(trial: FrozenTrial, step: number, trials: readonly FrozenTrial[], direction: Direction): boolean;
}
