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
import { variance, type LrSweepSpec, type LrSweepTrial, type LrSweepFile } from './lr-sweep-table.js';

/**
 * Learning-rate sweeps: short runs at each rate (and seed) at a constant learning rate, so the
 * curves compare rates rather than schedules. Each run is a real run in the run store (batch
 * loss, lr and gradient norm per step; validation loss and accuracy at the end); the sweep file
 * `<studies>/<name>/sweep.json` lists them, rewritten atomically after each run, and a rerun of
 * the same sweep skips the finished ones. Rates are ranked by validation loss only.
 */
export { logRange, lrSweepTable, lrSweepCharts, smoothSeries, type LrSweepSpec, type LrSweepTrial, type LrSweepFile, type LrSweepRow } from './lr-sweep-table.js';

export interface LrSweepOptions {
  studiesDir: string;
  runsDir: string;
  dataContext?: DataContext;
  versions?: Record<string, string>;
  onStep?: (trial: LrSweepTrial, index: number, total: number, step: number, steps: number) => void;
  onTrialEnd?: (trial: LrSweepTrial, index: number, total: number) => void;
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
  const batches = loader.endless(1);
  let epoch = 1;
  model.train();
  for (let step = 1; step <= steps; step++) {
    const b = batches.next().value;
    epoch = b.epoch;
    const { x, y } = b;
    optimizer.zeroGrad();
    const l = exp.loss(model.call(x), y);
    const v = l.item();
    run.log({ step, epoch, split: 'train', name: 'batch_loss', value: Number.isFinite(v) ? v : 1e30 });
    if (!Number.isFinite(v)) {
      const g = variance(norms);
      return { status: 'diverged', valLoss: Infinity, steps: step, gradNormMean: g.mean, gradNormVar: g.variance };
    }
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
    if (t.status === 'running' && t.runId) {
      // Killed mid-run: keep the record of the abandoned run and train the trial again.
      (t.abandoned ??= []).push(t.runId);
      try { const old = Run.open(join(dir, t.runDir!)); if (old.info.status === 'running') old.setStatus('interrupted', 'the sweep was stopped before this run finished; it was trained again'); } catch { /* already gone */ }
    }
    const hp: HParams = { ...exp.hparams, ...spec.overrides, lr: t.lr, seed: t.seed };
    data ??= exp.data(hp, o.dataContext ?? {}); // one load for the sweep: only lr and seed vary
    const steps = spec.steps ?? spec.epochs! * Math.ceil(data.train.length / Number(hp.batchSize ?? 64));
    const run = Run.create(o.runsDir, { experiment: exp.name, hparams: hp, seed: t.seed, backend: backend().describe(), versions: o.versions ?? {}, extra: { kind: 'lr-sweep', study: spec.name, lr: t.lr, steps: spec.steps, epochs: spec.epochs, lrs: spec.lrs, seeds: spec.seeds } });
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

