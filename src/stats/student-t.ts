// Student's t distribution: CDF and quantile, via the regularized incomplete beta function.

import { inverseRegularizedBeta, regularizedBetaXY } from './beta.js';
import { normalCdf, normalQuantile } from './normal.js';

/**
 * CDF of Student's t with `df` > 0 degrees of freedom (non-integer allowed, as Welch's test needs;
 * df = Infinity gives the normal). For t > 0, P(T <= t) = 1 - I_x(df/2, 1/2) / 2 with
 * x = df / (df + t²) (Abramowitz & Stegun 26.7.1 and 26.5.27).
 * @example studentTCdf(2.7764451051977934, 4) // 0.975
 */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (df === Infinity) return normalCdf(t);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const t2 = t * t;
  const tail = 0.5 * regularizedBetaXY(df / (df + t2), t2 / (df + t2), df / 2, 0.5); // P(T > |t|)
  return t > 0 ? 1 - tail : tail;
}

/**
 * Two-sided tail probability P(|T| >= |t|) = I_x(df/2, 1/2), x = df/(df + t²), without the
 * cancellation that 2 * (1 - studentTCdf(|t|)) would suffer for large |t|.
 * @example studentTTwoSidedP(2.2621571627982053, 9) // 0.05
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (df === Infinity) return 2 * normalCdf(-Math.abs(t));
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  return regularizedBetaXY(df / (df + t2), t2 / (df + t2), df / 2, 0.5);
}

/**
 * Quantile of Student's t: the t with P(T <= t) = p, for 0 < p < 1 and df > 0.
 * Inverts the incomplete beta: with q = min(p, 1-p), |t| solves I_x(df/2, 1/2) = 2q for
 * x = df/(df+t²) when 2q < 1/2, else I_y(1/2, df/2) = 1 - 2q for y = t²/(df+t²) (A&S 26.7.1).
 * @example studentTQuantile(0.975, 4) // 2.7764451051977934
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0)) return NaN;
  if (df === Infinity) return normalQuantile(p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  const q = Math.min(p, 1 - p);
  let abs: number;
  if (2 * q < 0.5) {
    const x = inverseRegularizedBeta(2 * q, df / 2, 0.5);
    abs = Math.sqrt((df * (1 - x)) / x);
  } else {
    const y = inverseRegularizedBeta(1 - 2 * q, 0.5, df / 2);
    abs = Math.sqrt((df * y) / (1 - y));
  }
  return p < 0.5 ? -abs : abs;
}
