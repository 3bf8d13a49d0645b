// Native gathers and scatters against the TypeScript reference: indexSelect/indexAdd with
// repeated indices, gather/scatterAdd, copyStrided over transposes, broadcasts, negative
// strides and int32 data, and the bounds checks that turn bad indices into exceptions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { expectClose, randomArray, testRandom } from '../helpers.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

function indices(n: number, size: number, seed: number): Int32Array {
  const r = testRandom(seed);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = Math.floor(r() * size);
  return idx;
}

const CASES: [number, number, number, number][] = [
  // outer, size, inner, number of indices (k)
  [1, 1, 1, 1], [1, 10, 1, 64], [3, 17, 33, 5], [1, 1000, 128, 64], [64, 10, 1, 1], [2, 5, 70_000, 7], [7, 3, 1, 20],
];

test('native indexSelect / indexAdd: repeated indices accumulate', { skip }, () => {
  let seed = 1;
  for (const [outer, size, inner, k] of CASES) {
    const x = randomArray(outer * size * inner, seed++);
    const idx = indices(k, size, seed++);
    const e = new Float32Array(outer * k * inner), g = new Float32Array(outer * k * inner);
    JS.indexSelect(x, outer, size, inner, idx, e);
    native!.indexSelect(x, outer, size, inner, idx, g);
    expectClose(g, e, 0, 0, `indexSelect[${outer},${size},${inner}] k=${k}`);
    const grad = randomArray(outer * k * inner, seed++);
    const ge = new Float32Array(outer * size * inner), gg = new Float32Array(outer * size * inner);
    JS.indexAdd(grad, outer, size, inner, idx, ge);
    native!.indexAdd(grad, outer, size, inner, idx, gg);
    expectClose(gg, ge, 1e-6, 1e-6, `indexAdd[${outer},${size},${inner}] k=${k}`);
  }
});

test('native gather / scatterAdd along the middle axis', { skip }, () => {
  let seed = 100;
  for (const [outer, size, inner, k] of CASES) {
    const x = randomArray(outer * size * inner, seed++);
    const idx = indices(outer * k * inner, size, seed++);
    const e = new Float32Array(outer * k * inner), g = new Float32Array(outer * k * inner);
    JS.gather(x, outer, size, inner, idx, k, e);
    native!.gather(x, outer, size, inner, idx, k, g);
    expectClose(g, e, 0, 0, `gather[${outer},${size},${inner}] k=${k}`);
    const grad = randomArray(outer * k * inner, seed++);
    const ge = new Float32Array(outer * size * inner), gg = new Float32Array(outer * size * inner);
    JS.scatterAdd(grad, outer, size, inner, idx, k, ge);
    native!.scatterAdd(grad, outer, size, inner, idx, k, gg);
    expectClose(gg, ge, 1e-6, 1e-6, `scatterAdd[${outer},${size},${inner}] k=${k}`);
  }
});

test('native copyStrided: transposes, broadcasts, offsets, negative strides, int32', { skip }, () => {
  const src = randomArray(5000, 7);
  const cases: { offset: number; shape: number[]; strides: number[] }[] = [
    { offset: 0, shape: [17, 33], strides: [33, 1] },          // contiguous
    { offset: 0, shape: [33, 17], strides: [1, 33] },          // transpose
    { offset: 3, shape: [4, 5, 6], strides: [1, 4, 20] },      // full permutation
    { offset: 10, shape: [65, 3], strides: [0, 1] },           // broadcast rows
    { offset: 0, shape: [7, 1, 9], strides: [9, 100, 1] },     // size-1 dim with junk stride
    { offset: 200, shape: [10, 10], strides: [-10, -1] },      // flipped
    { offset: 0, shape: [2, 3, 0], strides: [0, 0, 1] },      // empty
    { offset: 0, shape: [], strides: [] },                     // scalar
    { offset: 1, shape: [60, 70], strides: [71, 1] },          // row padding, threaded-size copies
    { offset: 0, shape: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], strides: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048] },
  ];
  for (const c of cases) {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const e = new Float32Array(n), g = new Float32Array(n);
    JS.copyStrided(src, c.offset, c.shape, c.strides, e);
    native!.copyStrided(src, c.offset, c.shape, c.strides, g);
    expectClose(g, e, 0, 0, `copyStrided ${JSON.stringify(c)}`);
  }
  const isrc = Int32Array.from({ length: 100 }, (_, i) => i * 3 - 50);
  const ie = new Int32Array(50), ig = new Int32Array(50);
  JS.copyStrided(isrc, 1, [10, 5], [1, 10], ie);
  native!.copyStrided(isrc, 1, [10, 5], [1, 10], ig);
  assert.deepEqual(ig, ie);
  assert.throws(() => native!.copyStrided(isrc, 0, [2], [1], new Float32Array(2)), TypeError);
});

test('native indexing: out-of-range indices and reads throw instead of touching memory', { skip }, () => {
  const x = new Float32Array(10), out = new Float32Array(10);
  assert.throws(() => native!.indexSelect(x, 1, 10, 1, Int32Array.from([10]), out), RangeError);
  assert.throws(() => native!.indexSelect(x, 1, 10, 1, Int32Array.from([-1]), out), RangeError);
  assert.throws(() => native!.gather(x, 1, 10, 1, Int32Array.from([3, 11]), 2, out), RangeError);
  assert.throws(() => native!.copyStrided(x, 5, [3], [3], out), RangeError);
  assert.throws(() => native!.copyStrided(x, 0, [3], [-1], out), RangeError);
});
