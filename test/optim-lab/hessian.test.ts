import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { manualSeed } from '../../src/tensor/random.js';
import {
  hessianVectorProduct, topHessianEigenvalue, lanczos, exactHessian, symmetricEigenvalues, flatGradient, getFlat, setFlat, newtonStep,
} from '../../src/optim-lab/index.js';
import { randomArray } from '../helpers.js';

/** A 3-4-2 tanh MLP (26 parameters) with a squared-error loss on 8 fixed points. */
function smallProblem() {
  manualSeed(5);
  const model = nn.sequential(nn.linear(3, 4), nn.tanh(), nn.linear(4, 2));
  const x = new Tensor(randomArray(24, 1), [8, 3]);
  const y = new Tensor(randomArray(16, 2), [8, 2]);
  const loss = () => model.call(x).sub(y).square().mean();
  return { model, params: model.parameters(), loss };
}

test('HVP equals a central finite difference of gradients, and the exact Hessian is symmetric', () => {
  const { params, loss } = smallProblem();
  const v = Float64Array.from(randomArray(26, 3));
  const hv = hessianVectorProduct(loss, params, v);
  const p0 = getFlat(params), h = 1e-2;
  setFlat(params, p0.map((p, i) => p + h * v[i])); const gp = flatGradient(loss, params);
  setFlat(params, p0.map((p, i) => p - h * v[i])); const gm = flatGradient(loss, params);
  setFlat(params, p0);
  for (let i = 0; i < 26; i++) assert.ok(Math.abs(hv[i] - (gp[i] - gm[i]) / (2 * h)) < 2e-3, `entry ${i}: ${hv[i]} vs ${(gp[i] - gm[i]) / (2 * h)}`);
  const H = exactHessian(loss, params);
  let asym = 0;
  for (let i = 0; i < 26; i++) for (let j = 0; j < 26; j++) asym = Math.max(asym, Math.abs(H[i][j] - H[j][i]));
  assert.ok(asym < 1e-5, `max |H - H^T| = ${asym}`);
});

test('power iteration and Lanczos find the exact Hessian\'s extreme eigenvalues on a small model', () => {
  const { params, loss } = smallProblem();
  const eig = symmetricEigenvalues(exactHessian(loss, params)).sort((a, b) => b - a);
  const top = eig[0], bottom = eig[eig.length - 1];
  const largestMagnitude = Math.abs(top) >= Math.abs(bottom) ? top : bottom;
  const pi = topHessianEigenvalue(loss, params, { maxIterations: 500, tol: 1e-7 });
  assert.ok(pi.converged, `power iteration did not converge in ${pi.iterations} iterations`);
  assert.ok(Math.abs(pi.value - largestMagnitude) < 1e-3 * Math.abs(largestMagnitude), `power iteration ${pi.value} vs exact ${largestMagnitude}`);
  const lz = lanczos(loss, params, { steps: 26 });
  assert.ok(Math.abs(lz.max - top) < 1e-3 * Math.abs(top), `Lanczos max ${lz.max} vs exact ${top}`);
  assert.ok(Math.abs(lz.min - bottom) < 1e-3 * Math.max(Math.abs(bottom), 1e-3), `Lanczos min ${lz.min} vs exact ${bottom}`);
  assert.ok(top > 0 && top > 10 * Math.abs(eig[12]), 'the spectrum is spread out (a meaningful test)');
});

test('symmetricEigenvalues on a matrix with known eigenvalues', () => {
  // [[2,1],[1,2]] has eigenvalues 3 and 1
  assert.deepEqual(symmetricEigenvalues([[2, 1], [1, 2]]).sort().map((v) => Number(v.toFixed(12))), [1, 3]);
});

test('Newton solves least squares in one step; damping shortens the step; condition number of a quadratic', () => {
  manualSeed(2);
  const lin = new nn.Linear(3, 1);
  const x = new Tensor(randomArray(30, 9), [10, 3]);
  const y = new Tensor(randomArray(10, 10), [10, 1]);
  const loss = () => lin.call(x).sub(y).square().mean();
  const p0 = getFlat(lin.parameters());
  const damped = newtonStep(loss, lin.parameters(), { damping: 10 });
  setFlat(lin.parameters(), p0);
  const full = newtonStep(loss, lin.parameters());
  assert.ok(damped.stepNorm < 0.5 * full.stepNorm, `damped step ${damped.stepNorm} vs full ${full.stepNorm}`);
  const g = flatGradient(loss, lin.parameters());
  assert.ok(Math.max(...g.map(Math.abs)) < 1e-5, `gradient after a full Newton step: ${Array.from(g)}`);
  // The Hessian of a mean squared error is (2/n) [X 1]^T [X 1]: positive definite, its condition
  // number from Lanczos equals the exact one.
  const eig = symmetricEigenvalues(exactHessian(loss, lin.parameters())).sort((a, b) => b - a);
  const lz = lanczos(loss, lin.parameters(), { steps: 4 });
  assert.ok(Math.abs(lz.condition - eig[0] / eig[3]) < 1e-3 * (eig[0] / eig[3]), `condition ${lz.condition} vs ${eig[0] / eig[3]}`);
  assert.throws(() => newtonStep(loss, lin.parameters(), { damping: -1 }), /damping must be >= 0/);
});
