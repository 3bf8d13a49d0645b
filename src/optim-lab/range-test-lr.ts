import { manualSeed } from '../tensor/random.js';
import { lrFind, type LrFindResult } from '../tune/lr-find.js';
import { makeOptimizer, DEFAULT_GRIDS, type CompareSetup, type OptimizerName } from './compare-optimizers.js';

export interface OptimizerLr {
  optimizer: OptimizerName;
  /** The learning rate(s) to run: the range test's suggestion, or the default grid when it found none. */
  grid: number[];
  source: 'range test' | 'default grid (range test found no rate)';
  rangeTest: LrFindResult;
}

/**
 * Each optimizer's own learning rate from the LR range test (Smith 2017; see tune/lr-find.ts):
 * one short ramp per optimizer on a fresh model (the init of seed 0) over the training data,
 * its recommended rate (min/10, else steepest) taken as is. Validation data is not read here;
 * the comparison afterwards ranks on it. When the test finds no rate (the loss never fell), the
 * optimizer falls back to its default grid and says so.
 * @example const lrs = rangeTestLearningRates(setup, ['sgd', 'adam'], { steps: 100 });
 */
export function rangeTestLearningRates(setup: CompareSetup, names: OptimizerName[], o: { steps?: number; minLr?: number; maxLr?: number; seed?: number } = {}): OptimizerLr[] {
  return names.map((name) => {
    manualSeed(1000 * (o.seed ?? 0) + 1); // the same init trainWithOptimizer uses for this seed
    const model = setup.makeModel();
    const rangeTest = lrFind({ model, optimizer: makeOptimizer(name, model.parameters(), 1e-3), loss: setup.loss, data: setup.train, batchSize: setup.batchSize },
      { steps: o.steps, minLr: o.minLr, maxLr: o.maxLr, seed: o.seed ?? 0 });
    return rangeTest.suggestedLr !== null
      ? { optimizer: name, grid: [rangeTest.suggestedLr], source: 'range test', rangeTest }
      : { optimizer: name, grid: DEFAULT_GRIDS[name], source: 'default grid (range test found no rate)', rangeTest };
  });
}
