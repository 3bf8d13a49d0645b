// Broadcasting and reshaping: the result shapes torch gives, and errors that name the op and
// both shapes so a shape bug can be fixed from the message alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { tensor, zeros, arange, where, ShapeError } from '../../src/core.js';

await selectBackend();

test('broadcasting aligns shapes from the right; size-1 dims stretch', () => {
  assert.deepEqual(zeros([3, 4]).add(zeros([4])).shape, [3, 4]);
  assert.deepEqual(zeros([3, 1]).mul(zeros([1, 4])).shape, [3, 4]);
  assert.deepEqual(zeros([2, 1, 4]).sub(zeros([3, 1])).shape, [2, 3, 4]);
  assert.deepEqual(zeros([5]).div(zeros([])).shape, [5]);
  assert.deepEqual(zeros([]).add(zeros([2, 2])).shape, [2, 2]);
  const t = tensor([[1], [2]]).add(tensor([10, 20, 30]));
  assert.deepEqual(t.toArray(), [[11, 21, 31], [12, 22, 32]]);
});

test('incompatible broadcasting is a ShapeError naming the op and both shapes', () => {
  const cases: Array<[() => unknown, string, string, string]> = [
    [() => zeros([2, 3]).add(zeros([4])), 'add', '(2, 3)', '(4,)'],
    [() => zeros([2, 3]).mul(zeros([3, 2])), 'mul', '(2, 3)', '(3, 2)'],
    [() => zeros([5, 1, 3]).sub(zeros([2, 4])), 'sub', '(5, 1, 3)', '(2, 4)'],
    [() => zeros([3]).div(zeros([2])), 'div', '(3,)', '(2,)'],
  ];
  for (const [fn, op, a, b] of cases) {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof ShapeError, `expected a ShapeError, got ${String(e)}`);
      assert.ok(e.message.startsWith(`${op}: shapes ${a} and ${b} cannot broadcast`), e.message);
      assert.match(e.message, /sizes must match or one must be 1/);
      return true;
    });
  }
  assert.throws(() => where(zeros([2]), zeros([3]), 0), /where: shapes \(2,\) and \(3,\) cannot broadcast/);
});

test('reshape infers one -1 and keeps the row-major order', () => {
  const x = arange(24).float();
  assert.deepEqual(x.reshape(2, 3, 4).shape, [2, 3, 4]);
  assert.deepEqual(x.reshape(-1, 4).shape, [6, 4]);
  assert.deepEqual(x.reshape([2, -1, 3]).shape, [2, 4, 3]);
  assert.deepEqual((x.reshape(4, 6).toArray() as number[][])[1], [6, 7, 8, 9, 10, 11]);
  assert.deepEqual(zeros([1, 1]).reshape([]).shape, []);
  assert.deepEqual(x.view(3, 8).shape, [3, 8]);
});

test('reshape errors say what could not be reshaped and why', () => {
  const x = zeros([2, 3, 4]);
  assert.throws(() => x.reshape(5, -1), (e: unknown) => {
    assert.ok(e instanceof ShapeError);
    assert.equal(e.message, 'reshape: cannot reshape (2, 3, 4) (24 elements) to (5, -1): 24 is not divisible by 5');
    return true;
  });
  assert.throws(() => x.reshape(5, 5), /reshape: cannot reshape \(2, 3, 4\) \(24 elements\) to \(5, 5\) \(25 elements\)/);
  assert.throws(() => x.reshape(-1, -1), /only one dimension can be -1, got \(-1, -1\)/);
  assert.throws(() => x.reshape(-2, -12), /invalid size -2/);
});

test('shape-op errors name the op and the offending dim or shape', () => {
  const x = zeros([2, 3]);
  assert.throws(() => x.sum(2), /sum: dim 2 is out of range for a tensor of rank 2 \(valid: -2 to 1\)/);
  assert.throws(() => x.permute(0), /permute: got 1 dims/);
  assert.throws(() => x.permute(0, 0), /repeat an axis/);
  assert.throws(() => x.expand(4, 3, 2), /expand: dimension 1 of \(2, 3\) has size 2, which cannot expand to 3/);
  assert.throws(() => tensor([1, 2]).expand(-1, 2), /expand: -1 \(keep the size\) is not allowed for the new leading dimension 0 in \(-1, 2\)/);
  assert.throws(() => x.narrow(1, 2, 2), /narrow: \[2, 4\) is outside dimension 1 of size 3/);
  assert.throws(() => x.select(0, 2), /select: index 2 is out of range for dimension 0 of size 2/);
  assert.throws(() => zeros([2, 3, 4]).t(), /t\(\): expects a 2-D tensor, got shape \(2, 3, 4\)/);
  assert.throws(() => zeros([2, 3]).split([1, 1], 1), /split: sections \(1, 1\) do not add up to 3, the size of dimension 1/);
});

test('views and copies: reshape shares data, permute/transpose copy in the permuted order', () => {
  const x = arange(6).float().reshape(2, 3);
  const v = x.reshape(3, 2);
  assert.equal(v.data, x.data, 'reshape is a view');
  const t = x.transpose(0, 1);
  assert.deepEqual(t.shape, [3, 2]);
  assert.deepEqual(t.toArray(), [[0, 3], [1, 4], [2, 5]]);
  assert.deepEqual(x.T.toArray(), t.toArray());
  const p = arange(24).float().reshape(2, 3, 4).permute(2, 0, 1);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.deepEqual((p.toArray() as number[][][])[1], [[1, 5, 9], [13, 17, 21]]);
  assert.deepEqual(x.unsqueeze(0).unsqueeze(-1).shape, [1, 2, 3, 1]);
  assert.deepEqual(zeros([1, 2, 1, 3]).squeeze().shape, [2, 3]);
  assert.deepEqual(zeros([1, 2, 1, 3]).squeeze(2).shape, [1, 2, 3]);
  assert.deepEqual(zeros([1, 2]).squeeze(1).shape, [1, 2], 'squeezing a dim that is not 1 leaves the shape');
  assert.deepEqual(zeros([2, 3, 4, 5]).flatten(1).shape, [2, 60]);
  assert.deepEqual(zeros([2, 3, 4, 5]).flatten(1, 2).shape, [2, 12, 5]);
  assert.deepEqual(tensor([1, 2]).expand(3, -1).toArray(), [[1, 2], [1, 2], [1, 2]]);
});

test('slice follows Python slicing: negative bounds, clamping, steps', () => {
  const x = arange(10).float();
  assert.deepEqual(x.slice(0, 2, 8, 3).toList(), [2, 5]);
  assert.deepEqual(x.slice(0, -3).toList(), [7, 8, 9]);
  assert.deepEqual(x.slice(0, 0, -7).toList(), [0, 1, 2]);
  assert.deepEqual(x.slice(0, 8, 100).toList(), [8, 9]);
  assert.deepEqual(x.slice(0, 5, 2).toList(), []);
  assert.throws(() => x.slice(0, 0, 5, 0), /step must be a positive integer/);
});
