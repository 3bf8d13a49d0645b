import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend as B } from '../../src/backend/js/index.js';
import { expectClose, randomArray, gemmCaseInputs, type GemmCase } from '../helpers.js';

/** Naive float64 reference of one batched GEMM entry, same argument convention as the kernel. */
function refGemm(
  tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, aOff: number, b: Float32Array, bOff: number, beta: number, c: Float32Array, cOff: number,
  batch: number, sA: number, sB: number, sC: number,
): Float32Array {
  const out = Float32Array.from(c);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = tA ? a[aOff + t * sA + p * m + i] : a[aOff + t * sA + i * k + p];
          const bv = tB ? b[bOff + t * sB + j * k + p] : b[bOff + t * sB + p * n + j];
          s += av * bv;
        }
        const ci = cOff + t * sC + i * n + j;
        out[ci] = alpha * s + (beta === 0 ? 0 : beta * c[ci]);
      }
    }
  }
  return out;
}


function runCase(tA: boolean, tB: boolean, cs: GemmCase, seed: number): void {
  const { m, n, k, alpha, beta, batch, sA, sB, sC, aOff, bOff, cOff, a, b, c } = gemmCaseInputs(cs, seed);
  const expected = refGemm(tA, tB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, sA, sB, sC);
  const got = Float32Array.from(c);
  B.gemm(tA, tB, m, n, k, alpha, a, aOff, b, bOff, beta, got, cOff, batch, sA, sB, sC);
  expectClose(got, expected, 1e-5, 1e-4, `gemm tA=${tA} tB=${tB} m=${m} n=${n} k=${k} batch=${batch}`);
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const SIZES = [1, 3, 17, 33, 65];

test('gemm matches the naive reference for every transpose combination over odd sizes', () => {
  let seed = 1;
  for (const [tA, tB] of TRANS) {
    for (const m of SIZES) {
      for (const n of SIZES) {
        for (const k of [1, 5, 33, 65]) {
          runCase(tA, tB, { m, n, k }, seed);
          seed += 7;
        }
      }
    }
  }
});

test('gemm crosses every cache block boundary (k > 256, m > 64, n > 1024)', () => {
  let seed = 1000;
  for (const [tA, tB] of TRANS) {
    runCase(tA, tB, { m: 130, n: 67, k: 300, alpha: 0.5, beta: 1 }, seed++);
    runCase(tA, tB, { m: 5, n: 1030, k: 7 }, seed++);
    runCase(tA, tB, { m: 67, n: 5, k: 513, beta: -0.25 }, seed++);
  }
});

test('gemm alpha, beta and offsets', () => {
  let seed = 2000;
  for (const [tA, tB] of TRANS) {
    for (const [alpha, beta] of [[2, 0], [-1, 1], [0.5, 0.75], [1, -2]]) {
      runCase(tA, tB, { m: 17, n: 33, k: 19, alpha, beta, pad: 3 }, seed++);
      runCase(tA, tB, { m: 2, n: 3, k: 4, alpha, beta, pad: 5 }, seed++);
    }
  }
});

test('batched gemm, including stride-0 broadcast of either operand', () => {
  let seed = 3000;
  for (const [tA, tB] of TRANS) {
    runCase(tA, tB, { m: 9, n: 13, k: 11, batch: 3, pad: 2 }, seed++);
    runCase(tA, tB, { m: 33, n: 17, k: 65, batch: 4, bcastA: true, beta: 1 }, seed++);
    runCase(tA, tB, { m: 17, n: 33, k: 3, batch: 5, bcastB: true, alpha: 2 }, seed++);
    runCase(tA, tB, { m: 1, n: 65, k: 17, batch: 2, bcastA: true, bcastB: true }, seed++);
  }
});

test('beta = 0 ignores old C content, even NaN and Infinity; cells outside C stay untouched', () => {
  for (const [tA, tB] of TRANS) {
    for (const [m, n, k] of [[2, 2, 2], [33, 17, 40]]) {
      const a = randomArray(m * k, 11), b = randomArray(k * n, 12);
      const c = new Float32Array(m * n + 2).fill(NaN);
      c[m * n] = 42; c[m * n + 1] = Infinity;
      c[0] = Infinity;
      B.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, c, 0, 1, 0, 0, 0);
      const expected = refGemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, new Float32Array(m * n), 0, 1, 0, 0, 0);
      expectClose(c.subarray(0, m * n), expected, 1e-5, 1e-4, 'gemm beta=0');
      assert.equal(c[m * n], 42);
      assert.equal(c[m * n + 1], Infinity);
    }
  }
});

test('gemm with k = 0 or alpha = 0 only scales C by beta', () => {
  const c = Float32Array.from([1, 2, 3, 4]);
  B.gemm(false, false, 2, 2, 0, 1, new Float32Array(0), 0, new Float32Array(0), 0, 0.5, c, 0, 1, 0, 0, 0);
  assert.deepEqual(Array.from(c), [0.5, 1, 1.5, 2]);
  const c2 = Float32Array.from([1, 2, 3, 4]);
  B.gemm(false, false, 2, 2, 2, 0, new Float32Array([1, 2, 3, 4]), 0, new Float32Array([1, 0, 0, 1]), 0, 0, c2, 0, 1, 0, 0, 0);
  assert.deepEqual(Array.from(c2), [0, 0, 0, 0]);
});

test('gemm on a hand-computed product', () => {
  // [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
  const a = new Float32Array([1, 2, 3, 4, 5, 6]);
  const b = new Float32Array([7, 8, 9, 10, 11, 12]);
  const c = new Float32Array(4);
  B.gemm(false, false, 2, 2, 3, 1, a, 0, b, 0, 0, c, 0, 1, 0, 0, 0);
  assert.deepEqual(Array.from(c), [58, 64, 139, 154]);
  // A^T stored as 3x2, B^T stored as 2x3: same product.
  const at = new Float32Array([1, 4, 2, 5, 3, 6]);
  const bt = new Float32Array([7, 9, 11, 8, 10, 12]);
  const c2 = new Float32Array(4);
  B.gemm(true, true, 2, 2, 3, 1, at, 0, bt, 0, 0, c2, 0, 1, 0, 0, 0);
  assert.deepEqual(Array.from(c2), [58, 64, 139, 154]);
});

test('gemm propagates NaN from the inputs', () => {
  for (const [tA, tB] of TRANS) {
    const m = 9, n = 9, k = 70;
    const a = randomArray(m * k, 5), b = randomArray(k * n, 6);
    // Row 3 of op(A) gets a NaN: all of C's row 3 is NaN, no other row is.
    if (tA) a[10 * m + 3] = NaN; else a[3 * k + 10] = NaN;
    const c = new Float32Array(m * n);
    B.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, c, 0, 1, 0, 0, 0);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) assert.equal(Number.isNaN(c[i * n + j]), i === 3, `C[${i},${j}] = ${c[i * n + j]}`);
    }
  }
});

test('gemm small-shape paths propagate NaN even against zeros (0 * NaN = NaN)', () => {
  // Each shape lands on a different unblocked loop order (row form, column form, dot form) or the blocked path.
  for (const [m, n, k] of [[2, 9, 3], [9, 2, 3], [2, 2, 5], [3, 3, 3], [12, 12, 40]]) {
    for (const [tA, tB] of TRANS) {
      const a = new Float32Array(m * k); // all zeros
      const b = randomArray(k * n, 9);
      // NaN at op(B)[1, 0]: column 0 of C must be NaN, the rest 0.
      if (tB) b[0 * k + 1] = NaN; else b[1 * n + 0] = NaN;
      const c = new Float32Array(m * n).fill(7);
      B.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, c, 0, 1, 0, 0, 0);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const v = c[i * n + j];
          assert.ok(j === 0 ? Number.isNaN(v) : v === 0, `m=${m} n=${n} k=${k} tA=${tA} tB=${tB}: C[${i},${j}] = ${v}`);
        }
      }
    }
  }
});
