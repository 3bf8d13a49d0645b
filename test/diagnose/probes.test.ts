import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { manualSeed } from '../../src/tensor/random.js';
import * as nn from '../../src/nn/index.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { Adam } from '../../src/optim/adam.js';
import { SGD } from '../../src/optim/sgd.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { overfitBatch } from '../../src/diagnose/overfit.js';
import { lrProbe, logSpacedLrs, setLearningRate } from '../../src/diagnose/lr-probe.js';
import { dataSanity } from '../../src/diagnose/data-sanity.js';
import { syntheticData } from './fixtures.js';

const ce = (o: Tensor, y: Tensor): Tensor => crossEntropy(o, y);
const mlp = (): nn.Sequential => nn.sequential(nn.linear(8, 32), nn.relu(), nn.linear(32, 3));

test('overfitBatch memorizes 32 examples with Adam, and fails when nothing learns', () => {
  manualSeed(0);
  const d = syntheticData(32, 8, 3, 1);
  const model = mlp();
  const ok = overfitBatch(model, new Adam(model.parameters(), { lr: 0.01 }), ce, { x: d.x, y: d.cls });
  assert.equal(ok.passed, true);
  assert.ok(ok.finalLoss < 0.05 || ok.finalLoss <= ok.initialLoss / 100);
  assert.ok(ok.steps < 200 && ok.steps === ok.losses.length);

  manualSeed(0);
  const frozen = mlp();
  const stuck = overfitBatch(frozen, new SGD(frozen.parameters(), { lr: 0 }), ce, { x: d.x, y: d.cls }, { maxSteps: 20 });
  assert.equal(stuck.passed, false);
  assert.equal(stuck.steps, 20);
  assert.ok(Math.abs(stuck.finalLoss - stuck.initialLoss) < 1e-6);
});

test('lrProbe starts every rate from the same weights, restores them, and finds a useful rate', () => {
  manualSeed(0);
  const d = syntheticData(32, 8, 3, 2);
  const model = mlp();
  const before = model.parameters().map((p) => p.toList());
  const r = lrProbe(model, (ps) => new Adam(ps, { lr: 0.5 }), ce, { x: d.x, y: d.cls }, { lrs: [1e-5, 1e-3, 1e-2, 10], steps: 8 });
  assert.deepEqual(r.points.map((p) => p.lr), [1e-5, 1e-3, 1e-2, 10]);
  const init = r.points[0].initialLoss;
  for (const p of r.points) assert.ok(Math.abs(p.initialLoss - init) < 1e-5, 'same initial loss at every rate');
  assert.ok(r.points[0].decrease < r.points[2].decrease, 'a tiny rate barely moves');
  assert.ok(r.bestLr === 1e-3 || r.bestLr === 1e-2, `best ${r.bestLr}`);
  assert.deepEqual(model.parameters().map((p) => p.toList()), before, 'weights restored');
  assert.deepEqual(logSpacedLrs(), [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
});

test('setLearningRate keeps the ratio between parameter groups', () => {
  const a = mlp();
  const opt = new SGD([{ params: a[0].parameters(), lr: 0.1 }, { params: a[2].parameters(), lr: 0.01 }], { lr: 0.1 });
  setLearningRate(opt, 1);
  const lrs = opt.paramGroups.map((g) => g.lr as number);
  assert.equal(lrs[0], 1);
  assert.ok(Math.abs(lrs[1] - 0.1) < 1e-12, `group 1 lr ${lrs[1]}`);
  assert.throws(() => setLearningRate(opt, -1), /lr must be a finite number >= 0/);
});

test('dataSanity: NaN inputs fail, raw pixel values warn, a missing class warns', () => {
  const x = new Tensor(Float32Array.from({ length: 40 }, (_, i) => (i % 7) * 40), [10, 4]);
  const y = new Tensor(Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]), [10], 'int32');
  const train = new TensorDataset(x, y, 'train');
  const valX = new Tensor(Float32Array.from({ length: 16 }, (_, i) => (i % 5) * 50), [4, 4]);
  valX.data[6] = NaN;
  const val = new TensorDataset(valX, new Tensor(Int32Array.from([0, 1, 0, 1]), [4], 'int32'), 'val');
  const r = dataSanity({ train, val });
  assert.equal(r.classification, true);
  assert.equal(r.numClasses, 3);
  assert.deepEqual(r.splits[0].classCounts, [4, 3, 3]);
  const messages = r.problems.map((p) => `${p.severity} ${p.about}: ${p.message}`);
  assert.ok(messages.includes('fail inputs: val inputs hold 1 NaN/Inf values (first in example 1)'), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('warn inputs: train inputs look unnormalized')), messages.join('\n'));
  assert.ok(messages.includes('warn targets: val has no examples of class 2'), messages.join('\n'));
});
