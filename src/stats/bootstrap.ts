// Bootstrap confidence intervals for any metric computed from per-item data.

import { SeededRandom } from './random.js';
import { checkInteger, checkLevel, fail } from './validate.js';

export type BootstrapMethod = 'percentile' | 'basic';

export interface BootstrapOptions {
  /** Number of resamples; default 1000. */
  resamples?: number;
  /** Confidence level in (0, 1); default 0.95. */
  level?: number;
  /** Seed for the resampling generator; default 0, so results are reproducible unless you vary it. */
  seed?: number;
  /**
   * 'percentile' (default): the α/2 and 1-α/2 quantiles of the resampled metric (Efron 1979).
   * 'basic': 2θ̂ minus those quantiles, swapped (Davison & Hinkley 1997, eq. 5.6).
   */
  method?: BootstrapMethod;
}

export interface BootstrapInterval {
  /** The metric on the full data. */
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  method: BootstrapMethod;
  resamples: number;
  seed: number;
  /** Standard deviation of the resampled metric: the bootstrap standard error. */
  standardError: number;
}

/** Sample quantile with linear interpolation between order statistics (Hyndman & Fan 1996, type 7). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  const frac = h - i;
  return i + 1 < sorted.length ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i];
}

/**
 * Nonparametric bootstrap interval for `metric(data)`: draws `resamples` samples of the items with
 * replacement (each of the same size as `data`), recomputes the metric on each, and reports the
 * percentile interval (Efron & Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13) or the basic
 * interval. Items can be anything — numbers, or {prediction, target} records for metrics such as F1 —
 * so the resampling respects the per-item pairing. Deterministic given `seed` (xoshiro128**).
 * Quantiles interpolate linearly between order statistics (type 7).
 * @example bootstrapInterval([1, 0, 1, 1, 0, 1], (s) => s.reduce((a, b) => a + b, 0) / s.length, { seed: 1 }) // { estimate: 0.667, lo: 0.333, hi: 1, … }
 */
export function bootstrapInterval<T>(
  data: ArrayLike<T>,
  metric: (sample: T[]) => number,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const fn = 'bootstrapInterval';
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    fail(fn, 'data', 'an array (or array-like) of items', data);
  }
  if (data.length < 1) fail(fn, 'data', 'non-empty', `an empty array`);
  if (typeof metric !== 'function') fail(fn, 'metric', 'a function (sample) => number', metric);
  const resamples = checkInteger(fn, 'options.resamples', options.resamples ?? 1000, 1);
  const level = checkLevel(fn, options.level ?? 0.95);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) fail(fn, 'options.seed', 'a safe integer', seed);
  const method = options.method ?? 'percentile';
  if (method !== 'percentile' && method !== 'basic') fail(fn, 'options.method', "'percentile' or 'basic'", method);

  const items = Array.from(data);
  const n = items.length;
  const estimate = metric(items.slice());
  if (typeof estimate !== 'number' || Number.isNaN(estimate)) {
    fail(fn, 'metric(data)', 'a number (not NaN)', estimate);
  }
  const rng = new SeededRandom(seed);
  const stats = new Float64Array(resamples);
  let sum = 0;
  for (let r = 0; r < resamples; r++) {
    const sample = new Array<T>(n);
    for (let i = 0; i < n; i++) sample[i] = items[rng.int(n)];
    const v = metric(sample);
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new Error(`${fn}: metric returned ${String(v)} on resample ${r}; it must return a number for every resample ` +
        '(e.g. define precision of a class that was never predicted as 0)');
    }
    stats[r] = v;
    sum += v;
  }
  const mean = sum / resamples;
  let ss = 0;
  for (let r = 0; r < resamples; r++) ss += (stats[r] - mean) ** 2;
  const standardError = resamples > 1 ? Math.sqrt(ss / (resamples - 1)) : 0;
  stats.sort();
  const alpha = 1 - level;
  const qLo = quantileSorted(stats, alpha / 2);
  const qHi = quantileSorted(stats, 1 - alpha / 2);
  const [lo, hi] = method === 'percentile' ? [qLo, qHi] : [2 * estimate - qHi, 2 * estimate - qLo];
  return { estimate, lo, hi, level, method, resamples, seed, standardError };
}
