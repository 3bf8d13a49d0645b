import { selectBackend } from '../../src/backend/select.js';
await selectBackend();
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator } from '../../src/tensor/random.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { auditSplits, hammingBound, lshRecall } from '../../src/diagnose/audit.js';

const D = 64;

function gaussianRows(n: number, rng: Generator): Float32Array {
  const x = new Float32Array(n * D);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  return x;
}

function copyRow(dst: Float32Array, i: number, src: Float32Array, j: number, scale = 1, shift = 0, noise = 0, rng?: Generator): void {
  for (let k = 0; k < D; k++) dst[i * D + k] = scale * src[j * D + k] + shift + (noise ? noise * rng!.normal() : 0);
}

function dataset(x: Float32Array, labels: number[], name: string): TensorDataset {
  return new TensorDataset(new Tensor(x, [labels.length, 1, 8, 8]), new Tensor(Int32Array.from(labels), [labels.length], 'int32'), name);
}

/**
 * 200 train / 60 val / 100 test random 8x8 items, with planted problems:
 *   exact: train[5] = train[3]; val[7] = train[30] (labels 3 vs 2: a label conflict);
 *          test[10] = train[20]; test[11] = val[4]
 *   near:  val[12] = 3 * train[50] + 2 + noise (labels 0 vs 2); test[20] = train[40] + noise;
 *          test[30] = val[20] + noise  (noise: 1% of the signal)
 *   imbalance: test is 55% class 0, train and val are 25% per class.
 */
function planted(): { train: TensorDataset; val: TensorDataset; test: TensorDataset; labels: Record<'train' | 'val' | 'test', number[]> } {
  const rng = new Generator(42);
  const tx = gaussianRows(200, rng), vx = gaussianRows(60, rng), sx = gaussianRows(100, rng);
  const trainY = Array.from({ length: 200 }, (_, i) => i % 4);
  const valY = Array.from({ length: 60 }, (_, i) => i % 4);
  const testY = Array.from({ length: 100 }, (_, i) => (i < 55 ? 0 : (i % 3) + 1));
  copyRow(tx, 5, tx, 3); trainY[5] = trainY[3];
  copyRow(vx, 7, tx, 30);
  copyRow(sx, 10, tx, 20);
  copyRow(sx, 11, vx, 4);
  copyRow(vx, 12, tx, 50, 3, 2, 0.03, rng);
  copyRow(sx, 20, tx, 40, 1, 0, 0.01, rng);
  copyRow(sx, 30, vx, 20, 1, 0, 0.01, rng);
  return {
    train: dataset(tx, trainY, 'train'), val: dataset(vx, valY, 'val'), test: dataset(sx, testY, 'test'),
    labels: { train: trainY, val: valY, test: testY },
  };
}

test('audit finds exactly the planted duplicates, near duplicates, label conflict and imbalance', () => {
  const d = planted();
  const r = auditSplits(d, { examples: 5 });
  assert.deepEqual(r.sizes, { train: 200, val: 60, test: 100 });
  assert.deepEqual(r.itemShape, [1, 8, 8]);
  assert.deepEqual(r.exactDuplicates, { withinTrain: 1, withinVal: 0, withinTest: 0, trainVal: 1, trainTest: 1, valTest: 1 });
  const near = r.nearDuplicates!;
  assert.deepEqual({ trainVal: near.trainVal, trainTest: near.trainTest, valTest: near.valTest, pairs: near.pairs, differentLabels: near.differentLabels },
    { trainVal: 1, trainTest: 1, valTest: 1, pairs: 3, differentLabels: 1 });
  assert.equal(near.complete, true);
  assert.ok(near.estimatedRecall >= 0.99, `estimated recall ${near.estimatedRecall}`);
  assert.deepEqual(r.labelConflicts, { groups: 1, items: 2, acrossSplits: 1 });

  const ex = r.examples;
  assert.deepEqual(ex.exactDuplicates.withinTrain.map((p) => [p.a, p.b]), [[{ split: 'train', index: 3 }, { split: 'train', index: 5 }]]);
  assert.deepEqual(ex.exactDuplicates.trainVal.map((p) => [p.a.index, p.b.index, p.labels]), [[30, 7, ['2', '3']]]);
  assert.deepEqual(ex.exactDuplicates.trainTest.map((p) => [p.a.index, p.b.index]), [[20, 10]]);
  assert.deepEqual(ex.exactDuplicates.valTest.map((p) => [p.a.index, p.b.index]), [[4, 11]]);
  assert.deepEqual(ex.nearDuplicates.trainVal.map((p) => [p.a.index, p.b.index, p.labels]), [[50, 12, ['2', '0']]]);
  assert.deepEqual(ex.nearDuplicates.trainTest.map((p) => [p.a.index, p.b.index]), [[40, 20]]);
  assert.deepEqual(ex.nearDuplicates.valTest.map((p) => [p.a.index, p.b.index]), [[20, 30]]);
  for (const p of [...ex.nearDuplicates.trainVal, ...ex.nearDuplicates.trainTest, ...ex.nearDuplicates.valTest]) {
    assert.ok(p.distance! > 0 && p.distance! < 0.05, `near pair distance ${p.distance}`);
  }
  assert.deepEqual(ex.labelConflicts, [{ items: [{ split: 'train', index: 30 }, { split: 'val', index: 7 }], labels: ['2', '3'] }]);

  const cb = r.classBalance!;
  assert.deepEqual(cb.classes, [0, 1, 2, 3]);
  const count = (ys: number[]): number[] => [0, 1, 2, 3].map((c) => ys.filter((y) => y === c).length);
  assert.deepEqual(cb.train.counts, count(d.labels.train));
  assert.deepEqual(cb.val.counts, [15, 15, 15, 15]);
  assert.deepEqual(cb.test.counts, count(d.labels.test));
  assert.equal(cb.test.fractions[0], 0.55);
  assert.equal(cb.maxDeviation!.class, 0);
  assert.deepEqual(cb.maxDeviation!.splits, ['train', 'test']);
  assert.ok(Math.abs(cb.maxDeviation!.difference - (0.55 - cb.train.fractions[0])) < 1e-12);
});

test('clean random data: nothing reported; the threshold and near-duplicate switch work', () => {
  const rng = new Generator(7);
  const mk = (n: number, name: string): TensorDataset => dataset(gaussianRows(n, rng), Array.from({ length: n }, (_, i) => i % 3), name);
  const d = { train: mk(300, 'train'), val: mk(50, 'val'), test: mk(80, 'test') };
  const r = auditSplits(d, { nearThreshold: 0.5 });
  assert.deepEqual(r.exactDuplicates, { withinTrain: 0, withinVal: 0, withinTest: 0, trainVal: 0, trainTest: 0, valTest: 0 });
  assert.equal(r.nearDuplicates!.pairs, 0);
  assert.deepEqual(r.labelConflicts, { groups: 0, items: 0, acrossSplits: 0 });
  assert.equal(auditSplits(d, { nearDuplicates: false }).nearDuplicates, null);
});

test('recall: 60 planted near duplicates at distances ~0.02-0.07 among 3000 items are all found', () => {
  const rng = new Generator(3);
  const n = 2500, m = 500;
  const tx = gaussianRows(n, rng), sx = gaussianRows(m, rng);
  // Noise of relative size s gives a normalized distance of about s (+-10% for 64 values), kept below 0.1.
  for (let i = 0; i < 60; i++) copyRow(sx, i * 7, tx, i * 31, 1, 0, 0.02 + 0.0008 * i, rng);
  const r = auditSplits({
    train: dataset(tx, Array(n).fill(0), 'train'), val: dataset(new Float32Array(0), [], 'val'), test: dataset(sx, Array(m).fill(0), 'test'),
  }, { examples: 100 });
  assert.equal(r.nearDuplicates!.trainTest, 60);
  assert.deepEqual(r.examples.nearDuplicates.trainTest.map((p) => p.b.index).sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i * 7));
  assert.equal(r.classBalance!.maxDeviation!.difference, 0); // val is empty and skipped
});

test('non-class targets skip class balance; label conflicts compare whole target rows', () => {
  const rng = new Generator(1);
  const x = gaussianRows(10, rng);
  copyRow(x, 1, x, 0);
  const y = new Tensor(Float32Array.from({ length: 20 }, (_, i) => (i === 2 ? 0.5 : 0)), [10, 2]);
  const one = (name: string, lo: number, hi: number): TensorDataset =>
    new TensorDataset(new Tensor(x.slice(lo * D, hi * D), [hi - lo, D]), new Tensor(y.f32.slice(lo * 2, hi * 2), [hi - lo, 2]), name);
  const r = auditSplits({ train: one('train', 0, 6), val: one('val', 6, 8), test: one('test', 8, 10) });
  assert.equal(r.classBalance, null);
  assert.equal(r.exactDuplicates.withinTrain, 1);
  assert.deepEqual(r.labelConflicts, { groups: 1, items: 2, acrossSplits: 0 });
});

test('bad input: splits of different item sizes, bad threshold', () => {
  const rng = new Generator(1);
  const a = dataset(gaussianRows(4, rng), [0, 1, 0, 1], 'train');
  const b = new TensorDataset(new Tensor(new Float32Array(12), [4, 3]), new Tensor(new Int32Array(4), [4], 'int32'), 'val');
  assert.throws(() => auditSplits({ train: a, val: b, test: a }), /val items have 3 float32 values but train items have 64/);
  assert.throws(() => auditSplits({ train: a, val: a, test: a }, { nearThreshold: 3 }), /nearThreshold must be a distance in \[0, 2\]/);
});

test('lshRecall and hammingBound agree with their definitions at the extremes', () => {
  assert.equal(lshRecall(0, 128, 20, 16), 1);
  assert.ok(lshRecall(Math.PI / 2, 128, 20, 16) < 1e-3);
  assert.ok(lshRecall(0.1, 128, 12, 16) > lshRecall(0.1, 128, 30, 16));
  assert.equal(hammingBound(0, 128), 0);
  const b = hammingBound(0.1, 128);
  assert.ok(b > 4 && b < 30, `bound ${b}`);
});

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('CLI: tradecraft audit mnist-mlp --json on a small MNIST slice', () => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/tradecraft.js', 'audit', 'mnist-mlp', '--set', 'limitTrain=3000', '--set', 'valSize=500', '--set', 'limitTest=1000', '--json'],
    { cwd: root, encoding: 'utf8', timeout: 120_000 });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  assert.ok(seconds < 30, `audit took ${seconds.toFixed(1)}s`);
  const lines = r.stdout.trim().split('\n');
  const out = JSON.parse(lines[lines.length - 1]) as Record<string, Record<string, unknown>>;
  for (const k of ['exactDuplicates', 'nearDuplicates', 'labelConflicts', 'classBalance', 'examples']) assert.ok(k in out, `JSON lacks ${k}`);
  assert.deepEqual(out.sizes, { train: 2500, val: 500, test: 1000 });
  for (const k of ['withinTrain', 'withinVal', 'withinTest', 'trainVal', 'trainTest', 'valTest']) {
    const v = out.exactDuplicates[k];
    assert.ok(typeof v === 'number' && v >= 0, `exactDuplicates.${k} = ${String(v)}`);
  }
  for (const k of ['trainVal', 'trainTest', 'valTest', 'pairs']) {
    const v = out.nearDuplicates[k];
    assert.ok(typeof v === 'number' && v >= 0, `nearDuplicates.${k} = ${String(v)}`);
  }
  assert.equal(out.nearDuplicates.complete, true);
  assert.ok((out.labelConflicts.groups as number) >= 0);
  const cb = out.classBalance as { classes: number[]; train: { counts: number[] }; test: { counts: number[] } };
  assert.deepEqual(cb.classes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(cb.train.counts.reduce((a, b) => a + b, 0), 2500);
  assert.equal(cb.test.counts.reduce((a, b) => a + b, 0), 1000);
});

test('CLI: human output, and exit code 2 on bad input', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['bin/tradecraft.js', 'audit', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  const human = run('mnist-mlp', '--set', 'limitTrain=600', '--set', 'valSize=100', '--set', 'limitTest=200');
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /exact: test items also in train/);
  assert.match(human.stdout, /class balance:/);
  assert.match(human.stdout, /largest gap: class \d/);
  const unknown = run('no-such-experiment');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown experiment 'no-such-experiment'/);
  const threshold = run('mnist-mlp', '--near-threshold', '3');
  assert.equal(threshold.status, 2);
  assert.match(threshold.stderr, /--near-threshold must be at most 2/);
  const badSet = run('mnist-mlp', '--set', 'nope=1');
  assert.equal(badSet.status, 2);
  assert.match(badSet.stderr, /has no hyperparameter 'nope'/);
});
