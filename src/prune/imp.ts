import type { Module } from '../nn/module.js';
import { Parameter } from '../tensor/tensor.js';
import { Tensor } from '../tensor/tensor.js';
import { manualSeed, Generator } from '../tensor/random.js';
import { noGrad } from '../autograd/grad-mode.js';
import { DataLoader } from '../data/loader.js';
import type { TensorDataset } from '../data/dataset.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import { evaluate, type LossFn } from '../train/evaluate.js';
import { applyMask, getMask, getOrig, l1Unstructured, randomUnstructured } from './index.js';

/**
 * Iterative magnitude pruning with rewinding (Frankle & Carbin 2019, "The Lottery Ticket
 * Hypothesis"; late rewinding: Frankle et al. 2020, "Linear Mode Connectivity and the Lottery
 * Ticket Hypothesis"): train, prune `rate` of the remaining weights of each layer by magnitude
 * (`outputRate` for the last layer), reset the survivors to their values at initialization or at
 * iteration k, retrain; repeat. Controls at every round: the same masks with a fresh random
 * initialization ('reinit') and random masks of the same per-layer sparsity ('random', from the
 * rewind point). Validation accuracy is measured for every trained network and the test set
 * once per network, after its training; no choice (schedule, stopping) reads the test set.
 */

export type Condition = 'rewind' | 'reinit' | 'random';

export interface LotterySetup {
  /** Builds the model from the default generator (seeded by the caller). */
  makeModel: () => Module;
  makeOptimizer: (params: Parameter[]) => Optimizer<Hyper>;
  loss: LossFn;
  train: TensorDataset;
  val: TensorDataset;
  test: TensorDataset;
  iterations: number;
  batchSize: number;
}

export interface ImpOptions {
  rounds: number;
  /** Fraction of the remaining weights pruned per round in every layer but the last. */
  rate: number;
  /** The last layer's rate (Frankle & Carbin prune LeNet's output layer at half the rate). */
  outputRate?: number;
  /** 'init' or an iteration of the dense run to rewind to. */
  rewind: 'init' | number;
  controls: Array<Exclude<Condition, 'rewind'>>;
  /** Train the controls only every this many rounds (and at the last round) to save time; default 1. */
  controlEvery?: number;
  seeds: number[];
  onResult?: (r: ImpResult) => void;
}

export interface ImpResult {
  seed: number;
  round: number;
  condition: Condition;
  /** Fraction of the prunable weights (every weight matrix / kernel) still alive. */
  remaining: number;
  valAccuracy: number;
  valLoss: number;
  testAccuracy: number;
  seconds: number;
}

type Target = { module: Module; name: string };
/** Parameter values by their unpruned name (`1.weight` for `1.weight_orig`), so snapshots move between models. */
type Snapshot = Map<string, Float32Array>;

/** The weight of every Linear/Conv layer (any parameter named `weight` with 2+ dimensions), in model order. */
export function prunableTargets(model: Module): Target[] {
  const out: Target[] = [];
  for (const [, m] of model.namedModules()) {
    const f = m as unknown as Record<string, unknown>;
    const w = f.weight_orig instanceof Parameter ? f.weight_orig : f.weight;
    if (w instanceof Parameter && w.ndim >= 2) out.push({ module: m, name: 'weight' });
  }
  if (out.length === 0) throw new Error('lottery: the model has no weight matrices or kernels to prune');
  return out;
}

const plainName = (n: string): string => n.replace(/_orig$/, '');
const snapshot = (model: Module): Snapshot => new Map([...model.namedParameters()].map(([n, p]) => [plainName(n), Float32Array.from(p.data)]));
function restore(model: Module, s: Snapshot): void {
  noGrad(() => {
    for (const [n, p] of model.namedParameters()) {
      const v = s.get(plainName(n));
      if (!v) throw new Error(`lottery: no saved value for parameter ${n}`);
      p.data.set(v);
    }
  });
}

function masksOf(targets: Target[]): Float32Array[] {
  return targets.map((t) => Float32Array.from(getMask(t.module, t.name)?.data ?? new Float32Array(getOrig(t.module, t.name).size).fill(1)));
}

export function remainingFraction(masks: Float32Array[]): number {
  let alive = 0, total = 0;
  for (const m of masks) { total += m.length; for (let i = 0; i < m.length; i++) alive += m[i]; }
  return alive / total;
}

/** Trains for setup.iterations steps (epochs wrap), calling atIteration(k) after step k. */
function trainNetwork(model: Module, setup: LotterySetup, dataSeed: number, atIteration?: (k: number) => void): void {
  const opt = setup.makeOptimizer(model.parameters());
  const loader = new DataLoader(setup.train, { batchSize: setup.batchSize, shuffle: true, seed: dataSeed, dropLast: true });
  model.train();
  let k = 0;
  atIteration?.(0);
  for (let epoch = 0; k < setup.iterations; epoch++) {
    loader.setEpoch(epoch);
    for (const b of loader) {
      opt.zeroGrad();
      setup.loss(model.call(b.x), b.y).backward();
      opt.step();
      k++;
      atIteration?.(k); // not atIteration?.(++k): an optional call skips evaluating its arguments
      if (k >= setup.iterations) break;
    }
  }
}

function measure(model: Module, setup: LotterySetup): { valAccuracy: number; valLoss: number; testAccuracy: number } {
  const v = evaluate(model, setup.loss, setup.val);
  const t = evaluate(model, setup.loss, setup.test);
  return { valAccuracy: v.accuracy ?? NaN, valLoss: v.loss, testAccuracy: t.accuracy ?? NaN };
}

function checkOptions(o: ImpOptions, setup: LotterySetup): void {
  if (!Number.isInteger(o.rounds) || o.rounds < 0) throw new RangeError(`lottery: rounds must be a non-negative integer, got ${o.rounds}`);
  for (const [k, v] of [['rate', o.rate], ['outputRate', o.outputRate ?? o.rate]] as const) {
    if (!(v > 0 && v < 1)) throw new RangeError(`lottery: ${k} is the fraction of remaining weights pruned per round, in (0, 1); got ${v}`);
  }
  if (o.rewind !== 'init' && !(Number.isInteger(o.rewind) && o.rewind >= 0 && o.rewind <= setup.iterations)) {
    throw new RangeError(`lottery: rewind must be 'init' or an iteration in [0, ${setup.iterations}], got ${o.rewind}`);
  }
  if (o.seeds.length === 0) throw new RangeError('lottery: at least one seed is needed');
  if (!(setup.iterations >= 1)) throw new RangeError(`lottery: iterations must be at least 1, got ${setup.iterations}`);
}

/** Runs IMP and its controls for every seed; results come back (and through onResult) in order. */
export function iterativeMagnitudePruning(setup: LotterySetup, o: ImpOptions): ImpResult[] {
  checkOptions(o, setup);
  const results: ImpResult[] = [];
  const record = (r: ImpResult): void => { results.push(r); o.onResult?.(r); };
  for (const seed of o.seeds) {
    const initSeed = 1000 * seed + 1, dataSeed = 1000 * seed + 2;
    manualSeed(initSeed);
    const model = setup.makeModel();
    const targets = prunableTargets(model);
    const init = snapshot(model);
    let rewindTo = init;
    const rewindAt = o.rewind === 'init' ? 0 : o.rewind;
    let t0 = Date.now();
    trainNetwork(model, setup, dataSeed, (k) => { if (k === rewindAt && k > 0) rewindTo = snapshot(model); });
    record({ seed, round: 0, condition: 'rewind', remaining: 1, ...measure(model, setup), seconds: (Date.now() - t0) / 1000 });

    for (let round = 1; round <= o.rounds; round++) {
      targets.forEach((t, i) => l1Unstructured(t.module, t.name, i === targets.length - 1 ? (o.outputRate ?? o.rate) : o.rate));
      const masks = masksOf(targets);
      const remaining = remainingFraction(masks);
      restore(model, rewindTo);
      t0 = Date.now();
      trainNetwork(model, setup, dataSeed);
      record({ seed, round, condition: 'rewind', remaining, ...measure(model, setup), seconds: (Date.now() - t0) / 1000 });

      const every = o.controlEvery ?? 1;
      const controls = round % every === 0 || round === o.rounds ? o.controls : [];
      for (const control of controls) {
        t0 = Date.now();
        const net = control === 'reinit' ? reinitialized(setup, masks, 1000 * seed + 100 + round) : randomMasked(setup, masks, rewindTo, 1000 * seed + 200 + round);
        trainNetwork(net, setup, dataSeed);
        record({ seed, round, condition: control, remaining, ...measure(net, setup), seconds: (Date.now() - t0) / 1000 });
      }
    }
  }
  return results;
}

/** The same masks on a freshly initialized network (a new random draw). */
function reinitialized(setup: LotterySetup, masks: Float32Array[], seed: number): Module {
  manualSeed(seed);
  const net = setup.makeModel();
  prunableTargets(net).forEach((t, i) => applyMask(t.module, t.name, new Tensor(masks[i], [...getOrig(t.module, t.name).shape])));
  return net;
}

/** Random masks with the ticket's per-layer counts, on the ticket's rewind weights. */
function randomMasked(setup: LotterySetup, masks: Float32Array[], rewindTo: Snapshot, maskSeed: number): Module {
  const net = setup.makeModel();
  restore(net, rewindTo);
  const g = new Generator(maskSeed);
  prunableTargets(net).forEach((t, i) => {
    const alive = masks[i].reduce((s, v) => s + v, 0);
    randomUnstructured(t.module, t.name, 1 - alive / masks[i].length, g);
  });
  return net;
}
