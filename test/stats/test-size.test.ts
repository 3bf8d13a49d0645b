// Test-set size planning. The sizes below were re-derived by an independent Python scan
// (Wilson/Wald with math only, Clopper-Pearson with scipy.stats.beta.ppf, k = floor(p·n + 1/2)).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testSizeForWidth, intervalWidthTable, binomialInterval, normalQuantile } from '../../src/stats/index.js';
import { near, throwsWith } from './helpers.js';

describe('testSizeForWidth', () => {
  it('finds the sizes an independent scan finds', () => {
    assert.equal(testSizeForWidth({ accuracy: 0.9, width: 0.02 }), 3461);
    assert.equal(testSizeForWidth({ accuracy: 0.9, width: 0.02, method: 'clopper-pearson' }), 3554);
    assert.equal(testSizeForWidth({ accuracy: 0.9, width: 0.02, method: 'normal' }), 3454);
    assert.equal(testSizeForWidth({ accuracy: 0.5, width: 0.01 }), 38411);
    assert.equal(testSizeForWidth({ accuracy: 0.99, width: 0.005, method: 'clopper-pearson' }), 6503);
    assert.equal(testSizeForWidth({ accuracy: 1, width: 0.01 }), 381);
    assert.equal(testSizeForWidth({ accuracy: 0, width: 0.01, method: 'clopper-pearson' }), 368);
  });
  it('agrees with the normal-approximation planning formula n ≈ z² p(1-p) / (w/2)²', () => {
    // Solving z·sqrt(p(1-p)/n) = w/2 for n; for p = 0.9, w = 0.02: 3.8415 · 0.09 / 0.0001 = 3457.3.
    const z = normalQuantile(0.975);
    const approx = (4 * z * z * 0.9 * 0.1) / 0.02 ** 2;
    near(approx, 3457.3, 'Wald approximation', 0.05);
    assert.ok(Math.abs(testSizeForWidth({ accuracy: 0.9, width: 0.02, method: 'normal' }) - approx) < 5);
  });
  it('returns the first n that meets the width', () => {
    for (const [accuracy, width] of [[0.8, 0.05], [0.95, 0.03], [0.999, 0.01], [0.5, 0.1]]) {
      for (const method of ['wilson', 'clopper-pearson'] as const) {
        const n = testSizeForWidth({ accuracy, width, method });
        const at = (m: number) => { const r = binomialInterval(Math.round(accuracy * m), m, { method }); return r.hi - r.lo; };
        assert.ok(at(n) <= width, `${method} ${accuracy}: width at n = ${n} is ${at(n)}`);
        for (let m = 1; m < n; m++) assert.ok(at(m) > width, `${method} ${accuracy}: n = ${m} < ${n} already meets ${width}`);
      }
    }
  });
  it('needs more data for a tighter interval or a higher level', () => {
    const a = testSizeForWidth({ accuracy: 0.9, width: 0.04 });
    const b = testSizeForWidth({ accuracy: 0.9, width: 0.02 });
    const c = testSizeForWidth({ accuracy: 0.9, width: 0.04, level: 0.99 });
    assert.ok(b > 3.5 * a && b < 4.5 * a, `halving the width should need ~4x the data (${a} -> ${b})`);
    assert.ok(c > a);
  });
  it('rejects bad input', () => {
    throwsWith(() => testSizeForWidth({ accuracy: 1.2, width: 0.02 }), ['testSizeForWidth', 'accuracy', 'between 0 and 1', 'got 1.2']);
    throwsWith(() => testSizeForWidth({ accuracy: 0.9, width: 0 }), ['width', '(0, 1]', 'got 0']);
    throwsWith(() => testSizeForWidth({ accuracy: 0.9, width: 0.02, level: 2 }), ['level', 'got 2']);
    throwsWith(() => testSizeForWidth({ accuracy: 0.9, width: 0.02, method: 'exact' as 'wilson' }), ['method', '"exact"']);
    throwsWith(() => testSizeForWidth({ accuracy: 1, width: 0.02, method: 'normal' }), ['accuracy', "use 'wilson'", 'got 1']);
    throwsWith(() => testSizeForWidth({ accuracy: 0.5, width: 0.001, maxN: 1000 }), ['no n <= maxN = 1000']);
  });
});

describe('intervalWidthTable', () => {
  it('has one row per accuracy and one width per size, equal to the interval widths', () => {
    const sizes = [100, 1000, 10000];
    const rows = intervalWidthTable([0.5, 0.9, 0.99], sizes);
    assert.equal(rows.length, 3);
    rows.forEach((row) => {
      assert.equal(row.widths.length, sizes.length);
      row.widths.forEach((w, j) => {
        const r = binomialInterval(Math.round(row.accuracy * sizes[j]), sizes[j]);
        near(w, r.hi - r.lo, `width ${row.accuracy} @ ${sizes[j]}`, 1e-15);
      });
      assert.ok(row.widths[0] > row.widths[1] && row.widths[1] > row.widths[2], 'widths shrink with n');
    });
    // 4 decimals, from the Wilson formula (math-only Python): 0.9 @ 1000 -> 0.0372, 0.99 @ 10000 -> 0.0039
    near(rows[1].widths[1], 0.0372, 'Wilson width 900/1000');
    near(rows[2].widths[2], 0.0039, 'Wilson width 9900/10000');
  });
  it('honours level and method, and rejects bad sizes', () => {
    const w95 = intervalWidthTable([0.9], [500])[0].widths[0];
    const w99 = intervalWidthTable([0.9], [500], 0.99)[0].widths[0];
    const cp = intervalWidthTable([0.9], [500], 0.95, 'clopper-pearson')[0].widths[0];
    assert.ok(w99 > w95 && cp > w95);
    throwsWith(() => intervalWidthTable([0.9], [0]), ['intervalWidthTable', 'sizes[0]', 'integer >= 1', 'got 0']);
    throwsWith(() => intervalWidthTable([-0.1], [10]), ['accuracies[0]', 'got -0.1']);
  });
});
