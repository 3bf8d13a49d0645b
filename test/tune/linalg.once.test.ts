// The GP's linear algebra on a matrix with a known factor.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, choleskyInverse, choleskySolve } from '../../src/tune/linalg.js';

describe('Cholesky helpers', () => {
  // A = L Lᵀ with L = [[2,0,0],[1,3,0],[-1,2,4]].
  const A = Float64Array.from([4, 2, -2, 2, 10, 5, -2, 5, 21]);
  it('factor, solve and inverse', () => {
    assert.deepEqual([...cholesky(A, 3)!], [2, 0, 0, 1, 3, 0, -1, 2, 4]);
    const l = cholesky(A, 3)!;
    const x = choleskySolve(l, 3, [1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      const ax = A[i * 3] * x[0] + A[i * 3 + 1] * x[1] + A[i * 3 + 2] * x[2];
      assert.ok(Math.abs(ax - (i + 1)) < 1e-12);
    }
    const inv = choleskyInverse(l, 3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += A[i * 3 + k] * inv[k * 3 + j];
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12, `(A A⁻¹)[${i}][${j}] = ${s}`);
    }
  });
  it('returns null for a matrix that is not positive definite', () => {
    assert.equal(cholesky(Float64Array.from([1, 2, 2, 1]), 2), null);
  });
});
