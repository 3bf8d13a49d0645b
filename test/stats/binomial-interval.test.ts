// Confidence intervals for a proportion. Published reference: Newcombe RG (1998), "Two-sided confidence
// intervals for the single proportion: comparison of seven methods", Statistics in Medicine 17:857-872,
// Table I (95% intervals for 81/263, 15/148, 0/20, 1/29). Every value was re-derived independently
// (python3: Wilson/Wald formulas with math only; exact limits with scipy.stats.beta.ppf) before use.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  wilsonInterval, clopperPearsonInterval, normalInterval, binomialInterval, normalQuantile,
} from '../../src/stats/index.js';
import { near, throwsWith } from './helpers.js';

describe('published 95% intervals (Newcombe 1998, Table I)', () => {
  it('81/263', () => {
    const w = wilsonInterval(81, 263);
    near(w.lo, 0.2553, 'Wilson lo, 81/263 (Newcombe Table I, method 3)');
    near(w.hi, 0.3662, 'Wilson hi, 81/263 (Newcombe Table I, method 3)');
    const e = clopperPearsonInterval(81, 263);
    near(e.lo, 0.2527, 'exact lo, 81/263 (Newcombe Table I, method 5)');
    near(e.hi, 0.3676, 'exact hi, 81/263 (Newcombe Table I, method 5)');
    const n = normalInterval(81, 263);
    near(n.lo, 0.2522, 'Wald lo, 81/263 (Newcombe Table I, method 1)');
    near(n.hi, 0.3638, 'Wald hi, 81/263 (Newcombe Table I, method 1)');
    near(w.estimate, 0.3080, 'estimate 81/263');
  });
  it('15/148', () => {
    const w = wilsonInterval(15, 148);
    near(w.lo, 0.0624, 'Wilson lo, 15/148 (Newcombe Table I)');
    near(w.hi, 0.1605, 'Wilson hi, 15/148 (Newcombe Table I)');
    const e = clopperPearsonInterval(15, 148);
    near(e.lo, 0.0578, 'exact lo, 15/148 (Newcombe Table I)');
    near(e.hi, 0.1617, 'exact hi, 15/148 (Newcombe Table I)');
    const n = normalInterval(15, 148);
    near(n.lo, 0.0527, 'Wald lo, 15/148 (Newcombe Table I)');
    near(n.hi, 0.1500, 'Wald hi, 15/148 (Newcombe Table I)');
  });
  it('0/20', () => {
    const w = wilsonInterval(0, 20);
    assert.equal(w.lo, 0);
    near(w.hi, 0.1611, 'Wilson hi, 0/20 (Newcombe Table I)');
    const e = clopperPearsonInterval(0, 20);
    assert.equal(e.lo, 0);
    near(e.hi, 0.1684, 'exact hi, 0/20 (Newcombe Table I)');
    // Newcombe's point about Wald: at k = 0 it degenerates to a zero-width interval.
    const n = normalInterval(0, 20);
    assert.equal(n.lo, 0);
    assert.equal(n.hi, 0);
  });
  it('1/29', () => {
    const w = wilsonInterval(1, 29);
    near(w.lo, 0.0061, 'Wilson lo, 1/29 (Newcombe Table I)');
    near(w.hi, 0.1718, 'Wilson hi, 1/29 (Newcombe Table I)');
    const e = clopperPearsonInterval(1, 29);
    near(e.lo, 0.0009, 'exact lo, 1/29 (Newcombe Table I)');
    near(e.hi, 0.1776, 'exact hi, 1/29 (Newcombe Table I)');
    // Wald overshoots below 0 here, one of the aberrations Newcombe (1998) points out; computed directly,
    // 1/29 ± 1.959964 · sqrt((1/29)(28/29)/29) = -0.0319 to 0.1009. We clip to [0, 1].
    const n = normalInterval(1, 29);
    assert.equal(n.lo, 0);
    near(n.hi, 0.1009, 'Wald hi, 1/29');
  });
  it('5/25 exact limits 0.068 to 0.407 (Conover 1999, Practical Nonparametric Statistics, 3rd ed., binomial confidence-limit table; worked example at influentialpoints.com, "Confidence intervals of proportions")', () => {
    const e = clopperPearsonInterval(5, 25);
    near(e.lo, 0.068, 'exact lo, 5/25 (Conover table, 3 decimals)', 5e-4);
    near(e.hi, 0.407, 'exact hi, 5/25 (Conover table, 3 decimals)', 5e-4);
    near(e.lo, 0.0683, 'exact lo, 5/25 (4 decimals, scipy.stats.beta.ppf)');
    near(e.hi, 0.4070, 'exact hi, 5/25 (4 decimals, scipy.stats.beta.ppf)');
  });
});

describe('closed forms at the edges', () => {
  it('k = 0 and k = n', () => {
    for (const n of [1, 5, 20, 263, 10000]) {
      const z = normalQuantile(0.975);
      // Clopper-Pearson: hi(0, n) = 1 - (α/2)^(1/n), lo(n, n) = (α/2)^(1/n) (Clopper & Pearson 1934)
      near(clopperPearsonInterval(0, n).hi, 1 - 0.025 ** (1 / n), `CP hi(0, ${n})`, 1e-12);
      near(clopperPearsonInterval(n, n).lo, 0.025 ** (1 / n), `CP lo(${n}, ${n})`, 1e-12);
      assert.equal(clopperPearsonInterval(n, n).hi, 1);
      // Wilson: hi(0, n) = z² / (n + z²)
      near(wilsonInterval(0, n).hi, (z * z) / (n + z * z), `Wilson hi(0, ${n})`, 1e-14);
      assert.equal(wilsonInterval(n, n).hi, 1);
      assert.equal(wilsonInterval(0, n).lo, 0);
    }
  });
});

describe('properties', () => {
  const methods = ['wilson', 'clopper-pearson', 'normal'] as const;
  it('every interval lies in [0, 1] and contains the estimate', () => {
    for (const method of methods) {
      for (const n of [1, 2, 7, 30, 101, 1000]) {
        for (let k = 0; k <= n; k += Math.max(1, Math.floor(n / 37))) {
          const r = binomialInterval(k, n, { method });
          assert.ok(r.lo >= 0 && r.hi <= 1 && r.lo <= r.estimate && r.estimate <= r.hi,
            `${method} ${k}/${n}: [${r.lo}, ${r.hi}] should contain ${r.estimate}`);
        }
      }
    }
  });
  it('is symmetric: interval(n-k) = 1 - interval(k)', () => {
    for (const method of methods) {
      for (const [k, n] of [[0, 10], [3, 10], [81, 263], [1, 29]]) {
        const a = binomialInterval(k, n, { method });
        const b = binomialInterval(n - k, n, { method });
        near(a.lo, 1 - b.hi, `${method} symmetry lo ${k}/${n}`, 1e-12);
        near(a.hi, 1 - b.lo, `${method} symmetry hi ${k}/${n}`, 1e-12);
      }
    }
  });
  it('widths shrink as n grows at a fixed proportion', () => {
    for (const method of methods) {
      let prev = Infinity;
      for (const n of [10, 20, 40, 80, 160, 320, 640, 1280, 10240]) {
        const r = binomialInterval(0.3 * n, n, { method });
        const width = r.hi - r.lo;
        assert.ok(width < prev, `${method}: width at n=${n} (${width}) should be below ${prev}`);
        prev = width;
      }
    }
  });
  it('a higher level gives a wider interval containing the narrower one', () => {
    for (const method of methods) {
      const a = binomialInterval(40, 50, { method, level: 0.9 });
      const b = binomialInterval(40, 50, { method, level: 0.99 });
      assert.ok(b.lo < a.lo && b.hi > a.hi, method);
    }
  });
  it('Clopper-Pearson contains Wilson at typical values (10% to 90%)', () => {
    for (let n = 10; n <= 500; n += 7) {
      for (let k = Math.ceil(0.1 * n); k <= Math.floor(0.9 * n); k++) {
        const w = wilsonInterval(k, n);
        const e = clopperPearsonInterval(k, n);
        assert.ok(e.lo <= w.lo && e.hi >= w.hi, `${k}/${n}: CP [${e.lo}, ${e.hi}] vs Wilson [${w.lo}, ${w.hi}]`);
      }
    }
  });
  it('Clopper-Pearson limits solve their defining tail equations (Clopper & Pearson 1934)', () => {
    // P(X >= k | lo) = α/2 and P(X <= k | hi) = α/2, with the binomial sums taken term by term.
    const tail = (k: number, n: number, p: number, upper: boolean): number => {
      let s = 0;
      let logC = 0; // ln C(n, j), built up incrementally
      for (let j = 0; j <= n; j++) {
        if (j > 0) logC += Math.log((n - j + 1) / j);
        if (upper ? j >= k : j <= k) s += Math.exp(logC + j * Math.log(p) + (n - j) * Math.log1p(-p));
      }
      return s;
    };
    for (const [k, n] of [[81, 263], [15, 148], [1, 29], [7, 7 * 13], [299, 300]]) {
      const r = clopperPearsonInterval(k, n);
      near(tail(k, n, r.lo, true), 0.025, `P(X >= ${k} | lo), n = ${n}`, 1e-11);
      near(tail(k, n, r.hi, false), 0.025, `P(X <= ${k} | hi), n = ${n}`, 1e-11);
    }
  });
  it('reports its method and level', () => {
    const r = binomialInterval(9, 10, { method: 'clopper-pearson', level: 0.9 });
    assert.equal(r.method, 'clopper-pearson');
    assert.equal(r.level, 0.9);
    assert.equal(binomialInterval(9, 10).method, 'wilson');
    assert.equal(binomialInterval(9, 10).level, 0.95);
  });
});

describe('input validation', () => {
  it('names the argument, its value and what is allowed', () => {
    throwsWith(() => wilsonInterval(11, 10), ['wilsonInterval', 'k', '0 <= k <= n', 'n = 10', 'got 11']);
    throwsWith(() => wilsonInterval(-1, 10), ['k', 'got -1']);
    throwsWith(() => clopperPearsonInterval(2.5, 10), ['clopperPearsonInterval', 'k', 'integer', 'got 2.5']);
    throwsWith(() => normalInterval(0, 0), ['normalInterval', 'n', 'integer >= 1', 'got 0']);
    throwsWith(() => wilsonInterval(3, 10.5), ['n', 'got 10.5']);
    throwsWith(() => wilsonInterval(3, 10, 1), ['level', 'strictly between 0 and 1', 'got 1']);
    throwsWith(() => clopperPearsonInterval(3, 10, 0), ['level', 'got 0']);
    throwsWith(() => wilsonInterval(3, 10, NaN), ['level', 'got NaN']);
    throwsWith(() => wilsonInterval(3, 10, 95), ['level', 'got 95']);
    throwsWith(() => binomialInterval(3, 10, { method: 'agresti' as 'wilson' }),
      ['binomialInterval', 'options.method', "'wilson', 'clopper-pearson', 'normal'", '"agresti"']);
  });
});
