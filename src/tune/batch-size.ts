import type { Experiment, HParams, DataContext } from '../experiments/define.js';
import { DataLoader } from '../data/loader.js';
import { LRScheduler } from '../optim/schedules.js';
import { Generator, manualSeed } from '../tensor/random.js';
import { bootstrapInterval } from '../stats/bootstrap.js';
import { measureGradientNoise, type NoiseSample } from './noise-scale.js';

/**
 * `tradecraft batch-size`: trains an experiment for a stretch and, at a few points, estimates
 * the simple noise scale B_simple from repeated two-batch measurements on random training
 * batches, with a bootstrap interval over the repetitions. McCandlish et al. (2018) find the
 * critical batch size (beyond which a larger batch stops cutting the number of steps nearly in
 * proportion) close to the noise scale; B_simple equals it when the Hessian is close to a
 * multiple of the identity, so read it as an order of magnitude.
 */
export interface CriticalBatchOptions {
  hparams?: HParams;
  dataContext?: DataContext;
  /** Optimizer steps to train over (default: one epoch). */
  steps?: number;
  /** Measurement points, evenly spaced over the steps, the last at the end (default 3). */
  points?: number;
  /** Two-batch measurements per point (default 20). */
  repeats?: number;
  /** The small batch (default: the experiment's batch size). */
  smallBatch?: number;
  /** The big batch: a multiple of the small one, >= 2x (default 16x, capped by the training set). */
  bigBatch?: number;
  /** Confidence level of the intervals (default 0.95). */
  level?: number;
  onProgress?: (done: number, total: number, what: string) => void;
  /** Receives each point as it is measured (to log it into a run). */
  onPoint?: (p: NoisePoint) => void;
}

export interface NoisePoint {
  step: number;
  epoch: number;
  /** Ratio of the mean tr(Σ) and mean |G|² over the repetitions. */
  bSimple: number;
  lo: number;
  hi: number;
  gradSq: number;
  trace: number;
  repeats: number;
  /** Mean training-batch loss over the steps since the previous point. */
  trainLoss: number;
}

export interface CriticalBatchResult {
  points: NoisePoint[];
  /** The estimate at the last point (the noise scale grows as training goes on). */
  criticalBatch: { estimate: number; lo: number; hi: number; step: number; level: number };
  batchSize: number;
  smallBatch: number;
  bigBatch: number;
  steps: number;
  /** What it means for the batch size and learning rate, in one paragraph. */
  meaning: string;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'unbounded' : String(v);
  return v >= 100 ? String(Math.round(v)) : String(+v.toPrecision(2));
}

/** The paragraph printed under the estimate. */
export function explainCriticalBatch(batchSize: number, c: CriticalBatchResult['criticalBatch']): string {
  const range = `${fmt(c.lo)}-${fmt(c.hi)}`;
  let where: string;
  if (c.hi < batchSize) {
    where = `Your batch size (${batchSize}) is above the whole interval: each step averages more examples than the gradient noise calls for, so much of the compute per step is spent on precision that buys little. A smaller batch (near ${fmt(c.estimate)}) would reach the same loss in fewer examples; if you keep the batch, the learning rate can usually stay near the largest stable value lr-find reports.`;
  } else if (c.lo > batchSize) {
    where = `Your batch size (${batchSize}) is below the interval: the steps are noise-dominated, so a larger batch (up to about ${fmt(c.estimate)}) would cut the number of steps almost in proportion at nearly the same total compute, which pays off when steps are the bottleneck (parallel hardware). Raise the learning rate with the batch (about linearly for SGD while below the critical batch size, more gently for Adam) and re-run lr-find at the new batch size.`;
  } else {
    where = `Your batch size (${batchSize}) is inside the interval: a good trade-off between the number of steps and the compute per step; doubling it would still shorten training, but by clearly less than half.`;
  }
  return `The simple noise scale B_simple = tr(Σ)/|G|² is about ${fmt(c.estimate)} examples (${Math.round(c.level * 100)}% interval ${range}) at step ${c.step}: ` +
    'a batch that size has gradient noise about as large as the gradient itself. McCandlish et al. (2018) found the critical batch size, beyond which larger batches stop reducing the number of steps in proportion, close to this number. ' +
    where + ' The noise scale grows as the loss falls (|G| shrinks), so it is larger late in training than early; B_simple matches the critical batch size only when the curvature is similar in every direction, so take it as an order of magnitude.';
}

/** Draws `n` distinct training rows at random. */
function randomRows(total: number, n: number, g: Generator): Int32Array {
  const idx = new Int32Array(total);
  for (let i = 0; i < total; i++) idx[i] = i;
  for (let i = 0; i < n; i++) { const j = i + g.below(total - i); const t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
  return idx.subarray(0, n);
}

/** Trains the experiment and measures B_simple at evenly spaced points; never reads validation or test data. */
export function estimateCriticalBatchSize<H extends HParams>(experiment: Experiment<H>, o: CriticalBatchOptions = {}): CriticalBatchResult {
  const exp = experiment as unknown as Experiment<HParams>;
  const hp: HParams = { ...exp.hparams, ...o.hparams };
  const seed = typeof hp.seed === 'number' ? hp.seed : 0;
  const batchSize = typeof hp.batchSize === 'number' ? hp.batchSize : 64;
  manualSeed(seed);
  const data = exp.data(hp, o.dataContext ?? {});
  const train = data.train;
  const model = exp.model(hp);
  const optimizer = exp.optimizer(model.parameters(), hp);
  const loader = new DataLoader(train, { batchSize, shuffle: true, seed, transform: data.trainTransform });
  const steps = o.steps ?? loader.length;
  const points = o.points ?? 3, repeats = o.repeats ?? 20, level = o.level ?? 0.95;
  const smallBatch = o.smallBatch ?? batchSize;
  const bigBatch = Math.min(o.bigBatch ?? 16 * smallBatch, Math.floor(train.length / smallBatch) * smallBatch);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`batch size: steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(points) || points < 1 || points > steps) throw new RangeError(`batch size: points must be an integer from 1 to steps (${steps}), got ${points}`);
  if (!Number.isInteger(repeats) || repeats < 2) throw new RangeError(`batch size: repeats must be an integer >= 2 (the interval needs them), got ${repeats}`);
  if (bigBatch < 2 * smallBatch) throw new RangeError(`batch size: the big batch (${bigBatch}) must hold at least two small batches of ${smallBatch}; the training set has ${train.length} examples`);
  // The experiment's own schedule over its full length: the measurements sit where a real run would be.
  const scheduler = exp.scheduler?.(optimizer, hp, loader.length);
  const at = new Set(Array.from({ length: points }, (_, i) => Math.round(((i + 1) * steps) / points)));
  const g = new Generator(seed + 104729);
  const out: NoisePoint[] = [];
  const work = steps + points * repeats;
  let done = 0, lossSum = 0, lossN = 0;
  model.train();
  const batches = loader.endless(0);
  for (let step = 1; step <= steps; step++) {
    const { x, y, epoch } = batches.next().value;
    optimizer.zeroGrad();
    const l = exp.loss(model.call(x), y);
    const lv = l.item();
    if (!Number.isFinite(lv)) throw new Error(`training diverged (loss ${lv} at step ${step}); lower the learning rate before measuring the noise scale`);
    lossSum += lv; lossN++;
    l.backward();
    optimizer.step();
    if (scheduler instanceof LRScheduler && exp.schedulerInterval === 'step') scheduler.step();
    o.onProgress?.(++done, work, `step ${step}/${steps}`);
    if (!at.has(step)) continue;
    const samples: NoiseSample[] = [];
    for (let r = 0; r < repeats; r++) {
      samples.push(measureGradientNoise(model, exp.loss, train.rows(randomRows(train.length, bigBatch, g)), smallBatch));
      o.onProgress?.(++done, work, `noise at step ${step}`);
    }
    const ratio = (s: NoiseSample[]): number => {
      let gs = 0, tr = 0;
      for (const v of s) { gs += v.gradSq; tr += v.trace; }
      return gs > 0 ? tr / gs : Infinity; // no detectable gradient over the noise: unbounded
    };
    const ci = bootstrapInterval(samples, ratio, { level, seed: step, resamples: 2000 });
    const mean = (k: 'gradSq' | 'trace') => samples.reduce((a, s) => a + s[k], 0) / samples.length;
    const p: NoisePoint = { step, epoch: epoch + 1, bSimple: ci.estimate, lo: ci.lo, hi: ci.hi, gradSq: mean('gradSq'), trace: mean('trace'), repeats, trainLoss: lossSum / lossN };
    lossSum = 0; lossN = 0;
    out.push(p);
    o.onPoint?.(p);
  }
  const last = out[out.length - 1];
  const criticalBatch = { estimate: last.bSimple, lo: last.lo, hi: last.hi, step: last.step, level };
  const result: CriticalBatchResult = { points: out, criticalBatch, batchSize, smallBatch, bigBatch, steps, meaning: '' };
  result.meaning = explainCriticalBatch(batchSize, criticalBatch);
  return result;
}
