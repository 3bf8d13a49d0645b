import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataLoader } from '../../src/data/loader.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { Tensor } from '../../src/tensor/tensor.js';

const dataset = (n: number): TensorDataset =>
  new TensorDataset(new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n, 1]), new Tensor(new Int32Array(n), [n], 'int32'));

test('endless: epoch after epoch, each in the order setEpoch(e) gives, tagged with its epoch', () => {
  const loader = new DataLoader(dataset(10), { batchSize: 4, shuffle: true, seed: 3, dropLast: true });
  const seen: Array<{ epoch: number; first: number }> = [];
  const it = loader.endless(5);
  for (let i = 0; i < 7; i++) {
    const b = it.next().value;
    seen.push({ epoch: b.epoch, first: b.x.data[0] });
  }
  assert.deepEqual(seen.map((s) => s.epoch), [5, 5, 6, 6, 7, 7, 8]);
  const expected: number[] = [];
  for (const e of [5, 6, 7, 8]) for (const b of new DataLoader(dataset(10), { batchSize: 4, shuffle: true, seed: 3, dropLast: true }).setEpoch(e)) expected.push(b.x.data[0]);
  assert.deepEqual(seen.map((s) => s.first), expected.slice(0, 7));
  // Epochs differ in order (a loader that ignored the epoch would repeat itself).
  assert.notDeepEqual(expected.slice(0, 2), expected.slice(2, 4));
});

test('endless: a dataset with no full batch is an error, not an endless loop', () => {
  const loader = new DataLoader(dataset(3), { batchSize: 4, dropLast: true });
  assert.throws(() => loader.endless().next(), /no batch to repeat/);
});
