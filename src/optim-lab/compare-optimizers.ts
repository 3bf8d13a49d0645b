import type { Module } from '../nn/module.js';
import type { Parameter } from '../tensor/tensor.js';
import { manualSeed } from '../tensor/random.js';
import { DataLoader } from '../data/loader.js';
import type { TensorDataset } from '../data/dataset.js';
import { evaluate, type LossFn } from '../train/evaluate.js';
import type { Optimizer, Hyper } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Adam, AdamW } from '../optim/adam.js';
import { RMSprop } from '../optim/rmsprop.js';
import { Adagrad } from '../optim/adagrad.js';
import { RAdam } from '../optim/radam.js';
import { NAdam } from '../optim/nadam.js';
import { Lion } from '../optim/lion.js';
import { overSeeds, type SeedSummary } from '../experiments/repro/seed-interval.js';

/**
 * Optimizers side by side on one problem: each at every learning rate of its grid (its own
 * default grid around its usual lr, or one given grid for all), several seeds each, ranked by
 * the mean final validation loss at its best grid lr, with a 95% interval over seeds. The lr
 * is chosen on validation loss; nothing here reads a test set.
 */
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'radam', 'nadam', 'rmsprop', 'adagrad', 'lion'] as const;
export type OptimizerName = typeof OPTIMIZER_NAMES[number];

/** Default grids: a factor ~3 either side of each optimizer's usual learning rate. */
export const DEFAULT_GRIDS: Record<OptimizerName, number[]> = {
  sgd: [0.03, 0.1, 0.3], momentum: [0.003, 0.01, 0.03], nesterov: [0.003, 0.01, 0.03],
  adam: [3e-4, 1e-3, 3e-3], adamw: [3e-4, 1e-3, 3e-3], radam: [3e-4, 1e-3, 3e-3], nadam: [6e-4, 2e-3, 6e-3],
  rmsprop: [3e-4, 1e-3, 3e-3], adagrad: [3e-3, 1e-2, 3e-2], lion: [3e-5, 1e-4, 3e-4],
};

export function makeOptimizer(name: OptimizerName, params: Parameter[], lr: number): Optimizer<Hyper> {
  const o = (x: unknown) => x as Optimizer<Hyper>;
  switch (name) {
    case 'sgd': return o(new SGD(params, { lr }));
    case 'momentum': return o(new SGD(params, { lr, momentum: 0.9 }));
    case 'nesterov': return o(new SGD(params, { lr, momentum: 0.9, nesterov: true }));
    case 'adam': return o(new Adam(params, { lr }));
    case 'adamw': return o(new AdamW(params, { lr }));
    case 'radam': return o(new RAdam(params, { lr }));
    case 'nadam': return o(new NAdam(params, { lr }));
    case 'rmsprop': return o(new RMSprop(params, { lr }));
    case 'adagrad': return o(new Adagrad(params, { lr }));
    case 'lion': return o(new Lion(params, { lr }));
  }
}

export interface CompareSetup {
  makeModel: () => Module; loss: LossFn; train: TensorDataset; val: TensorDataset;
  iterations: number; batchSize: number;
  /** Validation loss is recorded this many times along the way (for the curves). */
  checkpoints?: number;
}

export interface OptimizerRun { optimizer: OptimizerName; lr: number; seed: number; valLoss: number; valAccuracy?: number; curve: Array<{ step: number; valLoss: number }> }
export interface OptimizerRanking { optimizer: OptimizerName; bestLr: number; valLoss: SeedSummary; valAccuracy?: SeedSummary; onGridEdge: boolean; grid: number[] }

export function trainWithOptimizer(setup: CompareSetup, name: OptimizerName, lr: number, seed: number): OptimizerRun {
  manualSeed(1000 * seed + 1);
  const model = setup.makeModel();
  const opt = makeOptimizer(name, model.parameters(), lr);
  const loader = new DataLoader(setup.train, { batchSize: setup.batchSize, shuffle: true, seed: 1000 * seed + 2, dropLast: true });
  const every = Math.max(1, Math.floor(setup.iterations / (setup.checkpoints ?? 5)));
  const curve: OptimizerRun['curve'] = [];
  let k = 0;
  for (let epoch = 0; k < setup.iterations; epoch++) {
    loader.setEpoch(epoch);
    model.train();
    for (const b of loader) {
      opt.zeroGrad();
      setup.loss(model.call(b.x), b.y).backward();
      opt.step();
      k++;
      if (k % every === 0 && k < setup.iterations) { curve.push({ step: k, valLoss: evaluate(model, setup.loss, setup.val).loss }); model.train(); }
      if (k >= setup.iterations) break;
    }
  }
  const v = evaluate(model, setup.loss, setup.val);
  const valLoss = Number.isFinite(v.loss) ? v.loss : Infinity;
  curve.push({ step: k, valLoss });
  return { optimizer: name, lr, seed, valLoss, valAccuracy: v.accuracy, curve };
}

/** Runs every optimizer x lr x seed and ranks the optimizers (lowest mean validation loss first). */
export function compareOptimizers(setup: CompareSetup, o: { optimizers: OptimizerName[]; grids?: Partial<Record<OptimizerName, number[]>>; seeds: number[]; onRun?: (r: OptimizerRun) => void }): { runs: OptimizerRun[]; ranking: OptimizerRanking[] } {
  const runs: OptimizerRun[] = [];
  const ranking: OptimizerRanking[] = [];
  for (const name of o.optimizers) {
    const grid = o.grids?.[name] ?? DEFAULT_GRIDS[name];
    let best: OptimizerRanking | null = null;
    for (const lr of grid) {
      const rs = o.seeds.map((s) => { const r = trainWithOptimizer(setup, name, lr, s); runs.push(r); o.onRun?.(r); return r; });
      const valLoss = overSeeds(rs.map((r) => r.valLoss));
      const acc = rs.every((r) => r.valAccuracy !== undefined) ? overSeeds(rs.map((r) => r.valAccuracy!)) : undefined;
      if (!best || valLoss.mean < best.valLoss.mean) best = { optimizer: name, bestLr: lr, valLoss, valAccuracy: acc, onGridEdge: false, grid };
    }
    best!.onGridEdge = grid.length > 1 && (best!.bestLr === Math.min(...grid) || best!.bestLr === Math.max(...grid));
    ranking.push(best!);
  }
  ranking.sort((a, b) => a.valLoss.mean - b.valLoss.mean);
  return { runs, ranking };
}
