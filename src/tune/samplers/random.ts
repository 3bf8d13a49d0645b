import type { Params, Sampler, SampleContext, SearchSpace } from '../types.js';
import { resolveActive } from '../space.js';
import { fromUnit } from '../space-cube.js';

/**
 * Independent uniform draws (log-uniform for log parameters) from the context's seeded source.
 * @example const params = (await new RandomSampler().sample(space, [], ctx)).params;
 */
export class RandomSampler implements Sampler {
  readonly name = 'random';

  async sample(space: SearchSpace, _trials: unknown, ctx: SampleContext): Promise<{ params: Params }> {
    return { params: randomParams(space, ctx.random) };
  }
}

/** One uniform draw of the active parameters of `space`. */
export function randomParams(space: SearchSpace, random: () => number): Params {
  return resolveActive(space, (_name, spec) => fromUnit(spec, random()));
}
