import { selectBackend } from '../../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDoubleDescent, noisyLabels, type WidthSummary } from '../../../src/experiments/repro/double-descent.js';
import { addGramBlock, ridgeSolve } from '../../../src/experiments/repro/float64-solve.js';
import { cholesky } from '../../../src/tune/linalg.js';
import { Generator } from '../../../src/tensor/random.js';

test('double-descent at n = 200 (14x14 images, 2 seeds): test error peaks at N = n, well above N = n/4 and N = 10n', () => {
  const r = runDoubleDescent({ n: 200, test: 1000, noise: 0.2, seeds: 2, maxRatio: 10, pool: 1 });
  const rows = (r.data as { rows: WidthSummary[] }).rows;
  const at = (ratio: number) => rows.find((x) => Math.abs(x.ratio - ratio) < 1e-9)!;
  const peak = rows.reduce((a, b) => (b.testError.mean > a.testError.mean ? b : a));
  assert.ok(peak.ratio >= 1 / 1.5 && peak.ratio <= 1.5, `peak at N = ${peak.width}, not within a factor 1.5 of n = 200`);
  assert.ok(peak.testError.mean - at(0.25).testError.mean >= 0.05, `peak ${peak.testError.mean} vs n/4 ${at(0.25).testError.mean}`);
  assert.ok(peak.testError.mean - at(10).testError.mean >= 0.05, `peak ${peak.testError.mean} vs 10n ${at(10).testError.mean}`);
  // Past the threshold the model interpolates the noisy labels; below it, it cannot.
  for (const row of rows.filter((x) => x.width > 200)) assert.equal(row.trainError.mean, 0, `N = ${row.width} fits every noisy label`);
  assert.ok(at(0.25).trainError.mean > 0.1, `N = n/4 cannot fit 20% noise: train error ${at(0.25).trainError.mean}`);
  // The squared loss and the weight norm blow up at the threshold (the minimum-norm solution's norm is largest there).
  const normPeak = rows.reduce((a, b) => (b.weightNorm.mean > a.weightNorm.mean ? b : a));
  assert.equal(normPeak.width, 200);
  assert.ok(at(1).testLoss.mean > 5 * Math.max(at(0.25).testLoss.mean, at(10).testLoss.mean), `test loss at n ${at(1).testLoss.mean}`);
  assert.equal(r.held, true, r.evidence.join('\n'));
  assert.ok(r.plots['test-error.svg'].startsWith('<svg') && r.plots['test-error.svg'].includes('N = n = 200'));
});

test('noisyLabels replaces exactly round(noise * n) labels, each by a different class', () => {
  const y = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
  const { labels, flipped } = noisyLabels(y, 0.15, new Generator(3));
  assert.equal(flipped, 150);
  assert.equal(labels.filter((v, i) => v !== y[i]).length, 150);
  assert.ok(labels.every((v) => v >= 0 && v < 10));
});

test('float64 kernels: the blocked Gram matches dot products, the blocked Cholesky the plain one, ridgeSolve solves', () => {
  const g = new Generator(1);
  for (const [rows, cols] of [[7, 13], [10, 1030], [1, 5]]) {
    const f = Float64Array.from({ length: rows * cols }, () => g.normal());
    const gram = new Float64Array(rows * rows);
    addGramBlock(gram, f, rows, cols, 0, 3);
    addGramBlock(gram, f, rows, cols, 3, cols); // in two column blocks, as widths grow
    for (let i = 0; i < rows; i++) for (let k = 0; k <= i; k++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += f[i * cols + j] * f[k * cols + j];
      assert.ok(Math.abs(gram[i * rows + k] - s) < 1e-9 * cols, `G[${i}][${k}] ${gram[i * rows + k]} vs ${s}`);
      if (k < i) assert.equal(gram[k * rows + i], 0, 'the upper triangle is left alone');
    }
  }
  const n = 9;
  const x = Float64Array.from({ length: n * 12 }, () => g.normal());
  const a = new Float64Array(n * n);
  addGramBlock(a, x, n, 12, 0, 12);
  for (let i = 0; i < n; i++) for (let k = 0; k < i; k++) a[k * n + i] = a[i * n + k];
  // n = 9: the four-row blocks and the leftover rows of the factorization both run.
  const l = cholesky(a, n)!;
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    if (k > i) { assert.equal(l[i * n + k], 0, 'L is lower triangular'); continue; }
    let s = 0;
    for (let j = 0; j <= k; j++) s += l[i * n + j] * l[k * n + j];
    assert.ok(Math.abs(s - a[i * n + k]) < 1e-9 * (1 + Math.abs(a[i * n + k])), `(L Lᵀ)[${i}][${k}] ${s} vs ${a[i * n + k]}`);
  }
  const b = Float64Array.from({ length: n * 2 }, () => g.normal());
  const { x: sol, lambda } = ridgeSolve(a, n, b, 2, 1e-12);
  assert.equal(lambda, 1e-12);
  for (let i = 0; i < n; i++) for (let c = 0; c < 2; c++) {
    let s = lambda * sol[i * 2 + c];
    for (let k = 0; k < n; k++) s += a[i * n + k] * sol[k * 2 + c];
    assert.ok(Math.abs(s - b[i * 2 + c]) < 1e-9, `row ${i}: ${s} vs ${b[i * 2 + c]}`);
  }
  // Not positive definite (one eigenvalue -1e-6): the ridge is raised tenfold until it factors.
  const indefinite = new Float64Array(n * n);
  for (let i = 0; i < n; i++) indefinite[i * n + i] = i === 4 ? -1e-6 : 1;
  const raised = ridgeSolve(indefinite, n, b, 2, 1e-9).lambda;
  assert.ok(Math.abs(raised - 1e-5) < 1e-15, `lambda raised to ${raised}`);
  assert.throws(() => ridgeSolve(a, n, b, 2, 0), /lambda must be positive/);
});
