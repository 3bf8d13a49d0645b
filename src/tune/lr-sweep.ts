import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import type { Experiment, HParams, DataContext } from '../experiments/define.js';
import { DataLoader } from '../data/loader.js';
import { manualSeed } from '../tensor/random.js';
import { gradNorm } from '../optim/clip.js';
import { evaluate } from '../train/evaluate.js';
import { setLearningRate } from '../diagnose/lr-probe.js';
import { backend } from '../backend/registry.js';
import { Run } from '../track/run-store.js';
import { writeFileAtomic, readJsonFile } from '../track/files.js';
import { studentTQuantile } from '../stats/student-t.js';
import { lineChart } from './svg-chart.js';

/**
 * Learning-rate sweeps: short runs at each rate (and seed) at a constant learning rate, so the
 * curves compare rates rather than schedules. Each run is a real run in the run store (batch
 * loss, lr and gradient norm per step; validation loss and accuracy at the end); the sweep file
 * `<studies>/<name>/sweep.json` lists them, rewritten atomically after each run, and a rerun of
 * the same sweep skips the finished ones. Rates are ranked by validation loss only.
 */
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

export interface LrSweepOptions {
  studiesDir: string;
  runsDir: string;
  dataContext?: DataContext;
  versions?: Record<string, string>;
  onStep?: (trial: LrSweepTrial, index: number, total: number, step: number, steps: number) => void;
  onTrialEnd?: (trial: LrSweepTrial, index: number, total: number) => void;
}

/** Log-spaced rates: n values from lo to hi inclusive. */
export function logRange(lo: number, hi: number, n: number): number[] {
  if (!(lo > 0 && hi > lo)) throw new RangeError(`logRange: need 0 < lo < hi, got ${lo}, ${hi}`);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`logRange: need at least 2 points, got ${n}`);
  return Array.from({ length: n }, (_, i) => +(lo * (hi / lo) ** (i / (n - 1))).toPrecision(6));
}

function variance(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return { mean, variance: xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0 };
}

/** One short run at a constant learning rate; returns what the sweep records. */
function shortRun(exp: Experiment<HParams>, hp: HParams, lr: number, steps: number, run: Run, data: ReturnType<Experiment<HParams>['data']>,
  onStep: (step: number) => void): Pick<LrSweepTrial, 'status' | 'valLoss' | 'valAccuracy' | 'gradNormMean' | 'gradNormVar' | 'steps'> {
  const seed = Number(hp.seed ?? 0);
  manualSeed(seed);
  const model = exp.model(hp);
  const optimizer = exp.optimizer(model.parameters(), hp);
  setLearningRate(optimizer, lr);
  const loader = new DataLoader(data.train, { batchSize: Number(hp.batchSize ?? 64), shuffle: true, seed, transform: data.trainTransform });
  const params = model.parameters();
  const norms: number[] = [];
  let epoch = 1;
  let it = loader.setEpoch(epoch)[Symbol.iterator]();
  model.train();
  for (let step = 1; step <= steps; step++) {
    let next = it.next();
    if (next.done) { it = loader.setEpoch(++epoch)[Symbol.iterator](); next = it.next(); }
    const { x, y } = next.value;
    optimizer.zeroGrad();
    const l = exp.loss(model.call(x), y);
    const v = l.item();
    run.log({ step, epoch, split: 'train', name: 'batch_loss', value: Number.isFinite(v) ? v : 1e30 });
    if (!Number.isFinite(v)) return { status: 'diverged', valLoss: Infinity, steps: step, ...(() => { const g = variance(norms); return { gradNormMean: g.mean, gradNormVar: g.variance }; })() };
    l.backward();
    const norm = gradNorm(params);
    norms.push(norm);
    run.log({ step, epoch, split: 'train', name: 'grad_norm', value: norm });
    run.log({ step, epoch, split: 'train', name: 'lr', value: lr });
    optimizer.step();
    onStep(step);
  }
  const va = evaluate(model, exp.loss, data.val);
  run.log({ step: steps, epoch, split: 'val', name: 'val_loss', value: va.loss });
  if (va.accuracy !== undefined) run.log({ step: steps, epoch, split: 'val', name: 'val_accuracy', value: va.accuracy });
  const g = variance(norms);
  return { status: Number.isFinite(va.loss) ? 'completed' : 'diverged', valLoss: Number.isFinite(va.loss) ? va.loss : Infinity, valAccuracy: va.accuracy, gradNormMean: g.mean, gradNormVar: g.variance, steps };
}

/** Runs (or resumes) a sweep; returns the sweep file's final state. */
export function lrSweep(exp: Experiment<HParams>, spec: LrSweepSpec, o: LrSweepOptions): { sweep: LrSweepFile; path: string; resumed: number } {
  if (spec.lrs.length === 0 || spec.lrs.some((lr) => !(lr > 0) || !Number.isFinite(lr))) throw new RangeError(`lr sweep: learning rates must be positive numbers, got ${spec.lrs.join(', ')}`);
  if ((spec.steps === undefined) === (spec.epochs === undefined)) throw new RangeError('lr sweep: give either steps or epochs');
  const length = spec.steps ?? spec.epochs!;
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`lr sweep: ${spec.steps !== undefined ? 'steps' : 'epochs'} must be a positive integer, got ${length}`);
  const dir = join(resolve(o.studiesDir), spec.name);
  const path = join(dir, 'sweep.json');
  let sweep: LrSweepFile;
  if (existsSync(path)) {
    sweep = readJsonFile<LrSweepFile>(path, 'lr sweep');
    if (JSON.stringify({ ...sweep.spec, name: '' }) !== JSON.stringify({ ...spec, name: '' })) {
      throw new RangeError(`sweep '${spec.name}' already exists with different settings (${JSON.stringify(sweep.spec)}); rerun with the same settings to resume, or choose another --name`);
    }
  } else {
    mkdirSync(dir, { recursive: true });
    const now = new Date().toISOString();
    sweep = { kind: 'lr-sweep', version: 1, spec, createdAt: now, updatedAt: now, trials: spec.seeds.flatMap((seed) => spec.lrs.map((lr) => ({ lr, seed, status: 'pending' as const }))) };
  }
  const save = () => { sweep.updatedAt = new Date().toISOString(); writeFileAtomic(path, JSON.stringify(sweep, null, 1) + '\n'); };
  save();
  const resumed = sweep.trials.filter((t) => t.status === 'completed' || t.status === 'diverged').length;
  let data: ReturnType<Experiment<HParams>['data']> | null = null;
  for (const [i, t] of sweep.trials.entries()) {
    if (t.status === 'completed' || t.status === 'diverged') continue;
    if (t.status === 'running' && t.runId) (t.abandoned ??= []).push(t.runId);
    const hp: HParams = { ...exp.hparams, ...spec.overrides, lr: t.lr, seed: t.seed };
    data ??= exp.data(hp, o.dataContext ?? {}); // one load for the sweep: only lr and seed vary
    const steps = spec.steps ?? spec.epochs! * Math.ceil(data.train.length / Number(hp.batchSize ?? 64));
    const run = Run.create(o.runsDir, { experiment: exp.name, hparams: hp, seed: t.seed, backend: backend().describe(), versions: o.versions ?? {}, extra: { kind: 'lr-sweep', study: spec.name, lr: t.lr } });
    Object.assign(t, { status: 'running', runId: run.info.id, runDir: relative(dir, run.dir) });
    save();
    try {
      const r = shortRun(exp, hp, t.lr, steps, run, data, (step) => o.onStep?.(t, i, sweep.trials.length, step, steps));
      Object.assign(t, r);
      run.writeSummary({ experiment: exp.name, ...t, testSet: 'not evaluated (sweep run)' });
      run.setStatus(r.status === 'completed' ? 'completed' : 'failed', r.status === 'diverged' ? `diverged at lr ${t.lr}` : undefined);
    } catch (e) {
      run.setStatus('failed', (e as Error).message);
      throw e;
    } finally {
      run.close();
    }
    save();
    o.onTrialEnd?.(t, i, sweep.trials.length);
  }
  return { sweep, path, resumed };
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
