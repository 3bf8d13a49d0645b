import type { Sampler } from '../types.js';
import { createSampler, SAMPLER_NAMES, DEFAULT_SAMPLER, type SamplerName } from '../samplers/index.js';

export { SAMPLER_NAMES, type SamplerName };

/** The sampler a study uses when none is given: `auto` (Sobol start, then GP or TPE; see samplers/auto.ts). */
export function defaultSampler(): Sampler {
  return createSampler(DEFAULT_SAMPLER);
}

/**
 * The sampler for `--sampler NAME`. Every worker of a study must build the same one: the
 * Sobol scramble seed is fixed (0) so point i is the same point on every machine.
 */
export function chooseSampler(name: SamplerName, o: { scramble?: boolean; gridPoints?: number } = {}): Sampler {
  switch (name) {
    case 'grid': return createSampler('grid', { floatPoints: o.gridPoints });
    case 'sobol': return createSampler('sobol', { scramble: o.scramble ?? false });
    default: return createSampler(name);
  }
}
