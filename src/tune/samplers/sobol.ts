import type { Params, Sampler, SampleContext, SearchSpace } from '../types.js';
import { cubeDims, paramsFromUnit } from '../space-cube.js';
import { SOBOL_MAX_DIM, sobolPoint } from './sobol-sequence.js';

export interface SobolOptions {
  /** Owen-scramble the sequence (default false: point 0 is the origin, as scipy with scramble=False). */
  scramble?: boolean;
  /** Seed of the scramble (default 0); every worker of a study must use the same one. */
  seed?: number;
}

/**
 * Quasi-random Sobol points: trial k gets point i = ctx.nextSequenceIndex(), which the store
 * hands out atomically, so no point is used twice however many workers ask.
 * @example createSampler('sobol', { scramble: true, seed: 7 })
 */
export class SobolSampler implements Sampler {
  readonly name = 'sobol';
  private readonly scrambleSeed: number | undefined;

  constructor(options: SobolOptions = {}) {
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new RangeError(`sobol sampler: seed must be an integer, got ${String(options.seed)}`);
    this.scrambleSeed = options.scramble ? seed : undefined;
  }

  async sample(space: SearchSpace, _trials: unknown, ctx: SampleContext): Promise<{ params: Params; sequenceIndex: number }> {
    const d = cubeDims(space).length;
    if (d > SOBOL_MAX_DIM) throw new RangeError(`sobol sampler: ${d} searched parameters, at most ${SOBOL_MAX_DIM} are supported`);
    const index = await ctx.nextSequenceIndex();
    const u = d === 0 ? new Float64Array(0) : sobolPoint(index, d, this.scrambleSeed);
    return { params: paramsFromUnit(space, u), sequenceIndex: index };
  }
}
