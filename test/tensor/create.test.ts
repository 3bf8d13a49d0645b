// Creation functions: shapes, dtypes and values as torch defines them, and seeded randomness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import {
  tensor, zeros, ones, full, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint, randperm,
  manualSeed, Generator, ShapeError,
} from '../../src/core.js';
import { expectClose } from '../helpers.js';

await selectBackend();

test('tensor from nested arrays infers the shape and stores row-major float32', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(t.toList(), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(tensor([[[1], [2]]]).shape, [1, 2, 1]);
  assert.deepEqual(tensor(7).shape, []);
  assert.deepEqual(tensor([]).shape, [0]);
  assert.equal(tensor([0.1]).data[0], Math.fround(0.1), 'values are rounded to float32');
});

test('tensor from a typed array plus shape, int32 dtype, requiresGrad option', () => {
  const t = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
  assert.deepEqual(t.shape, [3, 2]);
  const i = tensor([1.7, -2.2, 3], { dtype: 'int32' });
  assert.equal(i.dtype, 'int32');
  assert.deepEqual(i.toList(), [1, -2, 3], 'int32 truncates toward zero');
  assert.equal(tensor(new Int32Array([1, 2])).dtype, 'int32');
  assert.equal(tensor([1, 2], { requiresGrad: true }).requiresGrad, true);
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /3 values cannot fill shape \(2, 2\), which needs 4/);
});

test('a ragged nested array is a ShapeError that says where', () => {
  assert.throws(() => tensor([[1, 2], [3]]), (e: unknown) => {
    assert.ok(e instanceof ShapeError);
    assert.match(e.message, /ragged nested array: \[1\] has 1 elements, expected 2/);
    return true;
  });
  assert.throws(() => tensor([[1, 2], 3] as never), /ragged/);
  assert.throws(() => tensor([[[1, 2]], [[3, 4], [5, 6]]]), /ragged nested array: \[1\] has 2 elements, expected 1/);
});

test('zeros, ones, full and the *Like variants', () => {
  const z = zeros([2, 3]);
  assert.deepEqual(z.shape, [2, 3]);
  assert.deepEqual(z.toList(), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(ones([3]).toList(), [1, 1, 1]);
  assert.deepEqual(full([2, 2], -2.5).toList(), [-2.5, -2.5, -2.5, -2.5]);
  const zi = zeros([2], { dtype: 'int32' });
  assert.equal(zi.dtype, 'int32');
  assert.deepEqual(zerosLike(zi).shape, [2]);
  assert.equal(zerosLike(zi).dtype, 'int32');
  assert.deepEqual(onesLike(full([1, 2], 9)).toList(), [1, 1]);
  assert.equal(zeros([]).size, 1, 'a 0-d tensor holds one element');
  assert.equal(zeros([3, 0]).size, 0);
  assert.throws(() => zeros([2, -1]), /invalid size -1/);
  assert.throws(() => ones([1.5]), /invalid size 1.5/);
});

test('arange: integer arguments give int32, fractional give float32; end is excluded', () => {
  const a = arange(5);
  assert.equal(a.dtype, 'int32');
  assert.deepEqual(a.toList(), [0, 1, 2, 3, 4]);
  assert.deepEqual(arange(2, 11, 3).toList(), [2, 5, 8]);
  assert.deepEqual(arange(5, 0, -2).toList(), [5, 3, 1]);
  const f = arange(0, 1, 0.25);
  assert.equal(f.dtype, 'float32');
  assert.deepEqual(f.toList(), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(arange(1.5, 3).toList(), [1.5, 2.5]);
  assert.equal(arange(3, 3).size, 0);
  assert.equal(arange(0, 3, 1, { dtype: 'float32' }).dtype, 'float32');
  assert.throws(() => arange(0, 1, 0), /step must be a non-zero finite number/);
});

test('linspace includes both endpoints exactly and spaces evenly', () => {
  const l = linspace(0, 1, 5);
  assert.deepEqual(l.toList(), [0, 0.25, 0.5, 0.75, 1]);
  const m = linspace(-1, 0.3, 7);
  assert.equal(m.data[0], -1);
  assert.equal(m.data[6], Math.fround(0.3), 'the last value is exactly end');
  expectClose(m.toList(), Array.from({ length: 7 }, (_, i) => -1 + (i * 1.3) / 6), 1e-6);
  assert.deepEqual(linspace(2, 5, 1).toList(), [2], 'one step is start, as torch');
  assert.deepEqual(linspace(2, 5, 2).toList(), [2, 5]);
  assert.deepEqual(linspace(1, 0, 3).toList(), [1, 0.5, 0]);
  assert.equal(linspace(0, 1, 0).size, 0);
  assert.throws(() => linspace(0, 1, 2.5), /steps must be a non-negative integer/);
});

test('eye: identity, square and rectangular', () => {
  assert.deepEqual(eye(3).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.deepEqual(eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
  assert.deepEqual(eye(3, 2).toArray(), [[1, 0], [0, 1], [0, 0]]);
});

test('manualSeed makes rand and randn reproducible; different seeds differ', () => {
  manualSeed(42);
  const a = rand([100]), b = randn([3, 4]);
  manualSeed(42);
  const a2 = rand([100]), b2 = randn([3, 4]);
  assert.deepEqual(a2.toList(), a.toList());
  assert.deepEqual(b2.toList(), b.toList());
  manualSeed(43);
  assert.notDeepEqual(rand([100]).toList(), a.toList());
  // A private generator does not disturb the global stream.
  manualSeed(42);
  rand([5], { generator: new Generator(7) });
  assert.deepEqual(rand([100]).toList(), a.toList());
});

test('rand is uniform on [0, 1): range, mean 1/2, variance 1/12', () => {
  manualSeed(1);
  const r = rand([100000]);
  const d = r.f32;
  assert.ok(d.every((v) => v >= 0 && v < 1));
  assert.ok(Math.abs(r.mean().item() - 0.5) < 0.01, `mean ${r.mean().item()}`);
  assert.ok(Math.abs(r.var().item() - 1 / 12) < 0.003, `var ${r.var().item()}`);
});

test('randn of 10^5 samples has mean near 0 and std near 1', () => {
  manualSeed(2);
  const r = randn([100000]);
  // Standard error of the mean is 1/sqrt(1e5) ~ 0.003; of the std ~ 0.0022.
  assert.ok(Math.abs(r.mean().item()) < 0.015, `mean ${r.mean().item()}`);
  assert.ok(Math.abs(r.std().item() - 1) < 0.015, `std ${r.std().item()}`);
  const beyond2 = r.f32.filter((v) => Math.abs(v) > 2).length / r.size;
  assert.ok(Math.abs(beyond2 - 0.0455) < 0.005, `P(|z| > 2) = ${beyond2}, expected ~0.0455`);
});

test('randint draws int32 values in [low, high), every value appearing', () => {
  manualSeed(3);
  const r = randint(-2, 3, [2000]);
  assert.equal(r.dtype, 'int32');
  assert.deepEqual(r.shape, [2000]);
  const seen = new Set(r.toList());
  assert.deepEqual([...seen].sort((x, y) => x - y), [-2, -1, 0, 1, 2]);
  assert.throws(() => randint(3, 3, [1]), /need integers low < high/);
  assert.throws(() => randint(0, 2.5, [1]), /need integers low < high/);
});

test('randperm is a permutation of 0..n-1, seeded', () => {
  manualSeed(4);
  const p = randperm(10);
  assert.equal(p.dtype, 'int32');
  assert.deepEqual([...p.toList()].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.notDeepEqual(p.toList(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  manualSeed(4);
  assert.deepEqual(randperm(10).toList(), p.toList());
  assert.equal(randperm(0).size, 0);
});

test('Generator state round-trips so a resumed stream continues exactly', () => {
  const g = new Generator(11);
  g.normal();
  const state = g.getState();
  const next = [g.normal(), g.uniform(), g.below(10)];
  const h = new Generator(0);
  h.setState(state);
  assert.deepEqual([h.normal(), h.uniform(), h.below(10)], next);
});
