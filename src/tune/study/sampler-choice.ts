import type { Sampler, SearchSpace } from '../types.js';
import { defaultSampler } from './default-sampler.js';

export const SAMPLER_NAMES = ['grid', 'random', 'sobol', 'tpe', 'gp', 'auto'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** The sampler for `--sampler NAME`. */
export function chooseSampler(name: SamplerName, _space: SearchSpace, _o: { scramble?: boolean; seed?: number } = {}): Sampler {
  if (name === 'random' || name === 'auto') return defaultSampler();
  throw new Error(`sampler '${name}' is not available in this build; use --sampler random`);
}
