import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { Trainer } from '../../src/train/trainer.js';
import { EarlyStopping } from '../../src/train/callbacks.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { randn, tensor } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import * as nn from '../../src/nn/index.js';
import { SGD } from '../../src/optim/sgd.js';
import { crossEntropy } from '../../src/ops/loss.js';

await selectBackend();

function blobs(n: number, seed: number, name: string): TensorDataset {
  manualSeed(seed);
  const x = randn([n, 2]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    x.data[2 * i] += y[i] ? 2 : -2;
  }
  return new TensorDataset(x, tensor(y, [n], { dtype: 'int32' }), name);
}

function setup(seed = 0, opts: { accumulateSteps?: number; clipGradNorm?: number; patience?: number } = {}) {
  manualSeed(seed);
  const model = nn.sequential(nn.linear(2, 8), nn.relu(), nn.linear(8, 2));
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const trainer = new Trainer({
    model, optimizer, loss: (o, y) => crossEntropy(o, y), accumulateSteps: opts.accumulateSteps, clipGradNorm: opts.clipGradNorm,
    callbacks: opts.patience !== undefined ? [new EarlyStopping('val_loss', opts.patience)] : [],
  });
  return { model, trainer };
}

test('fit evaluates the full train and validation sets each epoch and learns separable blobs', () => {
  const { trainer } = setup();
  const r = trainer.fit({ train: blobs(256, 1, 'train'), val: blobs(128, 2, 'val') }, { epochs: 3, batchSize: 32, seed: 0 });
  assert.equal(r.history.length, 3);
  for (const h of r.history) for (const k of ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy', 'generalization_gap']) assert.ok(Number.isFinite(h[k]), k);
  assert.ok(r.history[2].val_accuracy > 0.95, `val accuracy ${r.history[2].val_accuracy}`);
  assert.equal(r.step, 3 * 8);
  assert.ok(Math.abs(r.history[2].generalization_gap - (r.history[2].train_accuracy - r.history[2].val_accuracy)) < 1e-12);
});

test('the same seed gives bit-identical training; another seed differs', () => {
  const data = { train: blobs(200, 3, 'train'), val: blobs(50, 4, 'val') };
  const a = setup(5).trainer.fit(data, { epochs: 2, batchSize: 16, seed: 9 });
  const b = setup(5).trainer.fit(data, { epochs: 2, batchSize: 16, seed: 9 });
  const c = setup(5).trainer.fit(data, { epochs: 2, batchSize: 16, seed: 10 });
  assert.equal(a.history[1].val_loss, b.history[1].val_loss);
  assert.notEqual(a.history[1].val_loss, c.history[1].val_loss);
});

test('gradient accumulation over k batches steps the optimizer once per k batches', () => {
  const r = setup(0, { accumulateSteps: 4 }).trainer.fit({ train: blobs(256, 1, 'train'), val: blobs(64, 2, 'val') }, { epochs: 1, batchSize: 16, seed: 0 });
  assert.equal(r.step, 4, '16 batches / 4 = 4 optimizer steps');
});

test('early stopping stops when the monitored metric stops improving', () => {
  // lr 0 never improves, so patience 1 stops after epoch 3 (best at 1, worse-or-equal at 2 and 3).
  const { trainer } = setup(0, { patience: 1 });
  trainer.o.optimizer.paramGroups[0].lr = 0;
  const r = trainer.fit({ train: blobs(64, 1, 'train'), val: blobs(32, 2, 'val') }, { epochs: 10, batchSize: 16, seed: 0 });
  assert.equal(r.epochsRun, 3);
  assert.ok(r.stoppedEarly);
  assert.match(r.stopReason ?? '', /val_loss has not improved/);
});

test('DataLoader reshuffles per epoch from the seed alone, and dropLast drops the partial batch', () => {
  const ds = blobs(10, 1, 'train');
  const l = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3 });
  const e1 = Array.from(l.setEpoch(1).order());
  const e2 = Array.from(l.setEpoch(2).order());
  assert.notDeepEqual(e1, e2);
  assert.deepEqual(Array.from(new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 3 }).setEpoch(1).order()), e1);
  assert.deepEqual([...e1].sort((a, b) => a - b), [...Array(10).keys()]);
  assert.equal(l.length, 3);
  assert.equal(new DataLoader(ds, { batchSize: 4, dropLast: true }).length, 2);
  const sizes = [...new DataLoader(ds, { batchSize: 4 })].map((b) => b.x.shape[0]);
  assert.deepEqual(sizes, [4, 4, 2]);
});
