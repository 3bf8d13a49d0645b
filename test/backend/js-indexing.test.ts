import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend as B } from '../../src/backend/js/index.js';
import { expectClose, randomArray, testRandom } from '../helpers.js';

function randomIdx(n: number, size: number, seed: number): Int32Array {
  const r = testRandom(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * size));
}

const SPLITS: [number, number, number][] = [[1, 5, 1], [3, 7, 1], [2, 4, 3], [1, 10, 40], [4, 3, 33], [2, 1, 2]];

test('indexSelect picks rows along the middle axis, with repeated indices', () => {
  let seed = 1;
  for (const [outer, size, inner] of SPLITS) {
    const x = randomArray(outer * size * inner, seed++);
    for (const k of [1, 5, 9]) {
      const idx = randomIdx(k, size, seed++);
      idx[k - 1] = idx[0]; // at least one repeat
      const out = new Float32Array(outer * k * inner).fill(NaN);
      B.indexSelect(x, outer, size, inner, idx, out);
      const want: number[] = [];
      for (let o = 0; o < outer; o++) for (let j = 0; j < k; j++) for (let i = 0; i < inner; i++) want.push(x[(o * size + idx[j]) * inner + i]);
      assert.deepEqual(Array.from(out), want, `indexSelect [${outer},${size},${inner}] k=${k}`);
    }
  }
});

test('indexAdd accumulates repeated indices (embedding gradient)', () => {
  let seed = 50;
  for (const [outer, size, inner] of SPLITS) {
    for (const k of [1, 6, 13]) {
      const idx = randomIdx(k, size, seed++);
      idx[k - 1] = idx[0];
      const g = randomArray(outer * k * inner, seed++);
      const gx = new Float32Array(outer * size * inner);
      B.indexAdd(g, outer, size, inner, idx, gx);
      const want = new Float64Array(outer * size * inner);
      for (let o = 0; o < outer; o++) for (let j = 0; j < k; j++) for (let i = 0; i < inner; i++) want[(o * size + idx[j]) * inner + i] += g[(o * k + j) * inner + i];
      expectClose(gx, want, 1e-6, 1e-6, `indexAdd [${outer},${size},${inner}] k=${k}`);
    }
  }
  // Hand-computed: rows 0 and 2 of a 3x2 gradient land on row 1, row 1 on row 0.
  const gx = new Float32Array(6);
  B.indexAdd(Float32Array.from([1, 2, 3, 4, 5, 6]), 1, 3, 2, Int32Array.from([1, 0, 1]), gx);
  assert.deepEqual(Array.from(gx), [3, 4, 6, 8, 0, 0]);
});

test('gather and scatterAdd along the middle axis with per-element indices', () => {
  let seed = 100;
  for (const [outer, size, inner] of SPLITS) {
    for (const k of [1, 4, 7]) {
      const x = randomArray(outer * size * inner, seed++);
      const idx = randomIdx(outer * k * inner, size, seed++);
      const out = new Float32Array(outer * k * inner).fill(NaN);
      B.gather(x, outer, size, inner, idx, k, out);
      const want: number[] = [];
      for (let o = 0; o < outer; o++) for (let j = 0; j < k; j++) for (let i = 0; i < inner; i++) want.push(x[(o * size + idx[(o * k + j) * inner + i]) * inner + i]);
      assert.deepEqual(Array.from(out), want, `gather [${outer},${size},${inner}] k=${k}`);

      const g = randomArray(outer * k * inner, seed++);
      const gx = new Float32Array(outer * size * inner);
      B.scatterAdd(g, outer, size, inner, idx, k, gx);
      const wantGx = new Float64Array(outer * size * inner);
      for (let o = 0; o < outer; o++) for (let j = 0; j < k; j++) for (let i = 0; i < inner; i++) {
        const p = (o * k + j) * inner + i;
        wantGx[(o * size + idx[p]) * inner + i] += g[p];
      }
      expectClose(gx, wantGx, 1e-6, 1e-6, `scatterAdd [${outer},${size},${inner}] k=${k}`);
    }
  }
});

test('gather/scatterAdd on a hand-computed example with repeats (cross-entropy style picks)', () => {
  // x is [2, 3] (outer 2, size 3, inner 1); pick class 2 then 0 twice in row 1.
  const x = Float32Array.from([10, 11, 12, 20, 21, 22]);
  const idx = Int32Array.from([2, 0, 0, 0]);
  const out = new Float32Array(4);
  B.gather(x, 2, 3, 1, idx, 2, out);
  assert.deepEqual(Array.from(out), [12, 10, 20, 20]);
  const gx = new Float32Array(6);
  B.scatterAdd(Float32Array.from([1, 2, 3, 4]), 2, 3, 1, idx, 2, gx);
  assert.deepEqual(Array.from(gx), [2, 0, 1, 7, 0, 0]);
  // scatterAdd accumulates onto what is already there (the caller zeroes when it wants a fresh sum).
  B.scatterAdd(Float32Array.from([1, 1, 1, 1]), 2, 3, 1, idx, 2, gx);
  assert.deepEqual(Array.from(gx), [3, 0, 2, 9, 0, 0]);
});
