import type { FrozenTrial, Params, Sampler, SampleContext, SearchSpace } from '../types.js';
import { cubeDims, levelCount, paramsFromUnit, paramsToUnit } from '../space-cube.js';
import { completedTrials, directionSign, runningTrials } from './trials.js';
import { randomParams } from './random.js';
import { GaussianProcess } from './gp-model.js';
import { logExpectedImprovement, logExpectedImprovementWithGradient } from './log-ei.js';
import { maximizeAcquisition } from './acquisition-search.js';

export interface GpOptions {
  /**
   * Random trials before the GP starts; default max(5, 2·d) for d searched parameters, Ax's
   * initial-design size (Optuna's GPSampler uses 10 whatever d is).
   */
  nStartupTrials?: number;
  /** Random candidates scored by log EI before local refinement (default 512; half as many again are drawn around the best trials). */
  nCandidates?: number;
  /** Best distinct candidates refined by L-BFGS on log EI, besides the best trial (default 8). */
  nLocalSearch?: number;
}

/** Discrete dimensions with at most this many values are evaluated at their bin centres only. */
const SNAP_LEVELS = 64;

/**
 * Bayesian optimization with a Gaussian process (Matérn-5/2 ARD, MAP hyperparameters) and log
 * expected improvement. Inputs live in the unit cube (log parameters in log space), outputs are
 * standardized. The acquisition is maximized over random candidates plus perturbations of the
 * best trials, the best few distinct ones and the best trial refined by projected L-BFGS on
 * the analytic gradient (`maximizeAcquisition`). Running trials are handled by a
 * constant liar: the GP is conditioned on them as if each had returned the best value so far,
 * which drives their EI to zero so parallel workers do not pile onto the same point.
 * Hyperparameters are warm-started from this sampler's previous fit.
 * @example createSampler('gp', { nStartupTrials: 10 }) // Optuna's startup instead of max(5, 2·d)
 */
export class GpSampler implements Sampler {
  readonly name = 'gp';
  private readonly o: Required<GpOptions>;
  private lastTheta?: Float64Array;
  private fits = 0;

  constructor(options: GpOptions = {}) {
    this.o = { nStartupTrials: options.nStartupTrials ?? -1, nCandidates: options.nCandidates ?? 512, nLocalSearch: options.nLocalSearch ?? 8 };
  }

  async sample(space: SearchSpace, trials: readonly FrozenTrial[], ctx: SampleContext): Promise<{ params: Params }> {
    const dims = cubeDims(space);
    const done = completedTrials(trials).filter((t) => dims.some((n) => n in t.params));
    const startup = this.o.nStartupTrials >= 0 ? this.o.nStartupTrials : Math.max(5, 2 * dims.length);
    if (dims.length === 0 || done.length < Math.max(2, startup)) return { params: randomParams(space, ctx.random) };
    const d = dims.length;
    const isCat = dims.map((n) => space[n].type === 'categorical');
    const snapLevels = dims.map((n) => { const m = levelCount(space[n]); return m <= SNAP_LEVELS ? m : 0; });
    const snap = (u: Float64Array): Float64Array => u.map((v, j) => (snapLevels[j] ? (Math.min(snapLevels[j] - 1, Math.floor(v * snapLevels[j])) + 0.5) / snapLevels[j] : v));
    const sign = directionSign(ctx.direction);
    const x = done.map((t) => paramsToUnit(space, t.params));
    const raw = done.map((t) => sign * t.value!);
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length) || 1;
    const y = Float64Array.from(raw, (v) => (v - mean) / sd);
    // Warm start plus the prior mean; a fresh multi-start every 10th fit guards against a stale
    // local optimum. The fit costs O(n³) per step: past 100 trials the data pin the
    // hyperparameters down and successive fits barely move, so the extra starts are cut back
    // (the prior mean only on fresh fits, no random start) to keep a suggestion under a second.
    const fresh = this.fits % 10 === 0;
    const small = done.length <= 100;
    const gp0 = GaussianProcess.fit(x, y, isCat, {
      warmStart: this.lastTheta?.length === d + 2 ? this.lastTheta : undefined,
      restarts: fresh && small ? 1 : 0,
      maxIter: fresh ? 30 : 15,
      priorStart: fresh || small,
      random: ctx.random,
    });
    this.fits++;
    this.lastTheta = gp0.theta;
    let best = Infinity;
    for (const v of y) best = Math.min(best, v);
    const running = runningTrials(trials).map((t) => paramsToUnit(space, t.params));
    const gp = running.length === 0 ? gp0
      : GaussianProcess.condition([...x, ...running], Float64Array.from([...y, ...running.map(() => best)]), isCat, gp0.theta);
    const acq = {
      value: (u: Float64Array): number => {
        const p = gp.predict(snap(u));
        return logExpectedImprovement(p.mean, Math.sqrt(p.variance), best);
      },
      // Exact on the free (continuous) coordinates, the only ones the local search moves.
      withGradient: (u: Float64Array): { value: number; gradient: Float64Array } => {
        const p = gp.predictWithGradient(snap(u));
        const sigma = Math.sqrt(p.variance);
        const e = logExpectedImprovementWithGradient(p.mean, sigma, best);
        return { value: e.value, gradient: p.dMean.map((dm, j) => e.dMu * dm + (e.dSigma * p.dVariance[j]) / (2 * sigma)) };
      },
    };
    const order = [...y.keys()].sort((a, b) => y[a] - y[b]);
    const pick = maximizeAcquisition(acq, {
      dim: d,
      free: dims.map((_, j) => snapLevels[j] === 0),
      categorical: isCat,
      incumbents: order.map((i) => x[i]),
      nCandidates: this.o.nCandidates,
      nLocalSearch: this.o.nLocalSearch,
      random: ctx.random,
    });
    if (!Number.isFinite(pick.a)) return { params: randomParams(space, ctx.random) };
    return { params: paramsFromUnit(space, snap(pick.u)) };
  }
}

