// Test-set size planning: how many examples are needed for an accuracy estimate of a given precision.

import { inverseRegularizedBeta } from './beta.js';
import type { BinomialMethod } from './binomial-interval.js';
import { normalQuantile } from './normal.js';
import { checkInteger, checkLevel, checkProbability, fail } from './validate.js';

const METHODS: readonly BinomialMethod[] = ['wilson', 'clopper-pearson', 'normal'];

/** Wilson limits for k of n at quantile z (the formula of wilsonInterval). */
function makeBounds(z: number): (k: number, n: number) => [number, number] {
  return (k, n) => {
    const p = k / n;
    const z2n = (z * z) / n;
    const center = p + z2n / 2;
    const half = z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
    const lo = k === 0 ? 0 : Math.max(0, (center - half) / (1 + z2n));
    const hi = k === n ? 1 : Math.min(1, (center + half) / (1 + z2n));
    return [lo, hi];
  };
}

/** Width hi - lo of the interval for k of n; same formulas as binomial-interval.ts, minus validation and result objects. */
function makeWidth(method: BinomialMethod, level: number): (k: number, n: number) => number {
  const z = normalQuantile((1 + level) / 2);
  const alpha = 1 - level;
  switch (method) {
    case 'wilson': {
      const wilson = makeBounds(z);
      return (k, n) => {
        const [lo, hi] = wilson(k, n);
        return hi - lo;
      };
    }
    case 'clopper-pearson': {
      // The Wilson limits are close to the exact ones and make good starting points for the inversion.
      const wilson = makeBounds(z);
      return (k, n) => {
        const [wLo, wHi] = wilson(k, n);
        const lo = k === 0 ? 0 : inverseRegularizedBeta(alpha / 2, k, n - k + 1, wLo);
        const hi = k === n ? 1 : inverseRegularizedBeta(1 - alpha / 2, k + 1, n - k, wHi);
        return hi - lo;
      };
    }
    case 'normal':
      return (k, n) => {
        if (k === 0 || k === n) return NaN; // degenerate zero-width Wald interval: never "precise enough"
        const p = k / n;
        const half = z * Math.sqrt((p * (1 - p)) / n);
        return Math.min(1, p + half) - Math.max(0, p - half);
      };
  }
}

function checkMethod(fn: string, method: unknown): BinomialMethod {
  if (!METHODS.includes(method as BinomialMethod)) {
    fail(fn, 'method', `one of ${METHODS.map((m) => `'${m}'`).join(', ')}`, method);
  }
  return method as BinomialMethod;
}

export interface TestSizeOptions {
  /** The accuracy you expect, in [0, 1]. */
  accuracy: number;
  /** The largest acceptable total interval width hi - lo, in (0, 1] (e.g. 0.02 for ±1 point). */
  width: number;
  /** Confidence level in (0, 1); default 0.95. */
  level?: number;
  /** Interval method; default 'wilson'. */
  method?: BinomialMethod;
  /** Give up (throw) beyond this many examples; default 10^7. */
  maxN?: number;
}

/**
 * The smallest test-set size n whose confidence interval, at k = round(accuracy · n) correct, has total
 * width hi - lo <= width. Because k is rounded, width is not monotone in n; this scans n = 1, 2, ...
 * so the answer is the literal first n (a few n just above it may be wider again).
 * Wilson by default (Wilson 1927; the planning use follows Newcombe 1998). For orientation the Wald
 * formula gives n ≈ 4 z² p(1-p) / width², e.g. ≈ 3458 for 90% accuracy and width 0.02.
 * The 'normal' (Wald) interval has zero width when k = 0 or k = n; such sizes are skipped (they are an
 * artifact, not precision), and accuracy 0 or 1 is refused for it — use Wilson or Clopper-Pearson.
 * @example testSizeForWidth({ accuracy: 0.9, width: 0.02 }) // 3461: a 95% Wilson interval 2 points wide
 */
export function testSizeForWidth(options: TestSizeOptions): number {
  const fn = 'testSizeForWidth';
  if (options === null || typeof options !== 'object') fail(fn, 'options', 'an object { accuracy, width, level?, method? }', options);
  const accuracy = checkProbability(fn, 'accuracy', options.accuracy);
  const width = options.width;
  if (typeof width !== 'number' || !(width > 0 && width <= 1)) fail(fn, 'width', 'a number in (0, 1]', width);
  const level = checkLevel(fn, options.level ?? 0.95);
  const method = checkMethod(fn, options.method ?? 'wilson');
  const maxN = checkInteger(fn, 'maxN', options.maxN ?? 10_000_000, 1);
  if (method === 'normal' && (accuracy === 0 || accuracy === 1)) {
    fail(fn, 'accuracy', "strictly between 0 and 1 for method 'normal' (its interval has zero width at 0 and 1; use 'wilson')", accuracy);
  }
  const widthOf = makeWidth(method, level);
  for (let n = 1; n <= maxN; n++) {
    const k = Math.round(accuracy * n);
    if (widthOf(k, n) <= width) return n;
  }
  throw new Error(`${fn}: no n <= maxN = ${maxN} reaches width ${width} at accuracy ${accuracy} ` +
    `(${method}, level ${level}); ask for a wider interval or raise maxN`);
}

export interface IntervalWidthRow {
  accuracy: number;
  /** widths[j] = total interval width hi - lo at sizes[j], for k = round(accuracy · n). */
  widths: number[];
}

/**
 * A table of interval widths: one row per accuracy, one column per test-set size (for
 * `tradecraft stats table`). Each cell is hi - lo of the interval at k = round(accuracy · n)
 * (for 'normal', 0 where the Wald interval degenerates at k = 0 or k = n).
 * @example intervalWidthTable([0.9, 0.99], [1000, 10000]) // [{ accuracy: 0.9, widths: [0.0372…, 0.0118…] }, { accuracy: 0.99, widths: [0.0129…, 0.0039…] }]
 */
export function intervalWidthTable(
  accuracies: readonly number[],
  sizes: readonly number[],
  level = 0.95,
  method: BinomialMethod = 'wilson',
): IntervalWidthRow[] {
  const fn = 'intervalWidthTable';
  if (!Array.isArray(accuracies)) fail(fn, 'accuracies', 'an array of numbers in [0, 1]', accuracies);
  if (!Array.isArray(sizes)) fail(fn, 'sizes', 'an array of integers >= 1', sizes);
  accuracies.forEach((a, i) => checkProbability(fn, `accuracies[${i}]`, a));
  sizes.forEach((n, j) => checkInteger(fn, `sizes[${j}]`, n, 1));
  checkLevel(fn, level);
  const widthOf = makeWidth(checkMethod(fn, method), level);
  return accuracies.map((accuracy) => ({
    accuracy,
    widths: sizes.map((n) => {
      const w = widthOf(Math.round(accuracy * n), n);
      return Number.isNaN(w) ? 0 : w;
    }),
  }));
}
