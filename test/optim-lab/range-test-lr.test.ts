import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import { manualSeed } from '../../src/tensor/random.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { gaussianBlobs } from '../helpers.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam } from '../../src/optim/adam.js';
import { lrFind } from '../../src/tune/lr-find.js';
import { compareOptimizers } from '../../src/optim-lab/compare-optimizers.js';
import { rangeTestLearningRates } from '../../src/optim-lab/range-test-lr.js';

const blobs = (n: number, seed: number): TensorDataset => gaussianBlobs(n, seed, 6, 1.5);

const setup = { makeModel: () => nn.sequential(nn.linear(6, 16), nn.relu(), nn.linear(16, 3)), loss: crossEntropy, train: blobs(200, 1), val: blobs(100, 2), iterations: 40, batchSize: 20 };

test('each optimizer gets its own range-test lr: the suggestion of lrFind on the same init and data, and the comparison runs at it', () => {
  const found = rangeTestLearningRates(setup, ['sgd', 'adam'], { steps: 60 });
  // The same range tests by hand: seed 0's init (manualSeed(1)), the optimizer at any lr (the test sets it).
  const byHand = [0, 1].map((i) => {
    manualSeed(1);
    const model = setup.makeModel();
    const optimizer = i === 0 ? new SGD(model.parameters(), { lr: 1 }) : new Adam(model.parameters(), { lr: 1 });
    return lrFind({ model, optimizer, loss: crossEntropy, data: setup.train, batchSize: 20 }, { steps: 60, seed: 0 }).suggestedLr;
  });
  assert.deepEqual(found.map((x) => x.source), ['range test', 'range test']);
  assert.deepEqual(found.map((x) => x.grid), byHand.map((lr) => [lr]));
  const [sgd, adam] = found.map((x) => x.grid[0]);
  assert.ok(sgd > 5 * adam, `plain SGD tolerates a much larger lr than Adam: sgd ${sgd}, adam ${adam}`);
  const { ranking, runs } = compareOptimizers(setup, { optimizers: ['sgd', 'adam'], grids: { sgd: [sgd], adam: [adam] }, seeds: [0, 1] });
  assert.equal(runs.length, 4);
  for (const r of ranking) {
    assert.equal(r.bestLr, r.optimizer === 'sgd' ? sgd : adam);
    assert.equal(r.onGridEdge, false, 'one rate is no grid, so no edge');
    assert.ok(r.valLoss.mean < 0.7, `${r.optimizer} at its range-test lr learns in 40 steps: val loss ${r.valLoss.mean}`);
  }
});

test('a range test that finds no rate falls back to the default grid and says so', () => {
  // Starting at lr 100 the first SGD step already blows the loss up, so the lowest smoothed loss is the first one.
  const found = rangeTestLearningRates(setup, ['sgd'], { steps: 10, minLr: 100, maxLr: 1000 });
  assert.equal(found[0].rangeTest.suggestedLr, null, found[0].rangeTest.reason);
  assert.equal(found[0].source, 'default grid (range test found no rate)');
  assert.deepEqual(found[0].grid, [0.03, 0.1, 0.3]);
});
