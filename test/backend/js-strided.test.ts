import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend as B } from '../../src/backend/js/index.js';
import { randomArray } from '../helpers.js';

function refCopy(src: ArrayLike<number>, offset: number, shape: number[], strides: number[]): number[] {
  const out: number[] = [];
  const total = shape.reduce((p, q) => p * q, 1);
  const ix = new Array<number>(shape.length).fill(0);
  for (let t = 0; t < total; t++) {
    let o = offset;
    for (let d = 0; d < shape.length; d++) o += ix[d] * strides[d];
    out.push(src[o]);
    for (let d = shape.length - 1; d >= 0; d--) { if (++ix[d] < shape[d]) break; ix[d] = 0; }
  }
  return out;
}

const CASES: { what: string; offset: number; shape: number[]; strides: number[] }[] = [
  { what: 'contiguous', offset: 0, shape: [4, 5], strides: [5, 1] },
  { what: 'transpose', offset: 0, shape: [5, 4], strides: [1, 5] },
  { what: 'slice with offset', offset: 7, shape: [3, 17], strides: [33, 1] },
  { what: 'step slice', offset: 1, shape: [3, 9], strides: [20, 2] },
  { what: 'broadcast', offset: 2, shape: [3, 4], strides: [0, 1] },
  { what: 'broadcast rows', offset: 0, shape: [3, 4], strides: [1, 0] },
  { what: '4-D permute', offset: 0, shape: [3, 2, 4, 5], strides: [5, 60, 15, 1] },
  { what: '4-D permute, strided inner', offset: 3, shape: [2, 3, 4, 2], strides: [1, 8, 2, 24] },
  { what: 'flip (negative stride)', offset: 9, shape: [10], strides: [-1] },
  { what: 'flip rows', offset: 12, shape: [4, 4], strides: [-4, 1] },
  { what: 'size-1 dims', offset: 4, shape: [1, 6, 1, 1], strides: [99, 1, 77, 5] },
  { what: 'long rows (bulk copy path)', offset: 5, shape: [3, 40], strides: [50, 1] },
  { what: '5-D', offset: 0, shape: [2, 2, 3, 2, 3], strides: [72, 36, 1, 18, 3] },
];

test('copyStrided gathers every view layout into a contiguous buffer (F32)', () => {
  const src = randomArray(200, 1);
  for (const c of CASES) {
    const n = c.shape.reduce((p, q) => p * q, 1);
    const dst = new Float32Array(n).fill(NaN);
    B.copyStrided(src, c.offset, c.shape, c.strides, dst);
    assert.deepEqual(Array.from(dst), refCopy(src, c.offset, c.shape, c.strides), c.what);
  }
});

test('copyStrided on Int32 arrays', () => {
  const src = Int32Array.from({ length: 200 }, (_, i) => i * 3 - 100);
  for (const c of CASES) {
    const n = c.shape.reduce((p, q) => p * q, 1);
    const dst = new Int32Array(n).fill(-999);
    B.copyStrided(src, c.offset, c.shape, c.strides, dst);
    assert.deepEqual(Array.from(dst), refCopy(src, c.offset, c.shape, c.strides), c.what);
  }
});

test('copyStrided of a 0-d view and of an empty view', () => {
  const src = Float32Array.from([1, 2, 3]);
  const dst = new Float32Array(1);
  B.copyStrided(src, 2, [], [], dst);
  assert.equal(dst[0], 3);
  const empty = new Float32Array(0);
  B.copyStrided(src, 0, [0, 3], [3, 1], empty);
  assert.equal(empty.length, 0);
  // A transposed 2x3 written into exactly-sized output.
  const m = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const t = new Float32Array(6);
  B.copyStrided(m, 0, [3, 2], [1, 3], t);
  assert.deepEqual(Array.from(t), [1, 4, 2, 5, 3, 6]);
});
