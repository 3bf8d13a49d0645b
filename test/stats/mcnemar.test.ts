// McNemar's exact test for paired classifiers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mcnemarExact, mcnemarFromCounts, binomialPmf } from '../../src/stats/index.js';
import { near, throwsWith } from './helpers.js';

describe('mcnemarFromCounts', () => {
  it('reproduces Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91, Table 1 (Bentur et al. data)', () => {
    // Airway hyper-responsiveness before/after stem cell transplantation, 21 children: discordant n12 = 1, n21 = 7.
    // Published: exact conditional p = 0.070, mid-p = 0.039. Exactly: 2·9/256 = 0.0703125 and 0.0703125 - 8/256 = 0.0390625.
    const r = mcnemarFromCounts(1, 7);
    near(r.pValue, 0.070, 'exact p (published, 3 decimals)', 5e-4);
    near(r.midPValue, 0.039, 'mid-p (published, 3 decimals)', 5e-4);
    near(r.pValue, 0.0703, 'exact p = 18/256');
    near(r.midPValue, 0.0391, 'mid-p = 10/256');
    assert.equal(r.pValue, 18 / 256); // exact rational arithmetic for small tables
    assert.equal(r.midPValue, 10 / 256);
    assert.equal(r.statistic, 1);
    assert.equal(r.discordant, 8);
  });
  it('b = 1, c = 9: p = 2·P(X <= 1), X ~ Bin(10, 1/2) = 2·11/1024 (exact binomial arithmetic)', () => {
    const r = mcnemarFromCounts(1, 9);
    near(r.pValue, 0.0215, 'exact p');
    near(r.pValue, 22 / 1024, 'exact p, full precision', 1e-15);
    near(r.midPValue, 12 / 1024, 'mid-p = (22 - 10)/1024', 1e-15);
  });
  it('is symmetric in b and c, capped at 1, and equals 1 with no discordant pairs', () => {
    assert.deepEqual({ ...mcnemarFromCounts(7, 1), b: 1, c: 7 }, mcnemarFromCounts(1, 7));
    const tie = mcnemarFromCounts(5, 5);
    assert.equal(tie.pValue, 1);
    near(tie.midPValue, 1 - binomialPmf(5, 10, 0.5) / 2, 'mid-p at b = c (Fagerland et al. 2013, supplement)', 1e-15);
    const close = mcnemarFromCounts(4, 5);
    assert.equal(close.pValue, 1); // 2·P(X <= 4 | Bin(9, 1/2)) = 2·256/512, exact for small tables
    assert.deepEqual(mcnemarFromCounts(0, 0), { b: 0, c: 0, discordant: 0, statistic: 0, pValue: 1, midPValue: 1 });
  });
  it('agrees across the exact small-table path and the incomplete-beta path', () => {
    // n = 50 is summed exactly, n = 51 goes through I_{1/2}(n - m, m + 1); both must match a direct sum.
    for (const [b, c] of [[20, 30], [20, 31], [3, 60]]) {
      const n = b + c;
      let cdf = 0;
      let coef = 1;
      for (let j = 0; j <= b; j++) {
        if (j > 0) coef = (coef * (n - j + 1)) / j;
        cdf += coef / 2 ** n;
      }
      near(mcnemarFromCounts(b, c).pValue / (2 * cdf), 1, `p-value for b = ${b}, c = ${c}`, 1e-13);
    }
  });
  it('stays exact for many discordant pairs (term-by-term sum in log space)', () => {
    const b = 480, c = 560, n = b + c;
    let cdf = 0;
    let logC = 0;
    for (let j = 0; j <= b; j++) {
      if (j > 0) logC += Math.log((n - j + 1) / j);
      cdf += Math.exp(logC - n * Math.LN2);
    }
    near(mcnemarFromCounts(b, c).pValue / (2 * cdf), 1, 'p-value relative to the direct sum', 1e-11);
  });
  it('rejects bad counts', () => {
    throwsWith(() => mcnemarFromCounts(-1, 3), ['mcnemarFromCounts', 'b', 'integer >= 0', 'got -1']);
    throwsWith(() => mcnemarFromCounts(1, 2.5), ['c', 'got 2.5']);
  });
});

describe('mcnemarExact', () => {
  it('counts the discordant pairs from per-item correctness', () => {
    // A right/B wrong on 1 item, A wrong/B right on 7, plus concordant items (as in the Bentur table).
    const A: boolean[] = [], B: boolean[] = [];
    const push = (a: boolean, b: boolean, times: number) => { for (let i = 0; i < times; i++) { A.push(a); B.push(b); } };
    push(true, true, 1); push(true, false, 1); push(false, true, 7); push(false, false, 12);
    const r = mcnemarExact(A, B);
    assert.equal(r.b, 1);
    assert.equal(r.c, 7);
    near(r.pValue, 0.0703, 'exact p');
    near(r.midPValue, 0.0391, 'mid-p');
  });
  it('rejects mismatched or non-boolean input', () => {
    throwsWith(() => mcnemarExact([true], [true, false]), ['mcnemarExact', 'same length', 'got 1 and 2']);
    throwsWith(() => mcnemarExact([true, 1 as unknown as boolean], [true, false]), ['correctA[1]', 'true or false', 'got 1']);
  });
});
