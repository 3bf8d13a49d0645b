import * as nn from '../nn/index.js';
import { Adam } from '../optim/adam.js';
import { crossEntropy } from '../ops/loss.js';
import { mnist } from '../data/mnist.js';
import { defineExperiment } from './define.js';

/**
 * LeNet-300-100 on MNIST as in Frankle & Carbin 2019 (the lottery-ticket paper's Figure 3):
 * 784-300-100-10 ReLU, Adam with lr 1.2e-3, batch 60. `iterations` is the training budget of
 * each network in `tradecraft prune` (the paper's is 50,000, `--paper`); the default 600 keeps
 * a 3-seed, 15-round study within minutes on 2 cores. Weights use PyTorch's default
 * initialization (the paper used Glorot normal).
 */
export const mnistLenet300 = defineExperiment({
  name: 'mnist-lenet300',
  description: 'MNIST, LeNet-300-100 (Frankle & Carbin 2019), Adam 1.2e-3, batch 60',
  hparams: { lr: 1.2e-3, batchSize: 60, epochs: 1, iterations: 600, valSize: 5000, limitTrain: 0, limitTest: 0, seed: 0 },
  data: (hp, ctx) => {
    const d = mnist({ dataDir: ctx.dataDir, valSize: Number(hp.valSize), limitTrain: Number(hp.limitTrain) || undefined, limitTest: Number(hp.limitTest) || undefined });
    return { train: d.train, val: d.val, test: d.test, split: { source: 'mnist', valSize: hp.valSize, splitSeed: 0, normalization: d.normalization } };
  },
  model: () => nn.sequential(nn.flatten(), nn.linear(784, 300), nn.relu(), nn.linear(300, 100), nn.relu(), nn.linear(100, 10)),
  optimizer: (params, hp) => new Adam(params, { lr: Number(hp.lr) }),
  loss: (out, y) => crossEntropy(out, y),
  metrics: ['accuracy'],
  monitor: 'val_accuracy',
});
