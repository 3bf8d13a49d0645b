// The binomial distribution Bin(n, p): probability mass and cumulative distribution.

import { logGamma } from './gamma.js';
import { regularizedBeta } from './beta.js';

/**
 * P(X = k) for X ~ Bin(n, p), computed in log space so large n does not overflow.
 * @example binomialPmf(1, 8, 0.5) // 8/256 = 0.03125
 */
export function binomialPmf(k: number, n: number, p: number): number {
  if (!Number.isInteger(k) || k < 0 || k > n) return 0;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  const logChoose = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  return Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/**
 * P(X <= k) for X ~ Bin(n, p), via P(X <= k) = I_{1-p}(n - k, k + 1) (Abramowitz & Stegun 26.5.24),
 * accurate in both tails.
 * @example binomialCdf(1, 8, 0.5) // 9/256 = 0.03515625
 */
export function binomialCdf(k: number, n: number, p: number): number {
  const kk = Math.floor(k);
  if (kk < 0) return 0;
  if (kk >= n) return 1;
  return regularizedBeta(1 - p, n - kk, kk + 1);
}
