import type { Direction, FrozenTrial } from '../types.js';

/** Thrown when a finite sampler (grid) has handed out every point: the study is done. */
export class SearchSpaceExhaustedError extends Error {
  override name = 'SearchSpaceExhaustedError';
}

/** +1 to minimize, -1 to maximize: samplers work on `sign · value`, always minimizing. */
export const directionSign = (d: Direction): number => (d === 'maximize' ? -1 : 1);

/** Finished trials with a finite objective value. */
export const completedTrials = (trials: readonly FrozenTrial[]): FrozenTrial[] =>
  trials.filter((t) => t.state === 'complete' && typeof t.value === 'number' && Number.isFinite(t.value));

/** Trials still running that already have their parameters (candidates for a constant liar). */
export const runningTrials = (trials: readonly FrozenTrial[]): FrozenTrial[] =>
  trials.filter((t) => t.state === 'running' && Object.keys(t.params).length > 0);
