import { cholesky, choleskyInverse, choleskySolve, solveLower, solveLowerTransposed } from '../linalg.js';
import { minimizeBox } from './optimize.js';

/**
 * A Gaussian process on the unit cube with a Matérn-5/2 ARD kernel,
 *   k(x, x') = s² (1 + √5 r + 5r²/3) exp(−√5 r),  r² = Σ_d δ_d(x, x')² / ℓ_d²,
 * where δ_d is the coordinate difference, or 0/1 (same/different choice) for categorical
 * dimensions. Hyperparameters θ = (log ℓ_1..ℓ_D, log s², log σ²_noise) maximize the log marginal
 * likelihood plus weak log-normal priors (a MAP fit, which keeps the fit stable with few points):
 * log ℓ ~ N(√2 + ½ log D, 3) (Hvarfner, Hellsten & Nardi 2024, dimension-scaled lengthscales),
 * log s² ~ N(0, 9), log σ²_noise ~ N(log 1e-6, 4) (outputs are standardized).
 *
 * The amplitude prior is deliberately weak and its bound high (s² up to 1e4): on the unit cube a
 * smooth function whose lengthscales exceed the cube's width varies by only a fraction of the
 * prior sd, so explaining standardized data with long lengthscales needs s² ≫ 1. A N(0, 1) prior
 * with s² <= 100 forced short lengthscales instead: on Branin the fits stayed at ℓ ≈ (0.7, 1.9),
 * s² ≈ 15 where 150 points give ℓ ≈ (1.4, 5.4) with s² at the bound, and the GP needed a median of
 * 31 evaluations to get within 0.001 of the minimum (16.5 with the 150-point hyperparameters held
 * fixed; 29 with this prior, `npm run bench:samplers`).
 */

const SQRT5 = Math.sqrt(5);

export interface GpFitOptions {
  /** Start from these hyperparameters (the previous fit), if their length fits. */
  warmStart?: Float64Array;
  /** Starts drawn from the prior besides the first (the warm start, else the prior mean); default 2 without a warm start, 0 with one. */
  restarts?: number;
  maxIter?: number;
  /**
   * With a warm start, also start from the prior mean (default true): a warm start alone can keep
   * a poor local optimum found with few points (on Branin a 0.008 lengthscale, which made the GP
   * nearly white noise, for the 10 fits until the next fresh one).
   */
  priorStart?: boolean;
  random?: () => number;
}

export class GaussianProcess {
  private constructor(
    readonly x: Float64Array[],
    readonly y: Float64Array,
    readonly isCategorical: boolean[],
    readonly theta: Float64Array,
    private readonly chol: Float64Array,
    private readonly alpha: Float64Array,
  ) {
    this.invL2 = Float64Array.from(theta.subarray(0, isCategorical.length), (t) => Math.exp(-2 * t));
  }

  private readonly invL2: Float64Array;

  get dim(): number { return this.isCategorical.length; }

  /** Hyperparameter bounds and prior means for D dimensions. */
  static bounds(d: number): { lower: Float64Array; upper: Float64Array; priorMean: Float64Array } {
    const lower = new Float64Array(d + 2).fill(Math.log(5e-3));
    const upper = new Float64Array(d + 2).fill(Math.log(50));
    lower[d] = Math.log(1e-2); upper[d] = Math.log(1e4);
    lower[d + 1] = Math.log(1e-10); upper[d + 1] = Math.log(1);
    const priorMean = new Float64Array(d + 2).fill(Math.SQRT2 + 0.5 * Math.log(d));
    priorMean[d] = 0;
    priorMean[d + 1] = Math.log(1e-6);
    return { lower, upper, priorMean };
  }

  /** Fits θ by multi-start L-BFGS on the negative log posterior, then conditions on the data. */
  static fit(x: Float64Array[], y: Float64Array, isCategorical: boolean[], options: GpFitOptions = {}): GaussianProcess {
    const d = isCategorical.length;
    const { lower, upper, priorMean } = GaussianProcess.bounds(d);
    const diffs = pairDiffs(x, isCategorical);
    const objective = (theta: Float64Array): { f: number; g: Float64Array } => negLogPosterior(theta, diffs, y, d, priorMean);
    const warm = options.warmStart?.length === d + 2 ? options.warmStart : undefined;
    const starts: Float64Array[] = warm && options.priorStart !== false ? [warm, priorMean] : [warm ?? priorMean];
    const random = options.random ?? Math.random;
    const restarts = options.restarts ?? (warm ? 0 : 2);
    const priorVar = priorVariances(d);
    for (let r = 0; r < restarts; r++) starts.push(priorMean.map((m, i) => Math.min(upper[i], Math.max(lower[i], m + Math.sqrt(priorVar[i]) * gaussian(random)))));
    let best: { x: Float64Array; f: number } | undefined;
    for (const s of starts) {
      // Hyperparameters need no more than a few digits: loose tolerances save most of the fit.
      const res = minimizeBox(objective, s, { lower, upper, maxIter: options.maxIter ?? 50, gradTol: 1e-3, ftol: 1e-7 });
      if (Number.isFinite(res.f) && (!best || res.f < best.f)) best = res;
    }
    return GaussianProcess.condition(x, y, isCategorical, best?.x ?? priorMean);
  }

  /** A GP with fixed hyperparameters θ conditioned on (x, y). */
  static condition(x: Float64Array[], y: Float64Array, isCategorical: boolean[], theta: Float64Array): GaussianProcess {
    const d = isCategorical.length;
    const k = covariance(pairDiffs(x, isCategorical), theta, d);
    let jitter = 0;
    let l = cholesky(k.total, x.length);
    while (!l) {
      jitter = jitter === 0 ? 1e-9 : jitter * 10;
      if (jitter > 1) throw new Error('gaussian process: covariance is not positive definite');
      const kj = Float64Array.from(k.total);
      for (let i = 0; i < x.length; i++) kj[i * x.length + i] += jitter;
      l = cholesky(kj, x.length);
    }
    return new GaussianProcess(x, y, isCategorical, Float64Array.from(theta), l, choleskySolve(l, x.length, y));
  }

  /** Posterior mean and variance of the latent function at `u`. */
  predict(u: ArrayLike<number>): { mean: number; variance: number } {
    const { mean, variance } = this.posterior(u, false);
    return { mean, variance };
  }

  /**
   * Posterior mean and variance at `u` with their gradients in u (zero for categorical
   * dimensions), for the acquisition's local search: with K⁻¹ = L⁻ᵀL⁻¹, v = L⁻¹k(u) and
   * w = L⁻ᵀv, ∂mean/∂u_j = Σ_i ∂k_i/∂u_j α_i and ∂variance/∂u_j = −2 Σ_i w_i ∂k_i/∂u_j, where for
   * Matérn-5/2 ∂k/∂u_j = −s²(5/3)(1 + √5r)e^{−√5r}(u_j − x_j)/ℓ_j². One more triangular solve
   * than `predict`, instead of d more predictions for finite differences.
   */
  predictWithGradient(u: ArrayLike<number>): { mean: number; variance: number; dMean: Float64Array; dVariance: Float64Array } {
    return this.posterior(u, true) as { mean: number; variance: number; dMean: Float64Array; dVariance: Float64Array };
  }

  private posterior(u: ArrayLike<number>, withGradient: boolean): { mean: number; variance: number; dMean?: Float64Array; dVariance?: Float64Array } {
    const n = this.x.length;
    const d = this.dim;
    const s2 = Math.exp(this.theta[d]);
    const ks = new Float64Array(n);
    // Per training point, the factor of ∂k_i/∂u_j common to every j.
    const dfac = withGradient ? new Float64Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      let r2 = 0;
      const xi = this.x[i];
      for (let j = 0; j < d; j++) {
        const dx = this.isCategorical[j] ? (Math.abs(u[j] - xi[j]) > 1e-9 ? 1 : 0) : u[j] - xi[j];
        r2 += dx * dx * this.invL2[j];
      }
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      ks[i] = s2 * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      if (dfac) dfac[i] = -s2 * (5 / 3) * (1 + SQRT5 * r) * e;
    }
    let mean = 0;
    for (let i = 0; i < n; i++) mean += ks[i] * this.alpha[i];
    const v = solveLower(this.chol, n, ks);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += v[i] * v[i];
    const floor = 1e-12 * s2;
    const variance = Math.max(s2 - vv, floor);
    if (!dfac) return { mean, variance };
    const w = solveLowerTransposed(this.chol, n, v);
    const dMean = new Float64Array(d);
    const dVariance = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const xi = this.x[i];
      const am = dfac[i] * this.alpha[i];
      const av = -2 * dfac[i] * w[i];
      for (let j = 0; j < d; j++) {
        if (this.isCategorical[j]) continue;
        const t = (u[j] - xi[j]) * this.invL2[j];
        dMean[j] += am * t;
        dVariance[j] += av * t;
      }
    }
    if (variance === floor) dVariance.fill(0);
    return { mean, variance, dMean, dVariance };
  }
}

/** Per pair (i, j), per dimension: the squared coordinate difference (0/1 for categoricals). */
interface PairDiffs { n: number; d2: Float64Array }

function pairDiffs(x: Float64Array[], isCategorical: boolean[]): PairDiffs {
  const n = x.length;
  const d = isCategorical.length;
  const d2 = new Float64Array(n * n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const o = (i * n + j) * d;
      for (let k = 0; k < d; k++) {
        const dx = isCategorical[k] ? (Math.abs(x[i][k] - x[j][k]) > 1e-9 ? 1 : 0) : x[i][k] - x[j][k];
        d2[o + k] = dx * dx;
      }
    }
  }
  return { n, d2 };
}

/** K + σ²I (lower triangle filled) and, per pair, the factor s²·(5/3)(1+√5r)e^{−√5r} of ∂K/∂log ℓ. */
function covariance({ n, d2 }: PairDiffs, theta: Float64Array, d: number): { total: Float64Array; kf: Float64Array; dfac: Float64Array } {
  const invL2 = new Float64Array(d);
  for (let k = 0; k < d; k++) invL2[k] = Math.exp(-2 * theta[k]);
  const s2 = Math.exp(theta[d]);
  const noise = Math.exp(theta[d + 1]);
  const total = new Float64Array(n * n);
  const kf = new Float64Array(n * n);
  const dfac = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    total[i * n + i] = s2 + noise + 1e-10;
    kf[i * n + i] = s2;
    for (let j = 0; j < i; j++) {
      const o = (i * n + j) * d;
      let r2 = 0;
      for (let k = 0; k < d; k++) r2 += d2[o + k] * invL2[k];
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      const kv = s2 * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      total[i * n + j] = kv; total[j * n + i] = kv;
      kf[i * n + j] = kv;
      dfac[i * n + j] = s2 * (5 / 3) * (1 + SQRT5 * r) * e;
    }
  }
  return { total, kf, dfac };
}

/** Prior variances of θ = (log ℓ_1..ℓ_D, log s², log σ²_noise); the means are in `bounds`. */
function priorVariances(d: number): number[] {
  return [...new Array<number>(d).fill(3), 9, 4];
}

/** −(log marginal likelihood + log prior) and its gradient in θ. */
function negLogPosterior(theta: Float64Array, diffs: PairDiffs, y: Float64Array, d: number, priorMean: Float64Array): { f: number; g: Float64Array } {
  const n = diffs.n;
  const g = new Float64Array(d + 2);
  const { total, kf, dfac } = covariance(diffs, theta, d);
  const l = cholesky(total, n);
  if (!l) return { f: Infinity, g };
  const alpha = choleskySolve(l, n, y);
  let f = 0;
  for (let i = 0; i < n; i++) f += 0.5 * y[i] * alpha[i] + Math.log(l[i * n + i]);
  f += 0.5 * n * Math.log(2 * Math.PI);
  // ∂LML/∂θ = ½ tr(W ∂K/∂θ) with W = ααᵀ − K⁻¹.
  const inv = choleskyInverse(l, n);
  const invL2 = new Float64Array(d);
  for (let k = 0; k < d; k++) invL2[k] = Math.exp(-2 * theta[k]);
  let gs2 = 0;
  let gNoise = 0;
  for (let i = 0; i < n; i++) {
    const wii = alpha[i] * alpha[i] - inv[i * n + i];
    gs2 += 0.5 * wii * kf[i * n + i];
    gNoise += 0.5 * wii;
    for (let j = 0; j < i; j++) {
      const w = alpha[i] * alpha[j] - inv[i * n + j]; // off-diagonal pairs count twice: ½·2
      gs2 += w * kf[i * n + j];
      const c = w * dfac[i * n + j];
      const o = (i * n + j) * d;
      for (let k = 0; k < d; k++) g[k] -= c * diffs.d2[o + k] * invL2[k];
    }
  }
  g[d] = -gs2;
  g[d + 1] = -gNoise * Math.exp(theta[d + 1]);
  // Priors: θ_i ~ N(m_i, v_i).
  const variances = priorVariances(d);
  for (let i = 0; i < d + 2; i++) {
    const z = theta[i] - priorMean[i];
    f += (0.5 * z * z) / variances[i];
    g[i] += z / variances[i];
  }
  return { f, g };
}

/** A standard normal draw (Box–Muller) from a uniform source. */
export function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
