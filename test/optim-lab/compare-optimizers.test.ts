import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { gaussianBlobs } from '../helpers.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { compareOptimizers } from '../../src/optim-lab/compare-optimizers.js';

const blobs = (n: number, seed: number): TensorDataset => gaussianBlobs(n, seed, 6, 1.5);

test('compareOptimizers ranks by mean validation loss at each optimizer\'s best grid lr; a too-small grid loses and is flagged', () => {
  const setup = { makeModel: () => nn.sequential(nn.linear(6, 16), nn.relu(), nn.linear(16, 3)), loss: crossEntropy, train: blobs(200, 1), val: blobs(100, 2), iterations: 40, batchSize: 20 };
  const { runs, ranking } = compareOptimizers(setup, { optimizers: ['sgd', 'adam'], grids: { sgd: [1e-5, 1e-4], adam: [1e-3, 1e-2] }, seeds: [0, 1] });
  assert.equal(runs.length, 8);
  assert.deepEqual(ranking.map((r) => r.optimizer), ['adam', 'sgd'], 'SGD at lr 1e-4 for 40 steps barely moves');
  for (const r of ranking) {
    const own = runs.filter((x) => x.optimizer === r.optimizer && x.lr === r.bestLr);
    assert.equal(r.valLoss.n, 2);
    assert.ok(Math.abs(r.valLoss.mean - (own[0].valLoss + own[1].valLoss) / 2) < 1e-12);
    assert.ok(r.valLoss.lo <= r.valLoss.mean && r.valLoss.mean <= r.valLoss.hi);
  }
  assert.equal(ranking[1].bestLr, 1e-4);
  assert.equal(ranking[1].onGridEdge, true, 'the best SGD lr is the largest on its grid');
  assert.ok(ranking[0].valLoss.mean < 0.7 && ranking[1].valLoss.mean > 1, `adam ${ranking[0].valLoss.mean}, sgd ${ranking[1].valLoss.mean}`);
});
