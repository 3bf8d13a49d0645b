// Small synthetic experiments for the diagnostics tests: learnable data that builds in
// milliseconds, and a model factory the test chooses (healthy or deliberately broken).
// Tensors are only created inside functions, after the test file has selected its backend.
import { Tensor } from '../../src/tensor/tensor.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { Adam } from '../../src/optim/adam.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { defineExperiment, type Experiment, type HParams } from '../../src/experiments/define.js';
import type { Module } from '../../src/nn/module.js';
import type { LossFn } from '../../src/train/evaluate.js';
import { testRandom } from '../helpers.js';

/** n examples of `features` standard-normal-ish inputs; targets from a fixed random linear map. */
export function syntheticData(n: number, features: number, classes: number, seed: number): { x: Tensor; cls: Tensor; reg: Tensor } {
  const r = testRandom(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const w = Array.from({ length: features * classes }, normal);
  const x = new Float32Array(n * features);
  for (let i = 0; i < x.length; i++) x[i] = normal();
  const cls = new Int32Array(n);
  const reg = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0, bestV = -Infinity;
    for (let c = 0; c < classes; c++) {
      let v = 0;
      for (let f = 0; f < features; f++) v += x[i * features + f] * w[c * features + f];
      if (v > bestV) { bestV = v; best = c; }
      if (c === 0) reg[i] = v;
    }
    cls[i] = best;
  }
  return { x: new Tensor(x, [n, features]), cls: new Tensor(cls, [n], 'int32'), reg: new Tensor(reg, [n]) };
}

function splits(x: Tensor, y: Tensor): { train: TensorDataset; val: TensorDataset; test: TensorDataset } {
  const all = new TensorDataset(x, y, 'all');
  const n = all.length;
  const idx = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
  const nTrain = Math.floor(n * 0.6), nVal = Math.floor(n * 0.2);
  return {
    train: all.subset(idx(0, nTrain), 'train'),
    val: all.subset(idx(nTrain, nTrain + nVal), 'val'),
    test: all.subset(idx(nTrain + nVal, n), 'test'),
  };
}

/** A classification experiment (8 features, 3 classes, 320 examples, Adam) around the given model. */
export function classificationExperiment(name: string, model: () => Module, loss: LossFn = (o, y) => crossEntropy(o, y)): Experiment<HParams> {
  return defineExperiment({
    name,
    hparams: { lr: 0.01, batchSize: 32, seed: 0 },
    data: () => { const d = syntheticData(320, 8, 3, 7); return splits(d.x, d.cls); },
    model: () => model(),
    optimizer: (params, hp) => new Adam(params, { lr: Number(hp.lr) }),
    loss,
  }) as unknown as Experiment<HParams>;
}

/** A regression experiment (8 features, float targets of shape (N)) around the given model and loss. */
export function regressionExperiment(name: string, model: () => Module, loss: LossFn): Experiment<HParams> {
  return defineExperiment({
    name,
    hparams: { lr: 0.01, batchSize: 32, seed: 0 },
    data: () => { const d = syntheticData(320, 8, 3, 11); return splits(d.x, d.reg); },
    model: () => model(),
    optimizer: (params, hp) => new Adam(params, { lr: Number(hp.lr) }),
    loss,
  }) as unknown as Experiment<HParams>;
}

/** Doctor options that keep a test run short. */
export const quick = { overfitSteps: 150, probeSteps: 5, memorySteps: 6 } as const;
