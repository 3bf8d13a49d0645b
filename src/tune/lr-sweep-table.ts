import type { HParams } from '../experiments/define.js';
import { studentTQuantile } from '../stats/student-t.js';
import { lineChart } from './svg-chart.js';

// The data of a learning-rate sweep, its table and charts: no Node imports, so the dashboard page
// builds the same table and charts from the runs.

export interface LrSweepSpec {
  name: string;
  experiment: string;
  lrs: number[];
  seeds: number[];
  /** Optimizer steps per run (crossing epoch boundaries as needed); or give epochs. */
  steps?: number;
  epochs?: number;
  overrides: HParams;
}

export interface LrSweepTrial {
  lr: number;
  seed: number;
  status: 'pending' | 'running' | 'completed' | 'diverged';
  runId?: string;
  runDir?: string;
  valLoss?: number;
  valAccuracy?: number;
  /** Mean and variance of the gradient norm over the run's steps. */
  gradNormMean?: number;
  gradNormVar?: number;
  steps?: number;
  abandoned?: string[];
}

export interface LrSweepFile {
  kind: 'lr-sweep';
  version: 1;
  spec: LrSweepSpec;
  trials: LrSweepTrial[];
  createdAt: string;
  updatedAt: string;
}

/** Log-spaced rates: n values from lo to hi inclusive. */
export function logRange(lo: number, hi: number, n: number): number[] {
  if (!(lo > 0 && hi > lo)) throw new RangeError(`logRange: need 0 < lo < hi, got ${lo}, ${hi}`);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`logRange: need at least 2 points, got ${n}`);
  return Array.from({ length: n }, (_, i) => +(lo * (hi / lo) ** (i / (n - 1))).toPrecision(6));
}

export function variance(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return { mean, variance: xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0 };
}

export interface LrSweepRow {
  lr: number;
  seeds: number;
  /** Mean final validation loss (Infinity when any seed diverged). */
  valLoss: number;
  lo: number;
  hi: number;
  valAccuracy?: number;
  gradNormVar: number;
  gradNormMean: number;
  diverged: number;
  rank: number;
}

/** One row per learning rate, ranked by mean validation loss (diverged rates last). */
export function lrSweepTable(sweep: LrSweepFile, level = 0.95): LrSweepRow[] {
  const rows = sweep.spec.lrs.map((lr) => {
    const ts = sweep.trials.filter((t) => t.lr === lr && (t.status === 'completed' || t.status === 'diverged'));
    const losses = ts.map((t) => t.valLoss ?? Infinity);
    const n = losses.length;
    const { mean, variance: v } = variance(losses);
    const half = n >= 2 && Number.isFinite(mean) ? studentTQuantile((1 + level) / 2, n - 1) * Math.sqrt(v / n) : NaN;
    const accs = ts.map((t) => t.valAccuracy).filter((a): a is number => a !== undefined);
    return {
      lr, seeds: n, valLoss: n ? mean : NaN, lo: mean - half, hi: mean + half,
      valAccuracy: accs.length ? accs.reduce((a, b) => a + b, 0) / accs.length : undefined,
      gradNormVar: variance(ts.map((t) => t.gradNormVar ?? NaN)).mean, gradNormMean: variance(ts.map((t) => t.gradNormMean ?? NaN)).mean,
      diverged: ts.filter((t) => t.status === 'diverged').length, rank: 0,
    };
  });
  const order = [...rows].sort((a, b) => (Number.isNaN(a.valLoss) ? 1 : 0) - (Number.isNaN(b.valLoss) ? 1 : 0) || a.valLoss - b.valLoss);
  order.forEach((r, i) => { r.rank = i + 1; });
  return order;
}

/** Bias-corrected EMA of a series (the lr-find smoothing), for overlaying noisy batch losses. */
export function smoothSeries(values: readonly number[], beta = 0.98): number[] {
  let avg = 0;
  return values.map((v, i) => { avg = beta * avg + (1 - beta) * v; return avg / (1 - beta ** (i + 1)); });
}

/** The sweep's charts: smoothed batch losses and gradient norms per rate (first seed), and validation loss against the rate. */
export function lrSweepCharts(sweep: LrSweepFile, readMetrics: (t: LrSweepTrial) => Array<{ step: number; name: string; value: number }>): { loss: string; gradNorm: string; val: string } {
  const first = sweep.spec.seeds[0];
  const series = (name: string, smooth: boolean) => sweep.trials.filter((t) => t.seed === first && t.runId).map((t) => {
    const recs = readMetrics(t).filter((m) => m.name === name && m.value < 1e29);
    const ys = smooth ? smoothSeries(recs.map((m) => m.value)) : recs.map((m) => m.value);
    return { name: `lr ${t.lr}${t.status === 'diverged' ? ' (diverged)' : ''}`, points: recs.map((m, i) => [m.step, ys[i]] as const) };
  });
  const rows = lrSweepTable(sweep).filter((r) => Number.isFinite(r.valLoss)).sort((a, b) => a.lr - b.lr);
  // Divergent rates would flatten the chart: clip the y axis at 5x the best loss (those points sit on the top edge).
  const vals = rows.flatMap((r) => [r.valLoss, r.lo, r.hi]).filter(Number.isFinite);
  const best = Math.min(...rows.map((r) => r.valLoss));
  const valRange: [number, number] | undefined = vals.length ? [Math.max(0, Math.min(...vals)), Math.min(Math.max(...vals), 5 * best)] : undefined;
  const lossSeries = series('batch_loss', true);
  const allLoss = lossSeries.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const yMax = allLoss.length ? Math.min(Math.max(...allLoss), 3 * (lossSeries[0]?.points[0]?.[1] ?? Infinity)) : 1;
  return {
    loss: lineChart(lossSeries, { title: `${sweep.spec.experiment}: smoothed batch loss per learning rate (seed ${first})`, xLabel: 'step', yLabel: 'training loss (EMA 0.98)', yRange: allLoss.length ? [Math.min(...allLoss), yMax] : undefined }),
    gradNorm: lineChart(series('grad_norm', false), { title: `${sweep.spec.experiment}: gradient norm per step (seed ${first})`, xLabel: 'step', yLabel: 'global gradient norm' }),
    val: lineChart([{ name: 'final val loss', points: rows.map((r) => [r.lr, r.valLoss] as const), errors: rows.map((r) => [r.lo, r.hi] as const), dots: true }],
      { title: `${sweep.spec.experiment}: validation loss after ${sweep.spec.steps !== undefined ? `${sweep.spec.steps} steps` : `${sweep.spec.epochs} epoch(s)`}${sweep.spec.seeds.length > 1 ? ` (mean, 95% CI over ${sweep.spec.seeds.length} seeds)` : ''}`, xLabel: 'learning rate (log scale)', yLabel: 'validation loss', logX: true, yRange: valRange }),
  };
}
