import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArgReduceOp, ReduceOp } from '../../src/backend/backend.js';
import { jsBackend as B } from '../../src/backend/js/index.js';
import { expectClose, randomArray } from '../helpers.js';

function refReduce(op: ReduceOp, x: Float32Array, outer: number, size: number, inner: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const vals: number[] = [];
      for (let s = 0; s < size; s++) vals.push(x[(o * size + s) * inner + i]);
      if (op === 'sum') out.push(vals.reduce((p, q) => p + q, 0));
      else if (vals.some(Number.isNaN)) out.push(NaN);
      else out.push(op === 'max' ? Math.max(...vals) : Math.min(...vals));
    }
  }
  return out;
}

function refArg(op: ArgReduceOp, x: Float32Array, outer: number, size: number, inner: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let s = 0; s < size; s++) {
        const v = x[(o * size + s) * inner + i];
        if (Number.isNaN(v)) { best = s; break; }
        const b = x[(o * size + best) * inner + i];
        if (op === 'argmax' ? v > b : v < b) best = s;
      }
      out.push(best);
    }
  }
  return out;
}

const SPLITS: [number, number, number][] = [
  [1, 1, 1], [1, 17, 1], [3, 33, 1], [1, 65, 3], [4, 7, 3], [2, 1, 5], [5, 3, 17], [3, 17, 33], [1, 3, 65], [65, 5, 1], [2, 1000, 1],
];

test('reduce sum/max/min over outer/size/inner splits', () => {
  let seed = 1;
  for (const [outer, size, inner] of SPLITS) {
    const x = randomArray(outer * size * inner, seed++, -3, 3);
    for (const op of ['sum', 'max', 'min'] as ReduceOp[]) {
      const out = new Float32Array(outer * inner).fill(NaN);
      B.reduce(op, x, outer, size, inner, out);
      expectClose(out, refReduce(op, x, outer, size, inner), 1e-5, 1e-5, `${op} [${outer},${size},${inner}]`);
    }
  }
});

test('reduce sum is accurate (float64 accumulation) on long rows', () => {
  const n = 100001;
  const x = new Float32Array(n).fill(0.1);
  const out = new Float32Array(1);
  B.reduce('sum', x, 1, n, 1, out);
  assert.ok(Math.abs(out[0] - n * Math.fround(0.1)) < 1e-2, `sum = ${out[0]}`);
});

test('reduce max/min propagate NaN wherever it sits', () => {
  for (const [outer, size, inner] of [[2, 5, 1], [2, 5, 3]] as [number, number, number][]) {
    for (const pos of [0, 2, size - 1]) {
      const x = randomArray(outer * size * inner, 7);
      x[(1 * size + pos) * inner + 0] = NaN; // only outer 1, inner 0
      for (const op of ['max', 'min'] as ReduceOp[]) {
        const out = new Float32Array(outer * inner);
        B.reduce(op, x, outer, size, inner, out);
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            assert.equal(Number.isNaN(out[o * inner + i]), o === 1 && i === 0, `${op} pos ${pos} at [${o},${i}]`);
          }
        }
      }
    }
  }
  // sum over a row with NaN or mixed infinities.
  const out = new Float32Array(2);
  B.reduce('sum', Float32Array.from([1, NaN, 2, Infinity, -Infinity, 3]), 2, 3, 1, out);
  assert.ok(Number.isNaN(out[0]) && Number.isNaN(out[1]));
});

test('argmax/argmin return the first extreme index, and the first NaN', () => {
  let seed = 100;
  for (const [outer, size, inner] of SPLITS) {
    // Few distinct values so ties are common.
    const x = randomArray(outer * size * inner, seed++).map((v) => Math.round(v * 2));
    for (const op of ['argmax', 'argmin'] as ArgReduceOp[]) {
      const out = new Int32Array(outer * inner).fill(-1);
      B.argReduce(op, x, outer, size, inner, out);
      assert.deepEqual(Array.from(out), refArg(op, x, outer, size, inner), `${op} [${outer},${size},${inner}]`);
    }
  }
  const x = Float32Array.from([1, 5, 5, 0, 0, /**/ 3, NaN, 9, NaN, -1, /**/ NaN, 1, 2, 3, 4]);
  const out = new Int32Array(3);
  B.argReduce('argmax', x, 3, 5, 1, out);
  assert.deepEqual(Array.from(out), [1, 1, 0]);
  B.argReduce('argmin', x, 3, 5, 1, out);
  assert.deepEqual(Array.from(out), [3, 1, 0]);
  // Same data with inner = 1 laid out as the middle axis of [1, 5, 3].
  const t = new Float32Array(15);
  for (let r = 0; r < 3; r++) for (let s = 0; s < 5; s++) t[s * 3 + r] = x[r * 5 + s];
  B.argReduce('argmax', t, 1, 5, 3, out);
  assert.deepEqual(Array.from(out), [1, 1, 0]);
  B.argReduce('argmin', t, 1, 5, 3, out);
  assert.deepEqual(Array.from(out), [3, 1, 0]);
});

function refSoftmax(x: Float32Array, rows: number, cols: number, log: boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
    const m = Math.max(...row);
    const s = row.reduce((p, v) => p + Math.exp(v - m), 0);
    for (const v of row) out.push(log ? v - m - Math.log(s) : Math.exp(v - m) / s);
  }
  return out;
}

test('softmax and log-softmax match the reference on random rows', () => {
  let seed = 200;
  for (const [rows, cols] of [[1, 1], [3, 17], [17, 3], [2, 65], [5, 1000]]) {
    const x = randomArray(rows * cols, seed++, -10, 10);
    for (const log of [false, true]) {
      const out = new Float32Array(rows * cols);
      B.softmax(x, rows, cols, out, log);
      expectClose(out, refSoftmax(x, rows, cols, log), 1e-6, 1e-5, `softmax log=${log} [${rows},${cols}]`);
      if (!log) {
        for (let r = 0; r < rows; r++) {
          const s = out.subarray(r * cols, (r + 1) * cols).reduce((p, v) => p + v, 0);
          assert.ok(Math.abs(s - 1) < 1e-5, `row ${r} sums to ${s}`);
        }
      }
    }
  }
});

test('softmax is stable for huge logits, handles -Infinity, propagates NaN, works in place', () => {
  const x = Float32Array.from([1000, 1001, 1002, /**/ -Infinity, 0, 0, /**/ 1, NaN, 2, /**/ -1e30, 1e30, 0]);
  const out = new Float32Array(12);
  B.softmax(x, 4, 3, out, false);
  const e = [Math.exp(-2), Math.exp(-1), 1];
  const s = e[0] + e[1] + e[2];
  expectClose(out.subarray(0, 3), e.map((v) => v / s), 1e-7, 1e-6, 'huge');
  expectClose(out.subarray(3, 6), [0, 0.5, 0.5], 0, 0, '-inf');
  assert.ok(Array.from(out.subarray(6, 9)).every(Number.isNaN), 'NaN row');
  expectClose(out.subarray(9, 12), [0, 1, 0], 0, 0, 'extreme');
  const logOut = new Float32Array(12);
  B.softmax(x, 4, 3, logOut, true);
  expectClose(logOut.subarray(0, 3), [-2, -1, 0].map((v) => v - Math.log(s)), 1e-5, 1e-6, 'log huge');
  assert.equal(logOut[3], -Infinity);
  expectClose(logOut.subarray(4, 6), [-Math.LN2, -Math.LN2], 1e-7, 1e-6, 'log -inf row');
  assert.ok(Number.isNaN(logOut[7]));
  // In place, both flavours.
  for (const log of [false, true]) {
    const y = randomArray(3 * 7, 9, -5, 5);
    const want = refSoftmax(y, 3, 7, log);
    B.softmax(y, 3, 7, y, log);
    expectClose(y, want, 1e-6, 1e-5, `in-place log=${log}`);
  }
});

test('sumSquares: float64 sum of squares within the error bound of recursive summation, for every length around the 8 lanes', () => {
  for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 1000, 235_146]) {
    const x = randomArray(n, n + 1);
    // Neumaier's compensated sum as the (near-exact) reference.
    let sum = 0, comp = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i] * x[i], t = sum + v;
      comp += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
      sum = t;
    }
    const exact = sum + comp;
    const got = B.sumSquares(x);
    // Positive terms: recursive summation errs by at most about n * eps relative; eight lanes by less.
    assert.ok(Math.abs(got - exact) <= Math.max(n / 8, 1) * Number.EPSILON * exact, `n=${n}: ${got} vs ${exact}`);
    if (n === 0) assert.equal(got, 0);
  }
  // Whole groups of eight go lane by lane; the rest into lane 0: [1..9] is (1+81) + 4 + 9 + ... + 64.
  const x = Float32Array.from({ length: 9 }, (_, i) => i + 1);
  assert.equal(B.sumSquares(x), 285);
  assert.equal(B.sumSquares(Float32Array.of(3, NaN)), NaN);
  assert.equal(B.sumSquares(Float32Array.of(Infinity, 1)), Infinity);
  // A float32 square would overflow here; float64 does not.
  assert.equal(B.sumSquares(Float32Array.of(1e30, 1e30)), 2 * Math.fround(1e30) ** 2);
});
