import type { Sampler } from '../types.js';
import { GridSampler, type GridOptions } from './grid.js';
import { RandomSampler } from './random.js';
import { SobolSampler, type SobolOptions } from './sobol.js';
import { TpeSampler, type TpeOptions } from './tpe.js';
import { GpSampler, type GpOptions } from './gp.js';
import { AutoSampler, type AutoOptions } from './auto.js';

export interface SamplerOptions {
  grid: GridOptions;
  random: Record<string, never>;
  sobol: SobolOptions;
  tpe: TpeOptions;
  gp: GpOptions;
  auto: AutoOptions;
}
export type SamplerName = keyof SamplerOptions;

export const SAMPLER_NAMES: readonly SamplerName[] = ['auto', 'grid', 'random', 'sobol', 'tpe', 'gp'];

/** `auto`: Sobol first, then GP or TPE by the kind of space (see AutoSampler). */
export const DEFAULT_SAMPLER: SamplerName = 'auto';

/**
 * A sampler by name, as `--sampler` spells it.
 * @example const sampler = createSampler('sobol', { scramble: true, seed: 3 });
 */
export function createSampler<N extends SamplerName>(name: N, options?: SamplerOptions[N]): Sampler;
export function createSampler(name: string, options?: object): Sampler;
export function createSampler(name: string, options: object = {}): Sampler {
  switch (name) {
    case 'grid': return new GridSampler(options as GridOptions);
    case 'random': return new RandomSampler();
    case 'sobol': return new SobolSampler(options as SobolOptions);
    case 'tpe': return new TpeSampler(options as TpeOptions);
    case 'gp': return new GpSampler(options as GpOptions);
    case 'auto': return new AutoSampler(options as AutoOptions);
    default: throw new Error(`unknown sampler '${name}'; use one of ${SAMPLER_NAMES.join(', ')}`);
  }
}

export { GridSampler, RandomSampler, SobolSampler, TpeSampler, GpSampler, AutoSampler };
export type { GridOptions, SobolOptions, TpeOptions, GpOptions, AutoOptions };
export { SearchSpaceExhaustedError } from './trials.js';
export { sobolPoint, SOBOL_MAX_DIM } from './sobol-sequence.js';
export { logExpectedImprovement } from './log-ei.js';
export { logExpectedImprovementWithGradient } from './log-ei.js';
export { maximizeAcquisition, type Acquisition } from './acquisition-search.js';
