import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parameter, Tensor } from '../../src/tensor/tensor.js';
import { Lion } from '../../src/optim/lion.js';

/**
 * Lion against its paper's rule (Chen et al. 2023, Algorithm 2) computed by hand:
 * c = b1 m + (1-b1) g; p = p - lr (sign(c) + wd p); m = b2 m + (1-b2) g.
 */

function quadratic(p: Parameter): void {
  // f(p) = 0.5 * sum(a * p^2), gradient a * p, with a = [1, 4]
  p.mul(new Tensor(Float32Array.from([1, 4]), [2])).mul(p).mul(0.5).sum().backward();
}

test('first three Lion steps on f = 0.5 (x^2 + 4 y^2) from (1, -0.5), lr 0.1, wd 0: hand-computed', () => {
  // step 1: g = (1, -2), c = 0.1 g -> sign (1, -1): p = (0.9, -0.4); m = 0.01 g = (0.01, -0.02)
  // step 2: g = (0.9, -1.6), c = 0.9 m + 0.1 g = (0.099, -0.178) -> p = (0.8, -0.3);
  //         m = 0.99 m + 0.01 g = (0.0189, -0.0358)
  // step 3: g = (0.8, -1.2), c = (0.09701, -0.15222) -> p = (0.7, -0.2)
  const p = new Parameter(new Tensor(Float32Array.from([1, -0.5]), [2]));
  const opt = new Lion([p], { lr: 0.1 });
  const want = [[0.9, -0.4], [0.8, -0.3], [0.7, -0.2]];
  for (const w of want) {
    opt.zeroGrad(); quadratic(p); opt.step();
    assert.ok(Math.abs(p.f32[0] - w[0]) < 1e-6 && Math.abs(p.f32[1] - w[1]) < 1e-6, `${Array.from(p.f32)} vs ${w}`);
  }
  const m = opt.state.get(p)!.exp_avg as Float32Array;
  // m after step 3 = 0.99 * (0.0189, -0.0358) + 0.01 * (0.8, -1.2) = (0.026711, -0.047442)
  assert.ok(Math.abs(m[0] - 0.026711) < 1e-7 && Math.abs(m[1] + 0.047442) < 1e-7, `m = ${Array.from(m)}`);
});

test('50 Lion steps with weight decay match the paper rule computed in float64 (momentum sign flips included)', () => {
  const lr = 0.03, wd = 0.5, b1 = 0.9, b2 = 0.99, a = [1, 4];
  const p = new Parameter(new Tensor(Float32Array.from([1, -0.5]), [2]));
  const opt = new Lion([p], { lr, weightDecay: wd, betas: [b1, b2] });
  const x = [1, -0.5], m = [0, 0];
  let flips = 0, prevSign = [1, -1];
  for (let t = 1; t <= 50; t++) {
    opt.zeroGrad(); quadratic(p); opt.step();
    for (let i = 0; i < 2; i++) {
      const g = a[i] * x[i];
      const c = b1 * m[i] + (1 - b1) * g;
      if (Math.sign(c) !== prevSign[i]) flips++;
      prevSign[i] = Math.sign(c);
      x[i] = x[i] - lr * (Math.sign(c) + wd * x[i]);
      m[i] = b2 * m[i] + (1 - b2) * g;
    }
    assert.ok(Math.abs(p.f32[0] - x[0]) < 1e-5 && Math.abs(p.f32[1] - x[1]) < 1e-5, `step ${t}: ${Array.from(p.f32)} vs ${x}`);
  }
  assert.ok(flips >= 2, `the trajectory should oscillate around the minimum (sign flips: ${flips})`);
});

test('Lion rejects out-of-range hyperparameters with a message naming them', () => {
  const p = new Parameter(new Tensor(Float32Array.from([1]), [1]));
  assert.throws(() => new Lion([p], { lr: -1 }), /Lion: lr must be/);
  assert.throws(() => new Lion([p], { betas: [0.9, 1] }), /Lion: betas\[1\]/);
});
