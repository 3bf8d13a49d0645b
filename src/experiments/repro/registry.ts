import { join } from 'node:path';
import { runRandomLabels } from './random-labels.js';
import { runAdamVsSgdLinear } from './adam-vs-sgd-linear.js';
import { runInitialization } from './initialization.js';
import { runLotteryRepro } from './lottery.js';
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
    source: 'the lecture\'s warning: on linear regression SGD/momentum beats Adam at equal budget',
    defaults: { n: 200, d: 20, steps: 100, seed: 0 },
    run: (s) => runAdamVsSgdLinear(s),
  },
  initialization: {
    source: 'Glorot & Bengio 2010; He et al. 2015',
    defaults: { depth: 30, width: 256, batch: 256, seed: 0 },
    run: (s) => runInitialization(s),
  },
  lottery: {
    source: 'Frankle & Carbin 2019, The Lottery Ticket Hypothesis (Figure 3)',
    defaults: { rounds: 15, seeds: 3, iterations: 600 },
    run: (s, ctx) => runLotteryRepro({ ...s, dir: ctx.dir }, ctx),
  },
  'edge-of-stability': {
    source: 'Cohen et al. 2021, Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability',
    defaults: { lr: 0.1, steps: 800, every: 10, n: 200, hidden: 32, seed: 0 },
    run: (s, ctx) => runEdgeOfStability({ ...s, lrs: [s.lr] }, ctx),
  },
};

export const reproStudyDir = (out: string, name: string): string => join(out, `repro-${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
