import * as nn from '../nn/index.js';
import { Adam } from '../optim/adam.js';
import { LRScheduler, cosineSchedule } from '../optim/schedules.js';
import { crossEntropy } from '../ops/loss.js';
import { mnist } from '../data/mnist.js';
import { defineExperiment, type HParams, type DataContext, type DataSplits } from './define.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import type { Parameter, Tensor } from '../tensor/tensor.js';

function mnistData(hp: HParams, ctx: DataContext): DataSplits {
  const limit = Number(hp.limitTrain) || undefined;
  const d = mnist({ dataDir: ctx.dataDir, valSize: Number(hp.valSize), limitTrain: limit, limitTest: Number(hp.limitTest) || undefined });
  return { train: d.train, val: d.val, test: d.test, split: { source: 'mnist', valSize: hp.valSize, splitSeed: 0, normalization: d.normalization, trainIndices: Array.from(d.split.trainIndices), valIndices: Array.from(d.split.valIndices) } };
}

const common = { lr: 1e-3, batchSize: 64, valSize: 5000, limitTrain: 0, limitTest: 0, seed: 0 };

/**
 * What the MNIST classifiers share: the data, Adam, cross-entropy, model selection on validation
 * accuracy, and a cosine decay of the lr to 0 over the whole run, stepped per batch (a few tenths
 * of a point for free).
 */
const mnistClassifier = {
  data: mnistData,
  optimizer: (params: Parameter[], hp: HParams) => new Adam(params, { lr: Number(hp.lr) }),
  loss: (out: Tensor, y: Tensor) => crossEntropy(out, y),
  metrics: ['accuracy' as const],
  monitor: 'val_accuracy',
  scheduler: (opt: Optimizer<Hyper>, hp: HParams, stepsPerEpoch: number) => new LRScheduler(opt, cosineSchedule(Number(hp.epochs) * stepsPerEpoch)),
  schedulerInterval: 'step' as const,
};

/** The quick start: a 784-256-256-10 ReLU MLP trained with Adam. */
export const mnistMlp = defineExperiment({
  name: 'mnist-mlp',
  description: 'MNIST, 784-256-256-10 ReLU MLP, Adam',
  hparams: { ...common, epochs: 3, hidden: 256 },
  ...mnistClassifier,
  // Learning rate on a log scale around Adam's default, width and batch size: what matters most for an MLP.
  search: {
    lr: { type: 'float', low: 1e-4, high: 1e-2, log: true },
    hidden: { type: 'int', low: 64, high: 512, log: true },
    batchSize: { type: 'categorical', choices: [32, 64, 128] },
  },
  model: (hp) => nn.sequential(
    nn.flatten(), nn.linear(784, hp.hidden), nn.relu(), nn.linear(hp.hidden, hp.hidden), nn.relu(), nn.linear(hp.hidden, 10),
  ),
});

/** Two 3x3 conv layers (32, 64) with max-pooling, then 128 hidden units. */
export const mnistCnn = defineExperiment({
  name: 'mnist-cnn',
  description: 'MNIST, conv 32/64 3x3 + max-pool, 128 hidden, Adam',
  hparams: { ...common, epochs: 2, hidden: 128 },
  ...mnistClassifier,
  model: (hp) => nn.sequential(
    nn.conv2d(1, 32, 3, { padding: 1 }), nn.relu(), nn.maxPool2d(2),
    nn.conv2d(32, 64, 3, { padding: 1 }), nn.relu(), nn.maxPool2d(2),
    nn.flatten(), nn.linear(64 * 7 * 7, hp.hidden), nn.relu(), nn.linear(hp.hidden, 10),
  ),
});
