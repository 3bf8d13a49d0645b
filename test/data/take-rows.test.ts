// A batch is its rows, copied in the order asked for (repeats included), whichever backend
// gathers them; bad indices are errors that name the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { TensorDataset, takeRows } from '../../src/data/dataset.js';

test('takeRows: float rows (the backend gather), int32 rows and single-value rows, in the order given', () => {
  const x = new Tensor(Float32Array.from({ length: 5 * 2 * 3 }, (_, i) => i + 0.5), [5, 2, 3]);
  const y = new Tensor(Int32Array.from([10, 11, 12, 13, 14]), [5], 'int32');
  const ds = new TensorDataset(x, y);
  const b = ds.rows(Int32Array.from([4, 0, 4, 2]));
  assert.deepEqual(b.x.shape, [4, 2, 3]);
  const want = [4, 0, 4, 2].flatMap((r) => Array.from({ length: 6 }, (_, i) => r * 6 + i + 0.5));
  assert.deepEqual(Array.from(b.x.data), want);
  assert.deepEqual(Array.from(b.y.data), [14, 10, 14, 12]);
  assert.equal(b.y.dtype, 'int32');
  // Indices as a plain array, and a float tensor with one value per row.
  const v = takeRows(new Tensor(Float32Array.from([1.5, 2.5, 3.5]), [3]), [2, 1]);
  assert.deepEqual(Array.from(v.data), [3.5, 2.5]);
  const m = takeRows(new Tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [3, 2], 'int32'), [1, 1]);
  assert.deepEqual(Array.from(m.data), [3, 4, 3, 4]);
  assert.equal(takeRows(x, []).size, 0);
});

test('takeRows: an index out of range, negative or fractional is a RangeError naming it', () => {
  const x = new Tensor(new Float32Array(12), [4, 3]);
  assert.throws(() => takeRows(x, [0, 4]), /takeRows: index 4 is out of range for 4 rows/);
  assert.throws(() => takeRows(x, [-1]), /takeRows: index -1 is out of range for 4 rows/);
  assert.throws(() => takeRows(x, [1.5]), /takeRows: index 1.5 is out of range for 4 rows/);
});
