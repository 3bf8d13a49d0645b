import { join } from 'node:path';
import { runRandomLabels } from './random-labels.js';
import { runAdamVsSgdLinear } from './adam-vs-sgd-linear.js';
import { runInitialization } from './initialization.js';
import { runLotteryRepro } from './lottery.js';
import { runDoubleDescent } from './double-descent.js';
import { runBatchNoise } from './batch-noise.js';
import { runEdgeOfStability } from './edge-of-stability.js';
import type { ReproContext, ReproResult } from './types.js';

/** A reproduction: its source, its default size and how to scale it (flags are numbers by name). */
export interface ReproSpec {
  source: string;
  defaults: Record<string, number>;
  run: (size: Record<string, number>, ctx: ReproContext & { dir: string }) => ReproResult;
}

export const reproductions: Record<string, ReproSpec> = {
  'random-labels': {
    source: 'Zhang et al. 2017, Understanding deep learning requires rethinking generalization',
    defaults: { train: 2000, val: 1000, hidden: 512, maxEpochs: 150, seed: 0 },
    run: (s, ctx) => runRandomLabels(s, ctx),
  },
  'adam-vs-sgd-linear': {
    source: 'Wilson et al. 2017, The Marginal Value of Adaptive Gradient Methods in Machine Learning (section 3: overparameterized linear regression)',
    defaults: { n: 50, d: 200, steps: 300, seeds: 5, seed: 0 },
    run: (s) => runAdamVsSgdLinear(s),
  },
  initialization: {
    source: 'Glorot & Bengio 2010; He et al. 2015',
    defaults: { depth: 30, width: 256, batch: 256, seed: 0 },
    run: (s) => runInitialization(s),
  },
  'batch-noise': {
    source: 'McCandlish et al. 2018, An Empirical Model of Large-Batch Training; Shallue et al. 2019, Measuring the Effects of Data Parallelism on Neural Network Training',
    defaults: { train: 8192, val: 1000, hidden: 128, epochs: 10, minBatch: 8, maxBatch: 2048, lr0: 0.05, lrMax: 1, target: 0.9, seeds: 3, seed: 0, noiseRepeats: 30, pool: 2 },
    run: (s, ctx) => runBatchNoise(s, ctx),
  },
  lottery: {
    source: 'Frankle & Carbin 2019, The Lottery Ticket Hypothesis (Figure 3)',
    defaults: { rounds: 15, seeds: 3, iterations: 600 },
    run: (s, ctx) => runLotteryRepro({ ...s, dir: ctx.dir }, ctx),
  },
  'double-descent': {
    source: 'Belkin et al. 2019, Reconciling modern machine-learning practice and the classical bias-variance trade-off (random features: Fourier in Figure 2, ReLU in the supplement); Nakkiran et al. 2019, Deep Double Descent (label noise)',
    defaults: { n: 1000, test: 2000, noise: 0.2, seeds: 3, maxRatio: 10, ridge: 1e-10, pool: 0 },
    run: (s, ctx) => runDoubleDescent(s, ctx),
  },
  'edge-of-stability': {
    source: 'Cohen et al. 2021, Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability',
    defaults: { lr: 0.1, steps: 800, every: 10, n: 200, hidden: 32, seed: 0 },
    run: (s, ctx) => runEdgeOfStability({ ...s, lrs: [s.lr] }, ctx),
  },
};

export const reproStudyDir = (out: string, name: string): string => join(out, `repro-${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
