// McNemar's test: do two classifiers, scored on the same test items, differ in accuracy?

import { binomialCdf, binomialPmf } from './binomial.js';
import { checkInteger, fail } from './validate.js';

export interface McNemarResult {
  /** Items A got right and B got wrong. */
  b: number;
  /** Items A got wrong and B got right. */
  c: number;
  /** Discordant pairs b + c; only these carry information about the difference. */
  discordant: number;
  /** The exact test's statistic min(b, c) (as statsmodels reports it). */
  statistic: number;
  /** Two-sided exact conditional p-value: min(1, 2 · P(X <= min(b, c))), X ~ Bin(b + c, 1/2). */
  pValue: number;
  /**
   * Two-sided mid-p-value: the exact p-value minus P(X = min(b, c)); 1 - P(X = b)/2 when b = c.
   * Less conservative; recommended by Fagerland, Lydersen & Laake (2013).
   */
  midPValue: number;
}

/**
 * P(X <= m) and P(X = m) for X ~ Bin(n, 1/2). Up to n = 50 every binomial coefficient and every product in
 * the recurrence C(n, j+1) = C(n, j)(n - j)/(j + 1) stays below 2^53, so the sums are exact integers and
 * dividing by 2^n is exact: small tables get exact p-values (e.g. 18/256). Larger n use the incomplete beta.
 */
function halfBinomial(m: number, n: number): { cdf: number; pmf: number } {
  if (n > 50) return { cdf: binomialCdf(m, n, 0.5), pmf: binomialPmf(m, n, 0.5) };
  let coef = 1;
  let sum = 1;
  for (let j = 0; j < m; j++) {
    coef = (coef * (n - j)) / (j + 1);
    sum += coef;
  }
  const scale = 2 ** -n;
  return { cdf: sum * scale, pmf: coef * scale };
}

/**
 * McNemar's exact test from the discordant counts b and c (McNemar 1947, Psychometrika 12:153-157).
 * Conditional on b + c, b ~ Bin(b + c, 1/2) under the null of equal accuracy; two-sided p-value
 * min(1, 2·P(X <= min(b, c))) and mid-p as in Fagerland, Lydersen & Laake (2013),
 * BMC Med. Res. Methodol. 13:91. With b + c = 0 there is no evidence either way: p = 1, mid-p = 1.
 * @example mcnemarFromCounts(1, 7) // { pValue: 0.0703125, midPValue: 0.0390625, … } (Fagerland et al. 2013, Bentur data)
 */
export function mcnemarFromCounts(b: number, c: number): McNemarResult {
  const fn = 'mcnemarFromCounts';
  checkInteger(fn, 'b', b, 0);
  checkInteger(fn, 'c', c, 0);
  const n = b + c;
  const m = Math.min(b, c);
  if (n === 0) return { b, c, discordant: 0, statistic: 0, pValue: 1, midPValue: 1 };
  const { cdf, pmf } = halfBinomial(m, n);
  let pValue: number;
  let midPValue: number;
  if (b === c) {
    pValue = 1;
    midPValue = 1 - pmf / 2;
  } else {
    const exact = 2 * cdf;
    pValue = Math.min(1, exact);
    midPValue = Math.min(1, exact - pmf);
  }
  return { b, c, discordant: n, statistic: m, pValue, midPValue };
}

/**
 * McNemar's exact test for paired correctness: correctA[i] and correctB[i] say whether classifiers A and
 * B got test item i right. Counts b = #(A right, B wrong) and c = #(A wrong, B right), then as
 * mcnemarFromCounts. Use it instead of comparing two accuracies' intervals: it uses the pairing.
 * @example mcnemarExact([true, true, false, true], [false, true, false, false]) // { b: 2, c: 0, pValue: 0.5, … }
 */
export function mcnemarExact(correctA: ArrayLike<boolean>, correctB: ArrayLike<boolean>): McNemarResult {
  const fn = 'mcnemarExact';
  if (correctA === null || typeof correctA !== 'object' || typeof correctA.length !== 'number') {
    fail(fn, 'correctA', 'an array of booleans', correctA);
  }
  if (correctB === null || typeof correctB !== 'object' || typeof correctB.length !== 'number') {
    fail(fn, 'correctB', 'an array of booleans', correctB);
  }
  if (correctA.length !== correctB.length) {
    throw new Error(`${fn}: correctA and correctB must have the same length (one entry per test item), ` +
      `got ${correctA.length} and ${correctB.length}`);
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < correctA.length; i++) {
    const x = correctA[i];
    const y = correctB[i];
    if (typeof x !== 'boolean') fail(fn, `correctA[${i}]`, 'true or false', x);
    if (typeof y !== 'boolean') fail(fn, `correctB[${i}]`, 'true or false', y);
    if (x && !y) b++;
    else if (!x && y) c++;
  }
  return mcnemarFromCounts(b, c);
}
