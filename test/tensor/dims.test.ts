// Named shape assertions: x.dims('b c h w') checks the rank, binds names to sizes and insists a
// name means the same size everywhere it appears (within a call, and across calls in a dimScope).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { zeros, dimScope, ShapeError } from '../../src/core.js';

await selectBackend();

test('dims binds each name to its size and returns the sizes', () => {
  const [b, c, h, w] = zeros([2, 3, 4, 5]).dims('b c h w');
  assert.deepEqual([b, c, h, w], [2, 3, 4, 5]);
  assert.deepEqual(zeros([7]).dims('  n  '), [7], 'whitespace is free');
});

test('a rank mismatch names the pattern, the expected rank and the actual shape', () => {
  assert.throws(() => zeros([2, 3]).dims('b c h w'), (e: unknown) => {
    assert.ok(e instanceof ShapeError);
    assert.equal(e.message, "dims('b c h w'): expected rank 4 but the tensor has shape (2, 3) (rank 2)");
    return true;
  });
});

test('numbers pin sizes and _ accepts anything', () => {
  assert.deepEqual(zeros([8, 1, 28, 28]).dims('b 1 28 28'), [8, 1, 28, 28]);
  assert.deepEqual(zeros([8, 3, 5]).dims('_ _ k'), [8, 3, 5]);
  assert.throws(() => zeros([8, 3, 28, 28]).dims('b 1 28 28'), /dims\('b 1 28 28'\): dimension 1 must be 1 but is 3 in shape \(8, 3, 28, 28\)/);
});

test('a name repeated within one pattern must have one size', () => {
  assert.deepEqual(zeros([4, 4]).dims('n n'), [4, 4]);
  assert.throws(() => zeros([4, 5]).dims('n n'), /'n' is 5 at dimension 1 of shape \(4, 5\) but was bound to 4 earlier in this pattern/);
});

test('inside dimScope, names agree across calls; outside, each call stands alone', () => {
  const x = zeros([16, 3, 8, 8]);
  const logits = zeros([16, 10]);
  const result = dimScope(() => {
    const [b] = x.dims('b c h w');
    logits.dims('b k');
    return b;
  });
  assert.equal(result, 16, 'dimScope returns fn\'s value');
  assert.throws(
    () => dimScope(() => { x.dims('b c h w'); zeros([15, 10]).dims('b k'); }),
    (e: unknown) => {
      assert.ok(e instanceof ShapeError);
      assert.match(e.message, /dims\('b k'\): 'b' is 15 at dimension 0 of shape \(15, 10\) but was bound to 16 earlier in this dimScope/);
      return true;
    },
  );
  // Outside a scope (and after one ended) nothing carries over.
  x.dims('b c h w');
  assert.deepEqual(zeros([15, 10]).dims('b k'), [15, 10]);
});

test('nested scopes start fresh and the outer binding survives the inner scope', () => {
  dimScope(() => {
    zeros([4, 2]).dims('b d');
    dimScope(() => { zeros([9]).dims('b'); });
    assert.throws(() => zeros([5]).dims('b'), /bound to 4 earlier in this dimScope/);
  });
});
