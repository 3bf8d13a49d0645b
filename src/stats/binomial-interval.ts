// Confidence intervals for a proportion: k successes in n trials (e.g. a test-set accuracy).

import { inverseRegularizedBeta } from './beta.js';
import { normalQuantile } from './normal.js';
import { checkCounts, checkLevel, fail } from './validate.js';

export type BinomialMethod = 'wilson' | 'clopper-pearson' | 'normal';

export interface BinomialInterval {
  /** The point estimate k / n. */
  estimate: number;
  lo: number;
  hi: number;
  method: BinomialMethod;
  level: number;
}

const METHODS: readonly BinomialMethod[] = ['wilson', 'clopper-pearson', 'normal'];

/**
 * Wilson score interval: (p̂ + z²/2n ± z·sqrt(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹((1+level)/2).
 * Source: Wilson (1927), JASA 22:209-212; recommended by Agresti & Coull (1998), Am. Stat. 52:119-126,
 * and Newcombe (1998), Stat. Med. 17:857-872 (method 3).
 * @example wilsonInterval(81, 263) // { estimate: 0.30798…, lo: 0.25532…, hi: 0.36622…, method: 'wilson', level: 0.95 }
 */
export function wilsonInterval(k: number, n: number, level = 0.95): BinomialInterval {
  const fn = 'wilsonInterval';
  checkCounts(fn, k, n);
  checkLevel(fn, level);
  const z = normalQuantile((1 + level) / 2);
  const p = k / n;
  const z2n = (z * z) / n;
  const center = p + z2n / 2;
  const half = z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  const denom = 1 + z2n;
  // At k = 0 (k = n) the lower (upper) limit is exactly 0 (1); avoid rounding residue there.
  const lo = k === 0 ? 0 : (center - half) / denom;
  const hi = k === n ? 1 : (center + half) / denom;
  return { estimate: p, lo: Math.max(0, lo), hi: Math.min(1, hi), method: 'wilson', level };
}

/**
 * Clopper-Pearson "exact" interval: lo = B⁻¹(α/2; k, n-k+1), hi = B⁻¹(1-α/2; k+1, n-k), with lo = 0
 * when k = 0 and hi = 1 when k = n, where B⁻¹ is the Beta quantile (inverse regularized incomplete beta).
 * Source: Clopper & Pearson (1934), Biometrika 26:404-413; Newcombe (1998) method 5.
 * @example clopperPearsonInterval(81, 263) // { estimate: 0.30798…, lo: 0.25268…, hi: 0.36761…, method: 'clopper-pearson', level: 0.95 }
 */
export function clopperPearsonInterval(k: number, n: number, level = 0.95): BinomialInterval {
  const fn = 'clopperPearsonInterval';
  checkCounts(fn, k, n);
  checkLevel(fn, level);
  const alpha = 1 - level;
  const lo = k === 0 ? 0 : inverseRegularizedBeta(alpha / 2, k, n - k + 1);
  const hi = k === n ? 1 : inverseRegularizedBeta(1 - alpha / 2, k + 1, n - k);
  return { estimate: k / n, lo, hi, method: 'clopper-pearson', level };
}

/**
 * Normal-approximation (Wald) interval p̂ ± z·sqrt(p̂(1-p̂)/n), clipped to [0, 1].
 * Known to undercover badly for small n or p̂ near 0 or 1 (zero width at k = 0 or k = n);
 * provided for comparison. Source: Newcombe (1998) method 1; Agresti & Coull (1998).
 * @example normalInterval(81, 263) // { estimate: 0.30798…, lo: 0.25219…, hi: 0.36377…, method: 'normal', level: 0.95 }
 */
export function normalInterval(k: number, n: number, level = 0.95): BinomialInterval {
  const fn = 'normalInterval';
  checkCounts(fn, k, n);
  checkLevel(fn, level);
  const z = normalQuantile((1 + level) / 2);
  const p = k / n;
  const half = z * Math.sqrt((p * (1 - p)) / n);
  return { estimate: p, lo: Math.max(0, p - half), hi: Math.min(1, p + half), method: 'normal', level };
}

export interface BinomialIntervalOptions {
  /** 'wilson' (default), 'clopper-pearson' (exact, conservative) or 'normal' (Wald). */
  method?: BinomialMethod;
  /** Confidence level in (0, 1); default 0.95. */
  level?: number;
}

/**
 * A confidence interval for the proportion k/n by the chosen method (Wilson by default).
 * @example binomialInterval(912, 1000, { method: 'clopper-pearson' }) // { estimate: 0.912, lo: 0.8927…, hi: 0.9288…, method: 'clopper-pearson', level: 0.95 }
 */
export function binomialInterval(k: number, n: number, options: BinomialIntervalOptions = {}): BinomialInterval {
  const method = options.method ?? 'wilson';
  const level = options.level ?? 0.95;
  switch (method) {
    case 'wilson': return wilsonInterval(k, n, level);
    case 'clopper-pearson': return clopperPearsonInterval(k, n, level);
    case 'normal': return normalInterval(k, n, level);
    default: return fail('binomialInterval', 'options.method', `one of ${METHODS.map((m) => `'${m}'`).join(', ')}`, method);
  }
}
