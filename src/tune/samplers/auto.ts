import type { FrozenTrial, Params, Sampler, SampleContext, SearchSpace } from '../types.js';
import { hasCategoricals, hasConditionals } from '../space.js';
import { cubeDims } from '../space-cube.js';
import { SobolSampler } from './sobol.js';
import { GpSampler, type GpOptions } from './gp.js';
import { TpeSampler, type TpeOptions } from './tpe.js';
import { completedTrials } from './trials.js';

export interface AutoOptions {
  /** Seed of the scrambled Sobol start (default 0). */
  seed?: number;
  gp?: GpOptions;
  tpe?: TpeOptions;
}

/**
 * The default sampler, after the lecture's advice and Ax's generation strategy: a scrambled
 * Sobol start of max(5, 2·d) points (d = searched parameters) for an even first look, then a
 * Gaussian process (log EI) when every parameter is a float or an int, where GP models are the
 * most sample-efficient, or TPE when the space has categorical or conditional parameters, which
 * a stationary kernel on the unit cube models poorly and TPE handles natively.
 * @example createSampler('auto', { seed: 1 })
 */
export class AutoSampler implements Sampler {
  readonly name = 'auto';
  private readonly sobol: SobolSampler;
  private readonly gp: GpSampler;
  private readonly tpe: TpeSampler;

  constructor(options: AutoOptions = {}) {
    this.sobol = new SobolSampler({ scramble: true, seed: options.seed ?? 0 });
    this.gp = new GpSampler({ ...options.gp, nStartupTrials: 0 });
    this.tpe = new TpeSampler({ ...options.tpe, nStartupTrials: 0 });
  }

  /** Which sampler this space gets after the Sobol start. */
  static modelFor(space: SearchSpace): 'gp' | 'tpe' {
    return hasCategoricals(space) || hasConditionals(space) ? 'tpe' : 'gp';
  }

  /** Length of the Sobol start for this space. */
  static startupCount(space: SearchSpace): number {
    return Math.max(5, 2 * cubeDims(space).length);
  }

  async sample(space: SearchSpace, trials: readonly FrozenTrial[], ctx: SampleContext): Promise<{ params: Params; sequenceIndex?: number }> {
    const started = trials.filter((t) => t.state !== 'waiting' && Object.keys(t.params).length > 0).length;
    if (started < AutoSampler.startupCount(space) || completedTrials(trials).length < 2) return this.sobol.sample(space, trials, ctx);
    return AutoSampler.modelFor(space) === 'gp' ? this.gp.sample(space, trials, ctx) : this.tpe.sample(space, trials, ctx);
  }
}
