// Conversion back to JavaScript values and PyTorch-like printing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { selectBackend } from '../../src/backend/select.js';
import { tensor, arange, zeros } from '../../src/core.js';

await selectBackend();

test('toArray rebuilds the nesting; toList flattens; item reads a one-element tensor', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.toList(), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(zeros([2, 1, 2]).toArray(), [[[0, 0]], [[0, 0]]]);
  assert.equal(tensor(2.5).toArray(), 2.5);
  assert.equal(tensor(2.5).item(), 2.5);
  assert.equal(tensor([[7]]).item(), 7);
  assert.equal(tensor([1, 2, 3]).sum().item(), 6);
  assert.throws(() => t.item(), /item\(\): only one-element tensors can be converted to a number; this one has shape \(2, 3\)/);
});

test('toString prints like PyTorch: brackets, aligned columns, trailing dot for whole floats', () => {
  assert.equal(tensor([[1, 2], [3, 4]]).toString(), 'tensor([[1., 2.],\n        [3., 4.]])');
  assert.equal(tensor([0.5, 1.25]).toString(), 'tensor([0.5000, 1.2500])');
  assert.equal(tensor([-1.5, 2, 10]).toString(), 'tensor([-1.5000,  2.0000, 10.0000])');
  assert.equal(tensor(3.5).toString(), 'tensor(3.5000)');
  assert.equal(tensor([1, 2, 3], { dtype: 'int32' }).toString(), "tensor([1, 2, 3], dtype='int32')");
  assert.equal(tensor([NaN, Infinity, -Infinity, 1]).toString(), 'tensor([ nan,  inf, -inf,   1.])');
});

test('3-D tensors separate blocks with a blank line', () => {
  assert.equal(
    arange(8).float().reshape(2, 2, 2).toString(),
    'tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])',
  );
});

test('very small or very large values switch to scientific notation', () => {
  assert.equal(tensor([1e-5, 1]).toString(), 'tensor([1.0000e-5, 1.0000e+0])');
  assert.equal(tensor([1e9, 1]).toString(), 'tensor([1.0000e+9, 1.0000e+0])');
});

test('printing shows requiresGrad on leaves and the gradFn on results', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  assert.equal(x.toString(), 'tensor([1., 2.], requiresGrad=true)');
  assert.equal(x.mul(2).toString(), 'tensor([2., 4.], gradFn=<mul>)');
  assert.equal(inspect(x.add(1)), 'tensor([2., 3.], gradFn=<add>)', 'console.log uses the same format');
});

test('large tensors (over 1000 elements) are summarized with ... and three edge items', () => {
  assert.equal(arange(2000).toString(), "tensor([   0,    1,    2, ..., 1997, 1998, 1999], dtype='int32')");
  assert.ok(!arange(1000).toString().includes('...'), '1000 elements still print in full');
  const lines = arange(40 * 40).float().reshape(40, 40).toString().split('\n');
  assert.deepEqual(lines, [
    'tensor([[   0.,    1.,    2., ...,   37.,   38.,   39.],',
    '        [  40.,   41.,   42., ...,   77.,   78.,   79.],',
    '        [  80.,   81.,   82., ...,  117.,  118.,  119.],',
    '        ...,',
    '        [1480., 1481., 1482., ..., 1517., 1518., 1519.],',
    '        [1520., 1521., 1522., ..., 1557., 1558., 1559.],',
    '        [1560., 1561., 1562., ..., 1597., 1598., 1599.]])',
  ]);
});
