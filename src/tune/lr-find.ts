import type { Module } from '../nn/module.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import type { LossFn } from '../train/evaluate.js';
import type { TensorDataset } from '../data/dataset.js';
import { DataLoader, type BatchTransform } from '../data/loader.js';
import type { Experiment, HParams, DataContext } from '../experiments/define.js';
import { manualSeed } from '../tensor/random.js';
import { setLearningRate } from '../diagnose/lr-probe.js';
import { snapshotTraining } from './state-snapshot.js';

/**
 * The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural
 * Networks", section 3.3; the fastai form): one short run that multiplies the learning rate by
 * a constant factor every batch, from minLr to maxLr, records the loss of each batch and stops
 * once the smoothed loss has blown up. The model and optimizer are restored afterwards.
 */

/** What to probe when there is no experiment definition. Only `data` is read: give it training data. */
export interface LrFindTarget {
  model: Module;
  optimizer: Optimizer<Hyper>;
  loss: LossFn;
  /** Training data. Validation and test data have no place in a range test. */
  data: TensorDataset;
  batchSize?: number;
  trainTransform?: BatchTransform;
}

export interface LrFindOptions {
  /** First learning rate (default 1e-7). */
  minLr?: number;
  /** Last learning rate (default 10). */
  maxLr?: number;
  /** Batches from minLr to maxLr (default 100); the test may stop earlier. */
  steps?: number;
  /** Coefficient of the exponential moving average of the loss (default 0.98). */
  smooth?: number;
  /** Stop once the smoothed loss exceeds this multiple of its minimum (default 4). */
  divergeFactor?: number;
  /** Batch size (default: the target's, or the experiment's batchSize, or 64). */
  batchSize?: number;
  /** Seeds the batch order (and, for an experiment, the initialization); default hparams.seed or 0. */
  seed?: number;
  /** Overrides of the experiment's hyperparameters. */
  hparams?: HParams;
  /** Passed to the experiment's data function. */
  dataContext?: DataContext;
  /** Called after every batch (progress bars). */
  onStep?: (point: LrFindPoint, steps: number) => void;
}

export interface LrFindPoint {
  step: number;
  lr: number;
  /** The loss of this batch, before the step it drove. */
  loss: number;
  /** Bias-corrected exponential moving average of the losses so far. */
  smoothed: number;
}

export type LrRule = 'steepest' | 'min/10';

export interface LrSuggestion {
  rule: LrRule;
  lr: number;
  /** How the rule picks its rate. */
  description: string;
}

export interface LrFindResult {
  curve: LrFindPoint[];
  /** Present when the rule found a rate (the steepest rule needs a descending stretch of >= 3 points). */
  suggestions: Partial<Record<LrRule, LrSuggestion>>;
  /** The recommended rate (min/10 when available, otherwise steepest). */
  suggestedLr: number | null;
  recommended: LrRule | null;
  /** Why the recommended rule was chosen. */
  reason: string;
  /** The lowest smoothed loss and the rate it was reached at. */
  minimum: { lr: number; smoothed: number } | null;
  stoppedEarly: boolean;
  /** The stopping rule and whether it fired. */
  stopReason: string;
  settings: { minLr: number; maxLr: number; steps: number; smooth: number; divergeFactor: number; batchSize: number; seed: number };
}

const STEEPEST = 'the rate where the smoothed loss falls fastest per decade of learning rate, searched on the stretch before its minimum (central differences on log10 lr)';
const MIN10 = 'the rate of the lowest smoothed loss divided by 10';
const WHY_MIN10 = 'min/10 is recommended: the position of the minimum of a smoothed curve is stable from run to run, while its steepest slope is the derivative of a noisy curve and jumps between neighbouring rates; a tenth of the rate where the loss stops improving keeps a safety margin below divergence';

/** The learning rate of step i of n on the exponential ramp from minLr to maxLr. */
export function rangeTestLr(i: number, n: number, minLr: number, maxLr: number): number {
  return n <= 1 ? minLr : minLr * (maxLr / minLr) ** (i / (n - 1));
}

/** Picks both suggestions from a finished curve (exported so a stored curve can be re-read). */
export function suggestLearningRates(curve: readonly LrFindPoint[]): Pick<LrFindResult, 'suggestions' | 'suggestedLr' | 'recommended' | 'reason' | 'minimum'> {
  if (curve.length === 0) return { suggestions: {}, suggestedLr: null, recommended: null, reason: 'no finite loss was recorded', minimum: null };
  let iMin = 0;
  for (let i = 1; i < curve.length; i++) if (curve[i].smoothed < curve[iMin].smoothed) iMin = i;
  const suggestions: Partial<Record<LrRule, LrSuggestion>> = {};
  if (iMin > 0) suggestions['min/10'] = { rule: 'min/10', lr: curve[iMin].lr / 10, description: MIN10 };
  // Slope per decade of lr at interior points 1..iMin-1 (central differences; the ramp is uniform in log lr).
  let best = -1, bestSlope = 0;
  for (let i = 1; i < iMin; i++) {
    const dx = Math.log10(curve[i + 1].lr) - Math.log10(curve[i - 1].lr);
    const slope = (curve[i + 1].smoothed - curve[i - 1].smoothed) / dx;
    if (slope < bestSlope) { bestSlope = slope; best = i; }
  }
  if (best >= 0) suggestions.steepest = { rule: 'steepest', lr: curve[best].lr, description: STEEPEST };
  const minimum = { lr: curve[iMin].lr, smoothed: curve[iMin].smoothed };
  if (suggestions['min/10']) return { suggestions, suggestedLr: suggestions['min/10'].lr, recommended: 'min/10', reason: WHY_MIN10, minimum };
  if (suggestions.steepest) return { suggestions, suggestedLr: suggestions.steepest.lr, recommended: 'steepest', reason: 'steepest is recommended because the minimum is at the first rate tried, so min/10 would fall outside the range tested', minimum };
  return {
    suggestions, suggestedLr: null, recommended: null, minimum,
    reason: `the smoothed loss never fell below its first value (${curve[0].smoothed.toPrecision(4)} at lr ${curve[0].lr.toExponential(1)}): lower --min, or check the model with \`tradecraft doctor\``,
  };
}

function checkOptions(o: LrFindOptions): Required<Pick<LrFindOptions, 'minLr' | 'maxLr' | 'steps' | 'smooth' | 'divergeFactor'>> {
  const minLr = o.minLr ?? 1e-7, maxLr = o.maxLr ?? 10, steps = o.steps ?? 100, smooth = o.smooth ?? 0.98, divergeFactor = o.divergeFactor ?? 4;
  if (!(minLr > 0 && Number.isFinite(minLr))) throw new RangeError(`lrFind: minLr must be a positive number, got ${minLr}`);
  if (!(maxLr > minLr && Number.isFinite(maxLr))) throw new RangeError(`lrFind: maxLr must be a finite number above minLr (${minLr}), got ${maxLr}`);
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`lrFind: steps must be an integer >= 2, got ${steps}`);
  if (!(smooth >= 0 && smooth < 1)) throw new RangeError(`lrFind: smooth must be in [0, 1), got ${smooth}`);
  if (!(divergeFactor > 1)) throw new RangeError(`lrFind: divergeFactor must be above 1, got ${divergeFactor}`);
  return { minLr, maxLr, steps, smooth, divergeFactor };
}

function isExperiment(x: unknown): x is Experiment<HParams> {
  return typeof x === 'object' && x !== null && typeof (x as Experiment<HParams>).model === 'function' && 'hparams' in x;
}

/**
 * Runs the range test. With an experiment it builds the model, optimizer and training data from
 * the definition (its validation and test splits are never read); with {model, optimizer, loss,
 * data} it probes those and leaves them exactly as they were (weights, buffers, gradients,
 * optimizer state and hyperparameters, train/eval mode and the global generator).
 * @example const r = lrFind(builtinExperiments['mnist-mlp'], { steps: 100 }); r.suggestedLr
 */
export function lrFind<H extends HParams>(target: Experiment<H> | LrFindTarget, options: LrFindOptions = {}): LrFindResult {
  const o = checkOptions(options);
  let t: LrFindTarget;
  let seed = options.seed ?? 0;
  if (isExperiment(target as unknown)) {
    const exp = target as unknown as Experiment<HParams>;
    const hp: HParams = { ...exp.hparams, ...options.hparams };
    seed = options.seed ?? (typeof hp.seed === 'number' ? hp.seed : 0);
    manualSeed(seed);
    const splits = exp.data(hp, options.dataContext ?? {});
    const model = exp.model(hp);
    t = {
      model, optimizer: exp.optimizer(model.parameters(), hp), loss: exp.loss, data: splits.train,
      batchSize: typeof hp.batchSize === 'number' ? hp.batchSize : undefined, trainTransform: splits.trainTransform,
    };
  } else {
    t = target as LrFindTarget;
    for (const k of ['model', 'optimizer', 'loss', 'data'] as const) {
      if (!t || t[k] === undefined) throw new TypeError(`lrFind: expected an experiment or { model, optimizer, loss, data }; '${k}' is missing`);
    }
  }
  const batchSize = options.batchSize ?? t.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`lrFind: batchSize must be a positive integer, got ${batchSize}`);
  const snapshot = snapshotTraining(t.model, t.optimizer);
  const loader = new DataLoader(t.data, { batchSize, shuffle: true, seed, transform: t.trainTransform });
  const curve: LrFindPoint[] = [];
  let avg = 0, best = Infinity, stoppedEarly = false;
  let stopWhy = `reached the last rate (${o.maxLr}) without the smoothed loss exceeding ${o.divergeFactor}x its minimum`;
  try {
    t.model.train();
    const batches = loader.endless(0);
    for (let i = 0; i < o.steps; i++) {
      const { x, y } = batches.next().value;
      const lr = rangeTestLr(i, o.steps, o.minLr, o.maxLr);
      setLearningRate(t.optimizer, lr);
      t.optimizer.zeroGrad();
      const lossT = t.loss(t.model.call(x), y);
      const loss = lossT.item();
      if (!Number.isFinite(loss)) {
        stoppedEarly = true;
        stopWhy = `stopped at step ${i + 1}: the loss became ${loss} at lr ${lr.toExponential(2)}`;
        break;
      }
      avg = o.smooth * avg + (1 - o.smooth) * loss;
      const smoothed = avg / (1 - o.smooth ** (i + 1)); // bias correction: the average starts at 0
      const point = { step: i + 1, lr, loss, smoothed };
      curve.push(point);
      options.onStep?.(point, o.steps);
      if (i > 0 && smoothed > o.divergeFactor * best) {
        stoppedEarly = true;
        stopWhy = `stopped at step ${i + 1} (lr ${lr.toExponential(2)}): the smoothed loss ${smoothed.toPrecision(4)} exceeded ${o.divergeFactor}x its minimum ${best.toPrecision(4)}`;
        break;
      }
      if (smoothed < best) best = smoothed;
      lossT.backward();
      t.optimizer.step();
    }
  } finally {
    snapshot.restore();
  }
  return {
    curve, ...suggestLearningRates(curve), stoppedEarly, stopReason: stopWhy,
    settings: { ...o, batchSize, seed },
  };
}

export { lrFindSvg } from './lr-find-chart.js';
