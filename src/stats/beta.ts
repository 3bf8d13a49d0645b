// The regularized incomplete beta function I_x(a, b) and its inverse. This is the workhorse
// behind the Clopper-Pearson interval, the binomial CDF and Student's t distribution.

import { stirlingCorrection } from './gamma.js';

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 100000;

/** ln(p / (p + q)) without losing digits when p >> q. */
function logFraction(p: number, q: number): number {
  return p <= q ? Math.log(p / (p + q)) : Math.log1p(-q / (p + q));
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b), for a, b > 0. Computed via Stirling's formula as
 * (a - ½) ln(a/s) + (b - ½) ln(b/s) - ½ ln s + ½ ln 2π + corr(a) + corr(b) - corr(s), s = a + b
 * (A&S 6.1.40 with the exact remainder), so B(2, 10^6) does not lose digits to ln Γ(10^6) ≈ 1.3e7.
 * @example logBeta(2, 3) // ln(1/12) = -2.4849066497880004
 */
export function logBeta(a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) return NaN;
  const s = a + b;
  return (a - 0.5) * logFraction(a, b) + (b - 0.5) * logFraction(b, a) - 0.5 * Math.log(s) +
    0.5 * Math.log(2 * Math.PI) + stirlingCorrection(a) + stirlingCorrection(b) - stirlingCorrection(s);
}

/**
 * ln(x^a y^b / B(a, b)) with y = 1 - x: the prefactor of I_x(a, b). Written with Stirling's formula as
 * ½ ln(ab / (2π(a+b))) + a ln(x(a+b)/a) + b ln(y(a+b)/b) + corr(a+b) - corr(a) - corr(b),
 * and x(a+b)/a = 1 + (xb - ya)/a, so for large a and b nothing cancels catastrophically
 * (the direct a ln x + b ln y - ln B(a,b) loses ~log10(a+b) digits). Cf. DiDonato & Morris (1992),
 * ACM TOMS 18:360-373, on computing this factor accurately.
 */
function logBetaPrefactor(x: number, y: number, a: number, b: number): number {
  const s = a + b;
  const d = x * b - y * a; // = x(a+b) - a
  const termA = Math.abs(d) < 0.5 * a ? a * Math.log1p(d / a) : a * Math.log((x * s) / a);
  const termB = Math.abs(d) < 0.5 * b ? b * Math.log1p(-d / b) : b * Math.log((y * s) / b);
  return 0.5 * Math.log((a * b) / (2 * Math.PI * s)) + termA + termB +
    stirlingCorrection(s) - stirlingCorrection(a) - stirlingCorrection(b);
}

/**
 * The continued fraction of I_x(a, b) (Abramowitz & Stegun 26.5.8):
 * I_x(a,b) = x^a (1-x)^b / (a B(a,b)) · 1/(1+ d1/(1+ d2/(1+ ...))) with
 * d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),  d_{2m} = m(b-m) x / ((a+2m-1)(a+2m)),
 * evaluated by the modified Lentz method (Lentz 1976; Thompson & Barnett 1986).
 * Converges quickly for x < (a+1)/(a+b+2).
 */
function betaContinuedFraction(x: number, a: number, b: number): number {
  // f = 1 / (1 + d1 / (1 + d2 / ...)); Lentz on the fraction b0 + a1/(b1 + a2/(b2 + ...)) with b_j = 1.
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1); // 1 + d1
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    // even step d_{2m}
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // odd step d_{2m+1}
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return h;
  }
  throw new Error(`regularizedBeta: continued fraction did not converge for x = ${x}, a = ${a}, b = ${b}`);
}

/**
 * Power series I_x(a, b) = x^a y^b / (a B(a, b)) · Σ_{n>=0} t_n, t_0 = 1, t_{n+1} = t_n · x (a+b+n) / (a+1+n),
 * i.e. the hypergeometric form B_x(a, b) = x^a (1-x)^b / a · F(a+b, 1; a+1; x) (Abramowitz & Stegun 26.5.23,
 * 15.1.1). Every term is positive, so it is accurate to rounding wherever it is used; it needs about
 * 2·x·(a+b) + 40 terms, so it is used only for x < 1/2 with x·(a+b) moderate.
 */
function betaSeries(x: number, y: number, a: number, b: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_ITER; n++) {
    term *= (x * (a + b + n)) / (a + 1 + n);
    sum += term;
    if (term <= sum * EPS) return (Math.exp(logBetaPrefactor(x, y, a, b)) * sum) / a;
  }
  throw new Error(`regularizedBeta: series did not converge for x = ${x}, a = ${a}, b = ${b}`);
}

/** Largest x·(a+b) for which betaSeries is used (bounds its cost to a few thousand terms). */
const SERIES_LIMIT = 2000;

/**
 * I_x(a, b) given both x and y = 1 - x, so callers that know 1 - x more precisely than a subtraction
 * would give (Student's t for small |t|) lose nothing. Internal; see regularizedBeta.
 *
 * Below the mean, x < (a+1)/(a+b+2), the continued fraction in x converges fast; above it, the
 * symmetry I_x(a, b) = 1 - I_y(b, a) puts the fraction in y. Two regimes are ill-conditioned in the
 * fraction's variable but not in the other one, and there the all-positive power series in the small
 * variable is used instead (both arise for Clopper-Pearson bounds with n ~ 10^6):
 *  - above the mean with x < 1/2 (e.g. a = 2, b = 10^6): I = betaSeries(x), no subtraction at all;
 *  - below the mean with y < 1/2 and a >> b (e.g. a = 10^6, b = 2): the fraction in x errs by about
 *    ε·x·density/I = ε·x^a y^b / (B(a,b) y I), the series complement 1 - I_y(b, a) by about 100ε/I,
 *    so the complement is used when x^a y^b / (B(a,b) y) > 64.
 */
export function regularizedBetaXY(x: number, y: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  if (x < (a + 1) / (a + b + 2)) {
    const front = Math.exp(logBetaPrefactor(x, y, a, b));
    if (y < 0.5 && y * (a + b) <= SERIES_LIMIT && front > 64 * y) return 1 - betaSeries(y, x, b, a);
    return (front * betaContinuedFraction(x, a, b)) / a;
  }
  if (x < 0.5 && x * (a + b) <= SERIES_LIMIT) return betaSeries(x, y, a, b);
  return 1 - (Math.exp(logBetaPrefactor(x, y, a, b)) * betaContinuedFraction(y, b, a)) / b;
}

/**
 * Regularized incomplete beta function I_x(a, b) = (1/B(a,b)) ∫_0^x t^(a-1) (1-t)^(b-1) dt,
 * for a, b > 0 and 0 <= x <= 1 (NaN otherwise). Continued fraction A&S 26.5.8 with Lentz's method,
 * using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where the fraction would converge slowly.
 * @example regularizedBeta(0.5, 2, 3) // 11/16 = 0.6875
 */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1)) return NaN;
  return regularizedBetaXY(x, 1 - x, a, b);
}

/** Density of Beta(a, b) at x, in (0, 1): x^(a-1) (1-x)^(b-1) / B(a, b). */
function betaDensity(x: number, a: number, b: number): number {
  const y = 1 - x;
  return Math.exp(logBetaPrefactor(x, y, a, b)) / (x * y);
}

/**
 * Inverse of the regularized incomplete beta function: the x in [0, 1] with I_x(a, b) = p
 * (the p-quantile of the Beta(a, b) distribution). Safeguarded Newton iteration inside a
 * bisection bracket, so it always converges; stops when the step is below 1e-15 relative
 * (accuracy ~1e-13 or better, limited by that of I_x itself). An optional `guess` in (0, 1) close to the
 * answer saves iterations (the bracket keeps a poor guess harmless).
 * @example inverseRegularizedBeta(0.6875, 2, 3) // 0.5
 */
export function inverseRegularizedBeta(p: number, a: number, b: number, guess?: number): number {
  if (!(p >= 0 && p <= 1) || !(a > 0) || !(b > 0)) return NaN;
  if (p === 0) return 0;
  if (p === 1) return 1;
  let lo = 0;
  let hi = 1;
  // Starting point: the caller's guess if it is inside (0, 1), else the mean, where the density is not extreme.
  let x = guess !== undefined && guess > 0 && guess < 1 ? guess : a / (a + b);
  for (let iter = 0; iter < 1000; iter++) {
    const f = regularizedBeta(x, a, b) - p;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const density = betaDensity(x, a, b);
    let next = x - f / density;
    if (!(next > lo && next < hi)) {
      // Newton left the bracket: bisect instead (geometrically near 0, where roots can be tiny).
      next = lo === 0 ? hi / 16 : hi === 1 ? 1 - (1 - lo) / 2 : (lo + hi) / 2;
      if (lo === 0 && hi / 16 <= TINY) next = hi / 2;
    }
    if (Math.abs(next - x) <= 1e-15 * Math.max(x, 1e-300) || hi - lo <= 1e-15 * Math.max(lo, 1e-300)) {
      return next;
    }
    x = next;
  }
  return x;
}
