/**
 * Thrown by an objective (or by the trainer objective) to say "this trial was pruned": the
 * study records it as pruned with its last intermediate value, as Optuna's TrialPruned does.
 */
export class TrialPruned extends Error {
  constructor(message = 'trial pruned') {
    super(message);
    this.name = 'TrialPruned';
  }
}

/**
 * A sampler that has no more points to give (a grid whose every point is claimed) throws an
 * error with this name or code; the study then stops asking instead of failing.
 */
export function isSearchExhausted(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return name === 'SearchSpaceExhaustedError' || name === 'SearchExhausted' || code === 'SEARCH_EXHAUSTED';
}
