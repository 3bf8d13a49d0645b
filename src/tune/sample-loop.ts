import { SeededRandom } from '../stats/random.js';
import type { Direction, FrozenTrial, Params, Sampler, SearchSpace } from './types.js';

export interface SampleLoopOptions {
  trials: number;
  seed?: number;
  direction?: Direction;
}

/**
 * Runs a sampler sequentially in memory, without a study store: ask, evaluate, record. For
 * benchmarks, tests and quick searches of cheap functions; studies with workers, pruning and
 * persistence go through the study store instead.
 * @example const { best } = await sampleLoop(createSampler('tpe'), space, (p) => (p.x as number) ** 2, { trials: 50 });
 */
export async function sampleLoop(
  sampler: Sampler,
  space: SearchSpace,
  objective: (params: Params) => number | Promise<number>,
  options: SampleLoopOptions,
): Promise<{ trials: FrozenTrial[]; best: FrozenTrial }> {
  const rng = new SeededRandom(options.seed ?? 0);
  const direction = options.direction ?? 'minimize';
  let nextIndex = 0;
  const ctx = { direction, random: () => rng.uniform(), nextSequenceIndex: async () => nextIndex++ };
  const trials: FrozenTrial[] = [];
  for (let k = 0; k < options.trials; k++) {
    const { params, sequenceIndex } = await sampler.sample(space, trials, ctx);
    const value = await objective(params);
    const trial: FrozenTrial = { number: k, state: 'complete', params, value, intermediate: {} };
    if (sequenceIndex !== undefined) trial.sequenceIndex = sequenceIndex;
    trials.push(trial);
  }
  const sign = direction === 'maximize' ? -1 : 1;
  const best = trials.reduce((b, t) => (sign * t.value! < sign * b.value! ? t : b));
  return { trials, best };
}
