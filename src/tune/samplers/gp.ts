import type { FrozenTrial, Params, Sampler, SampleContext, SearchSpace } from '../types.js';
import { cubeDims, levelCount, paramsFromUnit, paramsToUnit } from '../space-cube.js';
import { completedTrials, directionSign, runningTrials } from './trials.js';
import { randomParams } from './random.js';
import { GaussianProcess, gaussian } from './gp-model.js';
import { logExpectedImprovement } from './log-ei.js';
import { minimizeBox } from './optimize.js';

export interface GpOptions {
  /**
   * Random trials before the GP starts; default max(5, 2·d) for d searched parameters, Ax's
   * initial-design size (Optuna's GPSampler uses 10 whatever d is).
   */
  nStartupTrials?: number;
  /** Random candidates scored by log EI before local refinement (default 256; half as many again are drawn around the best trials). */
  nCandidates?: number;
  /** Best candidates refined by L-BFGS on log EI (default 2). */
  nLocalSearch?: number;
}

/** Discrete dimensions with at most this many values are evaluated at their bin centres only. */
const SNAP_LEVELS = 64;

/**
 * Bayesian optimization with a Gaussian process (Matérn-5/2 ARD, MAP hyperparameters) and log
 * expected improvement. Inputs live in the unit cube (log parameters in log space), outputs are
 * standardized. The acquisition is maximized over random candidates plus perturbations of the
 * best trials, the best few refined by projected L-BFGS. Running trials are handled by a
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
    this.o = { nStartupTrials: options.nStartupTrials ?? -1, nCandidates: options.nCandidates ?? 256, nLocalSearch: options.nLocalSearch ?? 2 };
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
    // Warm start; a fresh multi-start every 10th fit guards against a stale local optimum.
    const fresh = this.fits % 10 === 0;
    const gp0 = GaussianProcess.fit(x, y, isCat, {
      warmStart: this.lastTheta?.length === d + 2 ? this.lastTheta : undefined,
      restarts: fresh ? 1 : 0,
      maxIter: fresh ? 30 : 15,
      random: ctx.random,
    });
    this.fits++;
    this.lastTheta = gp0.theta;
    let best = Infinity;
    for (const v of y) best = Math.min(best, v);
    const running = runningTrials(trials).map((t) => paramsToUnit(space, t.params));
    const gp = running.length === 0 ? gp0
      : GaussianProcess.condition([...x, ...running], Float64Array.from([...y, ...running.map(() => best)]), isCat, gp0.theta);
    const acq = (u: Float64Array): number => {
      const p = gp.predict(snap(u));
      return logExpectedImprovement(p.mean, Math.sqrt(p.variance), best);
    };
    // Candidates: uniform points, and Gaussian steps around the best few trials.
    const order = [...y.keys()].sort((a, b) => y[a] - y[b]);
    const candidates: Float64Array[] = [];
    for (let c = 0; c < this.o.nCandidates; c++) candidates.push(Float64Array.from({ length: d }, () => ctx.random()));
    for (let c = 0; c < this.o.nCandidates / 2; c++) {
      const centre = x[order[c % Math.min(5, order.length)]];
      const scale = [0.2, 0.05, 0.01, 0.002][c % 4];
      candidates.push(centre.map((v, j) => (isCat[j] ? (ctx.random() < 0.2 ? ctx.random() : v) : Math.min(1, Math.max(0, v + scale * gaussian(ctx.random))))));
    }
    const scored = candidates.map((u) => ({ u, a: acq(u) })).sort((p, q) => q.a - p.a);
    let pick = scored[0];
    const free = dims.map((_, j) => snapLevels[j] === 0);
    if (free.some(Boolean)) {
      for (const start of scored.slice(0, this.o.nLocalSearch)) {
        const refined = refine(acq, start.u, free);
        if (refined.a > pick.a) pick = refined;
      }
    }
    if (!Number.isFinite(pick.a)) return { params: randomParams(space, ctx.random) };
    return { params: paramsFromUnit(space, snap(pick.u)) };
  }
}

/** Maximizes `acq` over the free coordinates from `u0` with finite-difference gradients. */
function refine(acq: (u: Float64Array) => number, u0: Float64Array, free: boolean[]): { u: Float64Array; a: number } {
  const idx = free.flatMap((f, j) => (f ? [j] : []));
  const h = 1e-6;
  const full = (z: Float64Array): Float64Array => { const u = Float64Array.from(u0); idx.forEach((j, k) => { u[j] = z[k]; }); return u; };
  // Forward differences (one step inward at the upper bound): d + 1 evaluations per gradient.
  const fg = (z: Float64Array): { f: number; g: Float64Array } => {
    const f = -acq(full(z));
    const g = new Float64Array(z.length);
    for (let k = 0; k < z.length; k++) {
      const zk = Float64Array.from(z);
      const step = z[k] + h <= 1 ? h : -h;
      zk[k] = z[k] + step;
      g[k] = (-acq(full(zk)) - f) / step;
    }
    return { f, g };
  };
  const z0 = Float64Array.from(idx, (j) => u0[j]);
  const res = minimizeBox(fg, z0, { lower: idx.map(() => 0), upper: idx.map(() => 1), maxIter: 12, gradTol: 1e-7 });
  return { u: full(res.x), a: -res.f };
}
