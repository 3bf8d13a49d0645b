import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../../src/backend/select.js';
import { Trainer, type FitResult } from '../../src/train/trainer.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { randn, tensor } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import * as nn from '../../src/nn/index.js';
import { Adam } from '../../src/optim/adam.js';
import { LRScheduler, cosineSchedule } from '../../src/optim/schedules.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { Run } from '../../src/track/run-store.js';
import { tempDir } from '../helpers.js';

await selectBackend();

function blobs(n: number, seed: number, name: string): TensorDataset {
  manualSeed(seed);
  const x = randn([n, 4]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) { y[i] = i % 2; x.data[4 * i] += y[i] ? 1 : -1; }
  return new TensorDataset(x, tensor(y, [n], { dtype: 'int32' }), name);
}
const data = {
  train: blobs(256, 1, 'train'), val: blobs(64, 2, 'val'),
  // An augmentation with its own generator: resuming mid-epoch must replay its draws for skipped batches.
  trainTransform: (x: ReturnType<typeof randn>, g: { normal(): number }) => {
    const out = x.clone();
    for (let i = 0; i < out.data.length; i++) out.data[i] += 0.1 * g.normal();
    return out;
  },
};
const epochs = 3, batchSize = 16; // 16 batches, 8 optimizer steps (2 accumulated) per epoch

function setup(modelSeed: number, run: Run, extra: Partial<ConstructorParameters<typeof Trainer>[0]> = {}) {
  manualSeed(modelSeed);
  const model = nn.sequential(nn.linear(4, 16), nn.relu(), nn.dropout(0.3), nn.linear(16, 2));
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  const scheduler = new LRScheduler(optimizer, cosineSchedule(epochs * 8));
  return new Trainer({
    model, optimizer, scheduler, schedulerInterval: 'step', loss: (o, y) => crossEntropy(o, y), accumulateSteps: 2, run,
    checkpointEvery: { steps: 3 }, keepStepCheckpoints: 2, ...extra,
  });
}

const weights = (t: Trainer) => t.o.model.parameters().flatMap((p) => Array.from(p.data));
const strip = (r: FitResult) => r.history.map(({ epoch_seconds: _s, samples_per_second: _p, ...h }) => h);

test('a run stopped mid-epoch (requestStop) and resumed from its step checkpoint ends bit-identical to the uninterrupted run', () => {
  const full = setup(0, Run.create(tempDir('full-'), { experiment: 'blobs', hparams: {}, seed: 0, backend: 'x', versions: {} }));
  manualSeed(42);
  const a = full.fit(data, { epochs, batchSize, seed: 7 });
  assert.equal(a.interrupted, false);

  const run = Run.create(tempDir('stop-'), { experiment: 'blobs', hparams: {}, seed: 0, backend: 'x', versions: {} });
  let stopper: Trainer | null = null;
  const first = setup(0, run, { onBatch: (b) => { if (b.epoch === 2 && b.batch === 5) stopper!.requestStop(); } });
  stopper = first;
  manualSeed(42);
  const b = first.fit(data, { epochs, batchSize, seed: 7 });
  assert.equal(b.interrupted, true);
  assert.equal(b.step, 8 + 3, 'finished the accumulation window: stopped after batch 6 of epoch 2, step 11');
  const ckpt = loadCheckpoint(run.checkpointsDir);
  assert.deepEqual(ckpt.trainer.inEpoch && [ckpt.trainer.inEpoch.epoch, ckpt.trainer.inEpoch.batch], [2, 6]);
  assert.equal(ckpt.trainer.epoch, 1);

  // A fresh process would build the model from another RNG state: the checkpoint must restore everything.
  const resumed = setup(123, run);
  manualSeed(999);
  const c = resumed.fit(data, { epochs, batchSize, seed: 7, resume: ckpt });
  assert.equal(c.interrupted, false);
  assert.equal(c.step, a.step);
  assert.deepEqual(strip(c), strip(a));
  assert.deepEqual(weights(resumed), weights(full));
});

test('fitAsync (yielding to the event loop after every batch) gives the numbers fit gives; retention keeps 2 step checkpoints', async () => {
  const mk = () => Run.create(tempDir('async-'), { experiment: 'blobs', hparams: {}, seed: 0, backend: 'x', versions: {} });
  const sync = setup(0, mk());
  manualSeed(42);
  const a = sync.fit(data, { epochs, batchSize, seed: 7 });
  let yields = 0;
  const run = mk();
  const asyncT = setup(0, run, { yieldEveryMs: 0, onYield: () => { yields++; } });
  manualSeed(42);
  const b = await asyncT.fitAsync(data, { epochs, batchSize, seed: 7 });
  assert.equal(yields, epochs * 16, 'one yield per batch at yieldEveryMs 0');
  assert.deepEqual(strip(b), strip(a));
  assert.deepEqual(weights(asyncT), weights(sync));
  const dirs = readdirSync(run.checkpointsDir).filter((d) => !d.endsWith('.json')).sort();
  // Step checkpoints at steps 3, 6, 9, 12, 15, 18, 21 (24 is an epoch's end): the newest two stay,
  // with the newest epoch checkpoint and the one best.json points at.
  const best = (JSON.parse(readFileSync(join(run.checkpointsDir, 'best.json'), 'utf8')) as { dir: string }).dir;
  assert.deepEqual(dirs, [...new Set([best, 'epoch-0003', 'step-000000018', 'step-000000021'])].sort());
});
