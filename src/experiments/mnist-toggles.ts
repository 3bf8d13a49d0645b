import * as nn from '../nn/index.js';
import { Adam } from '../optim/adam.js';
import { LRScheduler, cosineSchedule, linearSchedule, sequentialSchedule } from '../optim/schedules.js';
import { crossEntropy } from '../ops/loss.js';
import { mnist } from '../data/mnist.js';
import { randomCrop } from '../data/transforms.js';
import { defineExperiment, type HParams } from './define.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import type { Parameter, Tensor } from '../tensor/tensor.js';

/**
 * A small MNIST CNN whose parts can be switched off one at a time, for ablation studies
 * (`tradecraft ablate mnist-cnn-toggles --features batchNorm,dropout,augment,warmup`). The
 * booleans are ordinary hyperparameters that the model, data and schedule read. The default
 * budget is deliberately small (11,000 training images of which 5,000 for validation, 2 epochs,
 * 8 and 16 channels) so that a 3-seed ablation of four features (15 runs) takes minutes on two
 * cores; raise limitTrain/epochs for conclusions about MNIST itself.
 */
export const mnistCnnToggles = defineExperiment({
  name: 'mnist-cnn-toggles',
  description: 'MNIST, conv 8/16 3x3 + max-pool, 64 hidden, Adam; toggles batchNorm, dropout, augment, warmup',
  hparams: {
    lr: 3e-3, batchSize: 64, epochs: 2, valSize: 5000, limitTrain: 11000, limitTest: 0, seed: 0,
    batchNorm: true, dropout: true, augment: true, warmup: true,
    dropoutP: 0.3, warmupFraction: 0.2, cropPadding: 2,
  },
  data: (hp, ctx) => {
    const d = mnist({ dataDir: ctx.dataDir, valSize: Number(hp.valSize), limitTrain: Number(hp.limitTrain) || undefined, limitTest: Number(hp.limitTest) || undefined });
    return {
      train: d.train, val: d.val, test: d.test,
      // Random shifts of up to cropPadding pixels, on training batches only.
      trainTransform: hp.augment ? randomCrop(Number(hp.cropPadding)) : undefined,
      split: { source: 'mnist', valSize: hp.valSize, splitSeed: 0, normalization: d.normalization },
    };
  },
  model: (hp) => {
    const bn = (c: number) => (hp.batchNorm ? [nn.batchNorm2d(c)] : []);
    const drop = () => (hp.dropout ? [nn.dropout(Number(hp.dropoutP))] : []);
    return nn.sequential(
      nn.conv2d(1, 8, 3, { padding: 1 }), ...bn(8), nn.relu(), nn.maxPool2d(2),
      nn.conv2d(8, 16, 3, { padding: 1 }), ...bn(16), nn.relu(), nn.maxPool2d(2),
      nn.flatten(), ...drop(), nn.linear(16 * 7 * 7, 64), nn.relu(), ...drop(), nn.linear(64, 10),
    );
  },
  optimizer: (params: Parameter[], hp: HParams) => new Adam(params, { lr: Number(hp.lr) }),
  loss: (out: Tensor, y: Tensor) => crossEntropy(out, y),
  metrics: ['accuracy'],
  monitor: 'val_accuracy',
  // Cosine decay over the run; with warmup, a linear ramp from 1% over the first warmupFraction of the steps first.
  scheduler: (opt: Optimizer<Hyper>, hp: HParams, stepsPerEpoch: number) => {
    const total = Number(hp.epochs) * stepsPerEpoch;
    if (!hp.warmup) return new LRScheduler(opt, cosineSchedule(total));
    const w = Math.max(1, Math.round(total * Number(hp.warmupFraction)));
    return new LRScheduler(opt, sequentialSchedule([linearSchedule(0.01, 1, w), cosineSchedule(Math.max(1, total - w))], [w]));
  },
  schedulerInterval: 'step',
});
