import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debiasedEma, percentile, runningMeanVar } from '../../src/dashboard/series/smoothing.js';
import { bucketMeans, minMaxIndices } from '../../src/dashboard/series/downsample.js';
import { Series, SeriesSet } from '../../src/dashboard/series/series-set.js';
import { xColumn } from '../../src/dashboard/series/x-axis.js';
import { querySeries } from '../../src/dashboard/series/series-query.js';
import { meanInterval, seedGroups, differingHparams } from '../../src/dashboard/series/seed-groups.js';
import { niceTicks, svgLineChart } from '../../src/dashboard/plot/svg-chart.js';
import { expectClose, testRandom } from '../helpers.js';

test('debiased EMA: s_n = w s_{n-1} + (1-w) y_n divided by 1 - w^n (TensorBoard), worked by hand', () => {
  // w = 0.5, y = 4, 2, 8: s1 = 2 -> 2/0.5 = 4; s2 = 1 + 1 = 2 -> 2/0.75 = 2.6667; s3 = 1 + 4 = 5 -> 5/0.875 = 5.7143
  expectClose(debiasedEma([4, 2, 8], 0.5), [4, 8 / 3, 40 / 7], 1e-12, 0);
  // A constant series stays constant from the first point: no pull toward zero.
  expectClose(debiasedEma([3, 3, 3, 3], 0.99), [3, 3, 3, 3], 1e-12, 0);
  // w = 0 is the identity; a NaN passes through and does not enter the average.
  expectClose(debiasedEma([1, 5, 2], 0), [1, 5, 2], 0, 0);
  const withNaN = debiasedEma([2, NaN, 4], 0.5);
  assert.ok(Number.isNaN(withNaN[1]));
  expectClose([withNaN[0], withNaN[2]], [2, (0.5 * 1 + 2) / 0.75], 1e-12, 0);
  assert.throws(() => debiasedEma([1], 1), /\[0, 1\)/);
});

test('smoothing before downsampling differs from smoothing the downsampled points, and ours matches the full-resolution EMA', () => {
  const r = testRandom(3);
  const set = new SeriesSet();
  for (let i = 1; i <= 20_000; i++) set.add({ step: i, epoch: 1, split: 'train', name: 'batch_loss', value: 2 * Math.exp(-i / 5000) + (r() - 0.5), time: i });
  const full = debiasedEma(set.get('train', 'batch_loss')!.column('values'), 0.9);
  const q = querySeries(set, { metric: 'batch_loss', x: 'step', smooth: 0.9, points: 1000 })!;
  assert.ok(q.x.length <= 1002 && q.x.length > 400, `downsampled to ${q.x.length}`);
  assert.equal(q.fullResolution, false);
  for (let k = 0; k < q.x.length; k += 37) assert.equal(q.smoothed![k], full[q.x[k] - 1], `smoothed value at step ${q.x[k]}`);
  // Smoothing the sampled points instead (TensorBoard's order) gives a different curve.
  const afterSampling = debiasedEma(q.raw, 0.9);
  const maxDiff = Math.max(...afterSampling.map((v, k) => Math.abs(v - q.smoothed![k])));
  assert.ok(maxDiff > 0.05, `smoothing after sampling should differ visibly, max diff ${maxDiff}`);
});

test('min/max downsampling keeps every spike and dip; small ranges come back at full resolution', () => {
  const n = 100_000;
  const x = Float64Array.from({ length: n }, (_, i) => i);
  const y = new Float64Array(n).fill(1);
  y[12_345] = 50; // a spike
  y[67_890] = -40; // a dip
  const idx = minMaxIndices(x, [y], -Infinity, Infinity, 1000);
  assert.ok(idx.length <= 1002, `${idx.length} points`);
  assert.ok(idx.includes(12_345) && idx.includes(67_890), 'the spike and the dip survive');
  assert.ok(idx.includes(0) && idx.includes(n - 1), 'first and last points kept');
  for (let k = 1; k < idx.length; k++) assert.ok(idx[k] > idx[k - 1], 'indices ascend');
  const zoomed = minMaxIndices(x, [y], 500, 1499, 2000);
  assert.equal(zoomed.length, 1000);
  assert.equal(zoomed[0], 500);
  expectClose(bucketMeans([0, 1, 2, 3], [1, 3, 5, 7], 0, 3, 2), [2, 6], 0, 0);
});

test('a resumed run logging a step again replaces it from there on, as Run.metrics() does', () => {
  const s = new Series('train', 'batch_loss');
  for (const [step, value] of [[1, 5], [2, 4], [3, 3], [2, 9], [3, 8], [4, 7]]) s.push({ step, epoch: 1, split: 'train', name: 'batch_loss', value, time: step });
  assert.deepEqual(Array.from(s.column('steps')), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(s.column('values')), [5, 9, 8, 7]);
  assert.equal(s.max, 9);
  assert.equal(s.min, 5);
});

test('x by epoch spreads an epoch\'s batches over it; per-epoch series land on the epoch', () => {
  const set = new SeriesSet();
  for (let step = 1; step <= 6; step++) set.add({ step, epoch: step <= 4 ? 1 : 2, split: 'train', name: 'batch_loss', value: 1, time: 100 + step });
  set.add({ step: 4, epoch: 1, split: 'val', name: 'val_loss', value: 1, time: 104 });
  expectClose(xColumn(set.get('train', 'batch_loss')!, 'epoch', set.startTime), [0.25, 0.5, 0.75, 1, 1.5, 2], 1e-12, 0);
  expectClose(xColumn(set.get('val', 'val_loss')!, 'epoch', set.startTime), [1], 0, 0);
  expectClose(xColumn(set.get('train', 'batch_loss')!, 'time', set.startTime), [0, 1, 2, 3, 4, 5], 0, 0);
});

test('running mean/variance over a trailing window, and percentiles', () => {
  const { mean, variance } = runningMeanVar([1, 3, 5, 7], 2);
  expectClose(mean, [1, 2, 4, 6], 1e-12, 0);
  expectClose(variance, [0, 1, 1, 1], 1e-12, 0);
  assert.equal(percentile([1, 2, 3, 4, 5], 50), 3);
  assert.equal(percentile([0, 10], 5), 0.5);
});

test('seed groups: runs that differ only in seed form one group; the band is the Student t interval', () => {
  const runs = [
    { id: 'a', experiment: 'm', hparams: { lr: 1, seed: 0 } },
    { id: 'b', experiment: 'm', hparams: { lr: 1, seed: 1 } },
    { id: 'c', experiment: 'm', hparams: { lr: 2, seed: 0 } },
  ];
  assert.deepEqual(seedGroups(runs).map((g) => g.ids), [['a', 'b'], ['c']]);
  assert.deepEqual(differingHparams(runs), ['lr', 'seed']);
  // values 1, 2, 3: mean 2, sd 1, t(0.975, 2) = 4.302652729911275 -> half width 4.3027 / sqrt(3)
  const { mean, lo, hi } = meanInterval([Float64Array.of(1, 5), Float64Array.of(2, NaN), Float64Array.of(3, NaN)]);
  const half = 4.302652729911275 / Math.sqrt(3);
  expectClose([mean[0], lo[0], hi[0]], [2, 2 - half, 2 + half], 1e-9, 0);
  assert.equal(mean[1], 5);
  assert.ok(Number.isNaN(lo[1]), 'one run in a bucket has no interval');
});

test('the SVG chart: nice ticks, one path per line, log scale refuses values <= 0', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 97, 4), [20, 40, 60, 80]);
  const svg = svgLineChart([{ label: 'loss', color: '#000', x: [1, 2, 3], y: [3, 2, 1] }, { label: 'raw', color: '#000', x: [1, 2, 3], y: [3, 1, 2], faint: true }], { title: 't<1>', xLabel: 'step', yLabel: 'loss' });
  assert.equal((svg.match(/<path /g) ?? []).length, 2);
  assert.match(svg, /t&lt;1&gt;/);
  assert.throws(() => svgLineChart([{ label: 'x', color: '#000', x: [1, 2], y: [1, 0] }], { title: '', xLabel: '', yLabel: '', log: true }), /log scale/);
});
