import { normalCdf, normalQuantile } from '../../stats/normal.js';

/**
 * The Parzen estimator of multivariate TPE: a mixture with one product kernel per observation
 * plus a prior kernel, following Optuna's `_ParzenEstimator` (multivariate mode): truncated
 * normals for numbers (discretized on their step grid), smoothed one-hot weights for
 * categoricals, bandwidth 0.2·n^(-1/(p+4))·range clipped to [range/min(100, n+2), range]
 * ("magic clip"), prior N((low+high)/2, range) with weight 1.
 */

/** One coordinate in TPE's working space (log already applied for log parameters). */
export type KernelDim =
  | { kind: 'numeric'; low: number; high: number; step?: number }
  | { kind: 'categorical'; choices: number };

export interface ParzenOptions {
  priorWeight: number;
  magicClip: boolean;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log(Φ(b) - Φ(a)) for a < b, computed on the side of the tail where it does not cancel. */
function logNormalMass(a: number, b: number): number {
  const m = a > 0 ? normalCdf(-a) - normalCdf(-b) : normalCdf(b) - normalCdf(a);
  if (m > 0) return Math.log(m);
  // Both ends deep in one tail: use the density at the nearer end times the width.
  const z = a > 0 ? a : b < 0 ? b : 0;
  return -0.5 * z * z - LOG_SQRT_2PI + Math.log(b - a);
}

/** One draw from N(mu, sigma²) truncated to [low, high] by inverting the CDF. */
function sampleTruncNormal(mu: number, sigma: number, low: number, high: number, u: number): number {
  let a = (low - mu) / sigma;
  let b = (high - mu) / sigma;
  let flip = 1;
  if (a > 0) { [a, b] = [-b, -a]; flip = -1; } // work in the lower tail, where Φ is accurate
  const pa = normalCdf(a);
  const pb = normalCdf(b);
  let z = normalQuantile(pa + u * (pb - pa));
  if (!Number.isFinite(z)) z = u < 0.5 ? a : b;
  const x = mu + flip * sigma * z;
  return Math.min(high, Math.max(low, x));
}

export class ParzenEstimator {
  /** log mixture weights, one per kernel (observations then prior). */
  private readonly logW: Float64Array;
  /** Per dimension: kernel centres and widths (numeric) or probability tables (categorical). */
  private readonly mus: Float64Array[] = [];
  private readonly sigmas: Float64Array[] = [];
  private readonly probs: Float64Array[][] = [];
  private readonly k: number;
  private readonly logNorms: Float64Array[];

  /** `obs[i][j]`: observation i, dimension j (categoricals as choice index); `weights[i]` its weight. */
  constructor(private readonly dims: KernelDim[], obs: number[][], weights: number[], options: ParzenOptions) {
    const n = obs.length;
    const w = n === 0 ? [1] : [...weights, options.priorWeight];
    const total = w.reduce((s, x) => s + x, 0);
    this.logW = Float64Array.from(w, (x) => Math.log(x / total));
    this.k = w.length;
    const p = dims.length;
    dims.forEach((dim, j) => {
      if (dim.kind === 'categorical') {
        const fill = options.priorWeight / (n + 1);
        const rows: Float64Array[] = [];
        for (let i = 0; i <= n; i++) {
          const row = new Float64Array(dim.choices).fill(fill);
          if (i < n) row[obs[i][j]] += 1;
          const s = row.reduce((a, b) => a + b, 0);
          for (let c = 0; c < dim.choices; c++) row[c] /= s;
          rows.push(row);
        }
        this.probs[j] = rows;
        this.mus[j] = new Float64Array(0);
        this.sigmas[j] = new Float64Array(0);
        return;
      }
      const range = dim.high - dim.low + (dim.step ?? 0);
      let sigma = 0.2 * Math.max(n, 1) ** (-1 / (p + 4)) * range;
      const minSigma = options.magicClip ? range / Math.min(100, 1 + n + 1) : 1e-12;
      sigma = Math.min(range, Math.max(minSigma, sigma));
      const mu = new Float64Array(n + 1);
      const sg = new Float64Array(n + 1).fill(sigma);
      for (let i = 0; i < n; i++) mu[i] = obs[i][j];
      mu[n] = 0.5 * (dim.low + dim.high);
      sg[n] = range;
      // With no observations the mixture is the prior alone (kernel 0).
      this.mus[j] = n === 0 ? mu.subarray(n) : mu;
      this.sigmas[j] = n === 0 ? sg.subarray(n) : sg;
      this.probs[j] = [];
    });
    // The truncation mass of each numeric kernel does not depend on x: compute it once.
    this.logNorms = dims.map((dim, j) => {
      if (dim.kind === 'categorical') return new Float64Array(0);
      const half = (dim.step ?? 0) / 2;
      return Float64Array.from(this.mus[j], (mu, kk) => {
        const s = this.sigmas[j][kk];
        return logNormalMass((dim.low - half - mu) / s, (dim.high + half - mu) / s);
      });
    });
  }

  /** Draws `count` points (rows in working coordinates) with the uniform source `random`. */
  sample(count: number, random: () => number): number[][] {
    const cum = new Float64Array(this.k);
    let acc = 0;
    for (let i = 0; i < this.k; i++) { acc += Math.exp(this.logW[i]); cum[i] = acc; }
    const out: number[][] = [];
    for (let c = 0; c < count; c++) {
      const r = random() * acc;
      let kk = 0;
      while (kk < this.k - 1 && cum[kk] <= r) kk++;
      out.push(this.dims.map((dim, j) => {
        if (dim.kind === 'categorical') {
          const row = this.probs[j][kk];
          const u = random();
          let s = 0;
          for (let q = 0; q < row.length; q++) { s += row[q]; if (u < s) return q; }
          return row.length - 1;
        }
        const half = (dim.step ?? 0) / 2;
        const x = sampleTruncNormal(this.mus[j][kk], this.sigmas[j][kk], dim.low - half, dim.high + half, random());
        if (dim.step === undefined) return x;
        return Math.min(dim.high, Math.max(dim.low, dim.low + Math.round((x - dim.low) / dim.step) * dim.step));
      }));
    }
    return out;
  }

  /** log density (log probability for discrete parts) of the mixture at point `x`. */
  logPdf(x: number[]): number {
    const terms = Float64Array.from(this.logW);
    this.dims.forEach((dim, j) => {
      for (let kk = 0; kk < this.k; kk++) {
        if (dim.kind === 'categorical') { terms[kk] += Math.log(this.probs[j][kk][x[j]]); continue; }
        const mu = this.mus[j][kk];
        const s = this.sigmas[j][kk];
        const half = (dim.step ?? 0) / 2;
        const norm = this.logNorms[j][kk];
        if (dim.step === undefined) {
          const z = (x[j] - mu) / s;
          terms[kk] += -0.5 * z * z - LOG_SQRT_2PI - Math.log(s) - norm;
        } else {
          terms[kk] += logNormalMass((x[j] - half - mu) / s, (x[j] + half - mu) / s) - norm;
        }
      }
    });
    let m = -Infinity;
    for (const t of terms) if (t > m) m = t;
    if (m === -Infinity) return -Infinity;
    let s = 0;
    for (const t of terms) s += Math.exp(t - m);
    return m + Math.log(s);
  }
}
