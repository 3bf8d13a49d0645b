// Comparing two configurations over seeds. Reference: Student's sleep data (Student 1908, "The probable
// error of a mean", Biometrika 6:1-25; data of Cushny & Peebles 1905): extra hours of sleep under two drugs
// for the same 10 patients. Published results, as printed by R's documented example `t.test(extra ~ group,
// data = sleep)` (?sleep): Welch t = -1.8608, df = 17.776, p = 0.07939, CI -3.3654832 to 0.2054832;
// paired t = -4.0621, df = 9, p = 0.002833, CI -2.4598858 to -0.7001142. Re-verified with scipy.stats.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareOverSeeds } from '../../src/stats/index.js';
import { near, throwsWith } from './helpers.js';

const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('compareOverSeeds on the sleep data', () => {
  it('Welch (unpaired) matches the published t-test', () => {
    const r = compareOverSeeds(drug1, drug2);
    near(r.difference, -1.58, 'mean difference');
    near(r.statistic, -1.8608, 't');
    near(r.df, 17.776, 'Welch-Satterthwaite df', 5e-4);
    near(r.pValue, 0.07939, 'p', 5e-6);
    near(r.lo, -3.3655, 'CI lo');
    near(r.hi, 0.2055, 'CI hi');
    assert.equal(r.paired, false);
    assert.match(r.verdict, /^no reliable difference between A and B: A - B = -1\.6 points \(95% CI -3\.4 to 0\.2, p = 0\.079, 10 seeds each\)/);
  });
  it('paired matches the published paired t-test', () => {
    const r = compareOverSeeds(drug1, drug2, { paired: true, names: ['drug 1', 'drug 2'], unit: 'hours' });
    near(r.difference, -1.58, 'mean difference');
    near(r.statistic, -4.0621, 't');
    assert.equal(r.df, 9);
    near(r.pValue, 0.002833, 'p', 5e-7);
    near(r.lo, -2.4599, 'CI lo');
    near(r.hi, -0.7001, 'CI hi');
    assert.equal(r.verdict, 'drug 2 is better than drug 1 by 1.58 hours (95% CI 0.70 to 2.46, p = 0.0028, 10 paired seeds)');
  });
});

describe('compareOverSeeds behaviour', () => {
  it('writes the verdict for A better, and for lower-is-better metrics', () => {
    const a = [81.2, 81.9, 81.5, 82.0, 81.6];
    const b = [81.0, 81.3, 81.1, 81.4, 81.2];
    const r = compareOverSeeds(a, b);
    assert.match(r.verdict, /^A is better than B by 0\.4\d points \(95% CI 0\.\d+ to 0\.\d+, p = 0\.0\d+, 5 seeds each\)$/);
    assert.ok(r.lo > 0 && r.pValue < 0.05);
    const loss = compareOverSeeds(a, b, { higherIsBetter: false, names: ['big', 'small'], unit: 'nats' });
    assert.match(loss.verdict, /^small is better \(lower\) than big by 0\.4\d nats/);
  });
  it('the CI excludes 0 exactly when p < 1 - level', () => {
    for (let shift = 0; shift <= 2; shift += 0.1) {
      const r = compareOverSeeds([1, 2, 3, 4, 5].map((x) => x + shift), [1.5, 2.2, 2.9, 3.1, 4.4], { level: 0.9 });
      assert.equal(r.lo > 0 || r.hi < 0, r.pValue < 0.1, `shift ${shift}: CI [${r.lo}, ${r.hi}], p ${r.pValue}`);
    }
  });
  it('handles zero spread and unequal seed counts', () => {
    const same = compareOverSeeds([1, 1, 1], [1, 1, 1]);
    assert.equal(same.pValue, 1);
    assert.match(same.verdict, /^no reliable difference/);
    const exact = compareOverSeeds([2, 2, 2], [1, 1, 1]);
    assert.equal(exact.pValue, 0);
    assert.equal(exact.lo, 1);
    assert.match(exact.verdict, /^A is better than B by 1\.00 points/);
    const uneq = compareOverSeeds([1, 2, 3], [1, 2, 3, 4]);
    assert.match(uneq.verdict, /3 and 4 seeds\)/);
  });
  it('rejects bad input with a precise message', () => {
    throwsWith(() => compareOverSeeds([1], [1, 2]), ['compareOverSeeds', 'scoresA', 'at least 2', 'got 1']);
    throwsWith(() => compareOverSeeds([1, 2], [1, NaN]), ['scoresB[1]', 'finite number', 'got NaN']);
    throwsWith(() => compareOverSeeds([1, 2, 3], [1, 2], { paired: true }), ['paired', 'got 3 and 2']);
    throwsWith(() => compareOverSeeds([1, 2], [1, 2], { level: 0 }), ['level', 'got 0']);
  });
});
