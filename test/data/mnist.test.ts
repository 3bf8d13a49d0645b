import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectBackend } from '../../src/backend/select.js';
import { mnist, defaultMnistDir } from '../../src/data/mnist.js';
import { Standardizer, MinMaxScaler, LeakageError } from '../../src/data/scalers.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { randomCrop, gaussianNoise, randomHorizontalFlip } from '../../src/data/transforms.js';
import { tensor, randn } from '../../src/tensor/create.js';
import { Generator } from '../../src/tensor/random.js';
import { tempDir } from '../helpers.js';

await selectBackend();

test('mnist(): validation is carved from the training file, test stays apart, scaling fitted on train only', () => {
  const d = mnist({ limitTrain: 6000, valSize: 1000, limitTest: 2000 });
  assert.equal(d.train.length, 5000);
  assert.equal(d.val.length, 1000);
  assert.equal(d.test.length, 2000);
  assert.deepEqual(d.train.x.shape, [5000, 1, 28, 28]);
  assert.equal(d.train.y.dtype, 'int32');
  const tr = new Set(d.split.trainIndices), va = new Set(d.split.valIndices);
  assert.equal(tr.size + va.size, 6000);
  for (const i of va) assert.ok(!tr.has(i), `index ${i} is in both train and validation`);
  // Standardized with train statistics: train has mean 0 and std 1 exactly, the others only roughly.
  const stats = (x: Float32Array | Int32Array) => {
    let m = 0; for (const v of x) m += v; m /= x.length;
    let s = 0; for (const v of x) s += (v - m) ** 2;
    return [m, Math.sqrt(s / (x.length - 1))];
  };
  const [mt, st] = stats(d.train.x.data);
  assert.ok(Math.abs(mt) < 1e-4 && Math.abs(st - 1) < 1e-4, `train mean ${mt}, std ${st}`);
  const [mv] = stats(d.val.x.data);
  assert.ok(Math.abs(mv) > 1e-5, 'validation statistics were not used for scaling');
  assert.ok(d.normalization && Math.abs(d.normalization.mean - 0.1307) < 0.01);
  const labels = new Set(d.train.y.data);
  assert.equal(labels.size, 10);
});

test('the same split seed gives the same split; another seed a different one', () => {
  const a = mnist({ limitTrain: 2000, valSize: 200, limitTest: 10 });
  const b = mnist({ limitTrain: 2000, valSize: 200, limitTest: 10 });
  const c = mnist({ limitTrain: 2000, valSize: 200, limitTest: 10, splitSeed: 1 });
  assert.deepEqual(Array.from(a.split.valIndices), Array.from(b.split.valIndices));
  assert.notDeepEqual(Array.from(a.split.valIndices), Array.from(c.split.valIndices));
});

test('a truncated or missing IDX file is a clear error naming the file', () => {
  const dir = tempDir('tc-idx-');
  const src = defaultMnistDir();
  for (const f of ['train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) copyFileSync(join(src, f), join(dir, f));
  assert.throws(() => mnist({ dataDir: dir }), /train-images-idx3-ubyte does not exist/);
  const full = readFileSync(join(src, 'train-images-idx3-ubyte'));
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), full.subarray(0, 100000));
  assert.throws(() => mnist({ dataDir: dir }), (e: Error) => /train-images-idx3-ubyte/.test(e.message) && /truncated|expected/i.test(e.message));
});

test('scalers refuse to fit on validation or test data, explaining leakage', () => {
  const x = randn([10, 3]);
  const y = tensor(new Int32Array(10), [10], { dtype: 'int32' });
  assert.throws(() => new Standardizer().fit(new TensorDataset(x, y, 'test')), (e: Error) => e instanceof LeakageError && /leak/.test(e.message));
  assert.throws(() => new MinMaxScaler().fit(new TensorDataset(x, y, 'val')), LeakageError);
  assert.doesNotThrow(() => new Standardizer().fit(new TensorDataset(x, y, 'train+val'), { allowValidation: true }));
  const s = new Standardizer().fit(new TensorDataset(x, y, 'train'), { perFeature: true });
  const z = s.transform(x);
  for (let f = 0; f < 3; f++) {
    let m = 0; for (let i = 0; i < 10; i++) m += z.data[i * 3 + f];
    assert.ok(Math.abs(m / 10) < 1e-5);
  }
});

test('Standardizer with one statistic for all values: the unbiased std, as torch.std, and a constant input maps to 0', () => {
  const y = tensor(new Int32Array(2), [2], { dtype: 'int32' });
  const s = new Standardizer().fit(new TensorDataset(tensor([1, 2, 3, 4], [2, 2]), y, 'train'));
  assert.equal(s.mean![0], 2.5);
  assert.equal(s.std![0], Math.fround(Math.sqrt(5 / 3)));
  assert.deepEqual(Array.from(s.transform(tensor([2.5, 4], [1, 2])).data), [0, Math.fround(1.5 / Math.fround(Math.sqrt(5 / 3)))]);
  const c = new Standardizer().fit(new TensorDataset(tensor([7, 7, 7, 7], [2, 2]), y, 'train'));
  assert.equal(c.std![0], 1);
  assert.deepEqual(Array.from(c.transform(tensor([7, 7], [1, 2])).data), [0, 0]);
});

test('augmentations change training batches only, reproducibly from the loader seed', () => {
  const x = randn([8, 1, 6, 6]);
  const ds = new TensorDataset(x, tensor(new Int32Array(8), [8], { dtype: 'int32' }), 'train');
  const aug = new DataLoader(ds, { batchSize: 8, seed: 1, transform: randomCrop(2) });
  const plain = new DataLoader(ds, { batchSize: 8, seed: 1 });
  const [a1] = [...aug.setEpoch(1)], [a2] = [...aug.setEpoch(1)], [p] = [...plain];
  assert.deepEqual(Array.from(a1.x.data), Array.from(a2.x.data));
  assert.notDeepEqual(Array.from(a1.x.data), Array.from(p.x.data));
  assert.deepEqual(Array.from(p.x.data), Array.from(x.data));
  const g = new Generator(0);
  const noisy = gaussianNoise(0.5)(x, g);
  let s = 0; for (let i = 0; i < x.size; i++) s += (noisy.data[i] - x.data[i]) ** 2;
  assert.ok(Math.abs(Math.sqrt(s / x.size) - 0.5) < 0.1);
  const flipped = randomHorizontalFlip(1)(x, g);
  assert.equal(flipped.data[0], x.data[5]);
});
