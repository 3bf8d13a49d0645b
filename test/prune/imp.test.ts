import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import { Adam } from '../../src/optim/adam.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { gaussianBlobs } from '../helpers.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { iterativeMagnitudePruning, type ImpResult } from '../../src/prune/imp.js';
import { summarizeLottery, lotteryClaim, lotteryPlot } from '../../src/prune/lottery-report.js';

const blobs = (n: number, seed: number): TensorDataset => gaussianBlobs(n, seed, 8, 2);

const setup = {
  makeModel: () => nn.sequential(nn.linear(8, 32), nn.relu(), nn.linear(32, 3)),
  makeOptimizer: (p: nn.Parameter[]) => new Adam(p, { lr: 0.01 }),
  loss: crossEntropy, train: blobs(240, 1), val: blobs(90, 2), test: blobs(90, 3), iterations: 30, batchSize: 30,
};

test('IMP: remaining weights follow (1-rate)^r per layer (output layer at its own rate); controls share the round\'s fraction', () => {
  const results = iterativeMagnitudePruning(setup, { rounds: 4, rate: 0.2, outputRate: 0.1, rewind: 'init', controls: ['reinit', 'random'], controlEvery: 2, seeds: [0, 1] });
  const seed0 = results.filter((r) => r.seed === 0);
  assert.deepEqual(seed0.map((r) => `${r.round}${r.condition[0]}`), ['0r', '1r', '2r', '2r', '2r', '3r', '4r', '4r', '4r'].map((s, i) => s.slice(0, 1) + seed0[i].condition[0]));
  assert.deepEqual(seed0.filter((r) => r.round === 2).map((r) => r.condition), ['rewind', 'reinit', 'random']);
  for (const r of seed0.filter((x) => x.condition === 'rewind')) {
    // 256 weights in layer 1 and 96 in the output layer, pruned by round(rate * remaining) each round.
    let a = 256, b = 96;
    for (let k = 0; k < r.round; k++) { a -= Math.round(0.2 * a); b -= Math.round(0.1 * b); }
    assert.equal(r.remaining, (a + b) / 352, `round ${r.round}`);
  }
  for (const r of results) assert.ok(r.valAccuracy > 0.5 && r.testAccuracy > 0.5, `${r.condition} round ${r.round}: val ${r.valAccuracy}`);
  const rows = summarizeLottery(results);
  assert.equal(rows.find((x) => x.round === 4 && x.condition === 'reinit')!.test.n, 2);
  const claim = lotteryClaim(results);
  assert.equal(claim.held, false, 'four rounds never reach 7% or 3.6%');
  assert.match(claim.detail, /no round reached ~7%/);
  assert.ok(lotteryPlot(rows, 't').includes('same masks, reinit'));
});

test('IMP is deterministic for a seed, and late rewinding differs from rewinding to init', () => {
  const run = (rewind: 'init' | number): ImpResult[] => iterativeMagnitudePruning(setup, { rounds: 1, rate: 0.5, rewind, controls: [], seeds: [3] });
  const a = run('init'), b = run('init'), late = run(10);
  assert.deepEqual(a.map((r) => r.valAccuracy), b.map((r) => r.valAccuracy));
  assert.equal(a[0].valAccuracy, late[0].valAccuracy, 'the dense round is the same');
  assert.throws(() => run(31), /rewind must be 'init' or an iteration in \[0, 30\]/);
});
