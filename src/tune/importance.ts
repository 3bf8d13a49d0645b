import type { HParamValue } from '../experiments/define.js';
import type { Direction, ParamSpec, SearchSpace } from './types.js';
import { cubeDims, levelCount, toUnit } from './space-cube.js';

/**
 * Parameter importance after PED-ANOVA (Watanabe, Bansal & Hutter, IJCAI 2023; the method of
 * Optuna's PedAnovaImportanceEvaluator). What is computed, for each searched parameter p:
 *
 * 1. Trials: completed trials with a finite value, in which p is present (conditional
 *    parameters use only the trials where they were active). Ranked best first by `direction`.
 * 2. Top set: the best max(2, ceil(gamma·n)) of them (gamma 0.1 by default); baseline set: the
 *    best ceil(baselineGamma·n) (baselineGamma 1.0 by default, i.e. all of them).
 * 3. Each value is mapped to the unit interval with space-cube's toUnit (log parameters in log
 *    space, discrete ones at their bin centres). On a grid over [0, 1] (50 points for continuous
 *    floats, one per value for discrete parameters with at most 50 values) each set gets a 1-D
 *    Parzen estimate: a Gaussian kernel per trial with Scott's bandwidth
 *    1.059·min(std, IQR/1.34)·n^(-1/5), floored at one grid spacing, plus a uniform prior of
 *    weight one trial; categoricals use counts per choice plus the same uniform prior. Each
 *    estimate is normalized to probability masses over the grid.
 * 4. Importance(p) = the Pearson divergence Σ_g q(g)·(p(g)/q(g) − 1)², p = top, q = baseline:
 *    how far the best trials' distribution of p is from the baseline's. A parameter that does
 *    not matter has its top trials spread like all trials (divergence near 0).
 * 5. The divergences are divided by their sum (importances sum to 1); if all are 0, each
 *    parameter gets 1/d.
 *
 * It differs from Optuna in the grid/bandwidth details (the kernels' exact prior and clipping),
 * so numbers agree in ranking and rough size, not digit for digit. Fixed parameters are skipped.
 */

export interface ImportanceTrial {
  params: Record<string, HParamValue | unknown>;
  value: number | null | undefined;
}

export interface ImportanceOptions {
  direction: Direction;
  /** Fraction of trials that forms the top set (default 0.1; at least 2 trials). */
  gamma?: number;
  /** Fraction that forms the baseline (default 1.0: all trials). */
  baselineGamma?: number;
}

export interface ImportanceResult {
  /** Normalized importances (sum 1), in the space's parameter order; empty when `reason` is set. */
  importances: Record<string, number>;
  /** The raw Pearson divergences before normalization. */
  divergences: Record<string, number>;
  /** Completed trials used. */
  trials: number;
  /** Why nothing could be computed (too few completed trials), or null. */
  reason: string | null;
}

const GRID_STEPS = 50;
const EPS = 1e-12;

function topCount(n: number, gamma: number): number {
  return Math.min(n, Math.max(2, Math.ceil(gamma * n)));
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Scott's rule on the unit scale, floored at `minWidth`. */
function scottBandwidth(xs: number[], minWidth: number): number {
  const n = xs.length;
  if (n < 2) return Math.max(minWidth, 1);
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const sorted = [...xs].sort((a, b) => a - b);
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const spread = iqr > 0 ? Math.min(std, iqr / 1.34) : std;
  return Math.max(minWidth, 1.059 * spread * n ** -0.2);
}

/** Probability masses on `grid` of a Gaussian Parzen estimate of xs plus a uniform prior of weight 1. */
function parzenMasses(xs: number[], grid: number[], minWidth: number): number[] {
  const h = scottBandwidth(xs, minWidth);
  const dens = grid.map((g) => {
    let s = 0;
    for (const x of xs) s += Math.exp(-0.5 * ((g - x) / h) ** 2);
    return s;
  });
  const kernelTotal = dens.reduce((a, b) => a + b, 0);
  // Each trial's kernel contributes mass 1 over the grid, the prior mass 1 spread evenly.
  return grid.map((_, i) => ((kernelTotal > 0 ? (dens[i] / kernelTotal) * xs.length : 0) + 1 / grid.length) / (xs.length + 1));
}

function categoricalMasses(indices: number[], m: number): number[] {
  const counts = new Array<number>(m).fill(0);
  for (const k of indices) counts[k]++;
  return counts.map((c) => (c + 1 / m) / (indices.length + 1));
}

/** Σ q·(p/q − 1)²: the Pearson χ² divergence of p (top) from q (baseline). */
export function pearsonDivergence(p: number[], q: number[]): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    const qi = q[i] + EPS;
    d += qi * ((p[i] + EPS) / qi - 1) ** 2;
  }
  return d;
}

function divergenceOf(spec: ParamSpec, top: HParamValue[], base: HParamValue[]): number {
  if (spec.type === 'categorical') {
    const idx = (v: HParamValue): number => spec.choices.findIndex((c) => c === v);
    const m = spec.choices.length;
    return pearsonDivergence(categoricalMasses(top.map(idx), m), categoricalMasses(base.map(idx), m));
  }
  const levels = levelCount(spec);
  const discrete = levels <= GRID_STEPS;
  const m = discrete ? levels : GRID_STEPS;
  const grid = Array.from({ length: m }, (_, k) => (k + 0.5) / m);
  const unit = (vs: HParamValue[]): number[] => vs.map((v) => toUnit(spec, v));
  return pearsonDivergence(parzenMasses(unit(top), grid, 1 / m), parzenMasses(unit(base), grid, 1 / m));
}

/** PED-ANOVA importances of the space's searched parameters over the given trials (see above). */
export function pedAnovaImportance(trials: readonly ImportanceTrial[], space: SearchSpace, options: ImportanceOptions): ImportanceResult {
  const gamma = options.gamma ?? 0.1;
  const baselineGamma = options.baselineGamma ?? 1.0;
  if (!(gamma > 0 && gamma <= 1) || !(baselineGamma > 0 && baselineGamma <= 1) || gamma > baselineGamma) {
    throw new RangeError(`importance: need 0 < gamma <= baselineGamma <= 1, got gamma ${gamma}, baselineGamma ${baselineGamma}`);
  }
  const sign = options.direction === 'maximize' ? -1 : 1;
  const done = trials.filter((t): t is ImportanceTrial & { value: number } => typeof t.value === 'number' && Number.isFinite(t.value))
    .sort((a, b) => sign * (a.value - b.value));
  const params = cubeDims(space);
  const empty = (reason: string): ImportanceResult => ({ importances: {}, divergences: {}, trials: done.length, reason });
  if (params.length === 0) return empty('the search space has no searched parameters');
  // The top set must be a strict part of the baseline, or every divergence is 0.
  if (topCount(done.length, gamma) >= Math.ceil(baselineGamma * done.length)) {
    return empty(`${done.length} completed trials are too few: the top ${gamma} (at least 2) must be fewer than the baseline`);
  }
  const divergences: Record<string, number> = {};
  for (const p of params) {
    const withP = done.filter((t) => p in t.params).map((t) => t.params[p] as HParamValue);
    const nTop = topCount(withP.length, gamma);
    const nBase = Math.ceil(baselineGamma * withP.length);
    divergences[p] = nTop < nBase ? divergenceOf(space[p], withP.slice(0, nTop), withP.slice(0, nBase)) : 0;
  }
  const total = params.reduce((a, p) => a + divergences[p], 0);
  const importances: Record<string, number> = {};
  for (const p of params) importances[p] = total > 0 ? divergences[p] / total : 1 / params.length;
  return { importances, divergences, trials: done.length, reason: null };
}
