// Comparing two configurations by their scores over several random seeds.

import { studentTQuantile, studentTTwoSidedP } from './student-t.js';
import { checkInteger, checkLevel, checkSample, fail } from './validate.js';

export interface CompareOverSeedsOptions {
  /** True when scoresA[i] and scoresB[i] share seed i (same data order, init...): paired t-test. Default false (Welch). */
  paired?: boolean;
  /** Confidence level in (0, 1); default 0.95. The verdict calls a difference reliable when p < 1 - level. */
  level?: number;
  /** Names used in the verdict; default ['A', 'B']. */
  names?: [string, string];
  /** Unit of the scores in the verdict; default 'points'. */
  unit?: string;
  /** Whether larger scores are better (accuracy) or worse (loss, error rate); default true. */
  higherIsBetter?: boolean;
  /** Decimals in the verdict; default: enough to show two significant digits of the CI half-width. */
  decimals?: number;
}

export interface SeedComparison {
  meanA: number;
  meanB: number;
  /** meanA - meanB (for paired data, also the mean of the per-seed differences). */
  difference: number;
  /** t-interval for the difference at `level`. */
  lo: number;
  hi: number;
  level: number;
  /** Two-sided p-value of the t-test of no difference. */
  pValue: number;
  /** The t statistic difference / standardError. */
  statistic: number;
  /** Degrees of freedom: n - 1 when paired, the Welch-Satterthwaite value otherwise. */
  df: number;
  standardError: number;
  paired: boolean;
  nA: number;
  nB: number;
  /** One plain-English sentence, e.g. "A is better than B by 0.42 points (95% CI 0.10 to 0.74, p = 0.012, 5 seeds each)". */
  verdict: string;
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function sampleVariance(xs: number[], m: number): number {
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return s / (xs.length - 1);
}

function formatP(p: number): string {
  if (p < 0.001) return 'p < 0.001';
  if (p >= 0.1) return `p = ${p.toFixed(2)}`;
  return `p = ${p.toPrecision(2)}`;
}

/**
 * Compares two configurations from their scores over seeds: mean difference A - B, its Student-t
 * confidence interval and p-value, and a one-sentence verdict. Unpaired (default): Welch's t-test with
 * Welch-Satterthwaite degrees of freedom (Welch 1947, Biometrika 34:28-35). Paired: the one-sample
 * t-test on per-seed differences (Student 1908, Biometrika 6:1-25). Needs >= 2 scores per side.
 * @example compareOverSeeds([0.91, 0.92, 0.915, 0.93, 0.925], [0.90, 0.905, 0.91, 0.915, 0.90]).verdict
 *   // 'A is better than B by 0.014 points (95% CI 0.003 to 0.025, p = 0.016, 5 seeds each)'
 */
export function compareOverSeeds(
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  options: CompareOverSeedsOptions = {},
): SeedComparison {
  const fn = 'compareOverSeeds';
  const a = checkSample(fn, 'scoresA', scoresA, 2);
  const b = checkSample(fn, 'scoresB', scoresB, 2);
  const paired = options.paired ?? false;
  if (typeof paired !== 'boolean') fail(fn, 'options.paired', 'true or false', paired);
  const level = checkLevel(fn, options.level ?? 0.95);
  const [nameA, nameB] = options.names ?? ['A', 'B'];
  const unit = options.unit ?? 'points';
  const higherIsBetter = options.higherIsBetter ?? true;
  if (options.decimals !== undefined) checkInteger(fn, 'options.decimals', options.decimals, 0, 20);
  if (paired && a.length !== b.length) {
    throw new Error(`${fn}: paired comparison needs one score per seed on each side, got ${a.length} and ${b.length} scores`);
  }
  const meanA = mean(a);
  const meanB = mean(b);
  let difference: number;
  let se: number;
  let df: number;
  if (paired) {
    const d = a.map((x, i) => x - b[i]);
    difference = mean(d);
    se = Math.sqrt(sampleVariance(d, difference) / d.length);
    df = d.length - 1;
  } else {
    difference = meanA - meanB;
    const va = sampleVariance(a, meanA) / a.length;
    const vb = sampleVariance(b, meanB) / b.length;
    se = Math.sqrt(va + vb);
    const denom = (va * va) / (a.length - 1) + (vb * vb) / (b.length - 1);
    // Both samples constant: df is 0/0; fall back to the pooled df (it does not affect the result then).
    df = denom > 0 ? ((va + vb) ** 2) / denom : a.length + b.length - 2;
  }
  let statistic: number;
  let pValue: number;
  let lo: number;
  let hi: number;
  if (se > 0) {
    statistic = difference / se;
    pValue = studentTTwoSidedP(statistic, df);
    const half = studentTQuantile((1 + level) / 2, df) * se;
    lo = difference - half;
    hi = difference + half;
  } else {
    // No spread at all: the difference is known exactly.
    statistic = difference === 0 ? 0 : Math.sign(difference) * Infinity;
    pValue = difference === 0 ? 1 : 0;
    lo = hi = difference;
  }

  const halfWidth = (hi - lo) / 2;
  const decimals = options.decimals ?? (halfWidth > 0
    ? Math.min(10, Math.max(0, 1 - Math.floor(Math.log10(halfWidth))))
    : 2);
  const fmt = (x: number): string => {
    const s = x.toFixed(decimals);
    return /^-0\.?0*$/.test(s) ? s.slice(1) : s; // no "-0.00"
  };
  const pct = `${+(level * 100).toFixed(4)}% CI`;
  const seeds = paired
    ? `${a.length} paired seeds`
    : a.length === b.length ? `${a.length} seeds each` : `${a.length} and ${b.length} seeds`;
  const reliable = pValue < 1 - level;
  let verdict: string;
  if (reliable) {
    const aBetter = (difference > 0) === higherIsBetter;
    const [winner, loser] = aBetter ? [nameA, nameB] : [nameB, nameA];
    // The gap |A - B| and its interval, both as positive amounts by which the winner is ahead.
    const sign = difference > 0 ? 1 : -1;
    const gap = Math.abs(difference);
    const [gLo, gHi] = sign > 0 ? [lo, hi] : [-hi, -lo];
    const dir = higherIsBetter ? 'better' : 'better (lower)';
    verdict = `${winner} is ${dir} than ${loser} by ${fmt(gap)} ${unit} ` +
      `(${pct} ${fmt(gLo)} to ${fmt(gHi)}, ${formatP(pValue)}, ${seeds})`;
  } else {
    verdict = `no reliable difference between ${nameA} and ${nameB}: ${nameA} - ${nameB} = ${fmt(difference)} ${unit} ` +
      `(${pct} ${fmt(lo)} to ${fmt(hi)}, ${formatP(pValue)}, ${seeds}); more seeds would narrow the interval`;
  }
  return {
    meanA, meanB, difference, lo, hi, level, pValue, statistic, df, standardError: se,
    paired, nA: a.length, nB: b.length, verdict,
  };
}
