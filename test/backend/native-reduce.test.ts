// Native reductions, arg-reductions and softmax against the TypeScript reference: every
// [outer, size, inner] arrangement (contiguous rows, strided columns, empty axis), NaN
// propagation, ties, and sizes large enough to take the threaded paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { randomArray, testRandom } from '../helpers.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) assert.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

/** Values in [-1, 1] rounded to a coarse grid (so ties happen), with a few NaN/±Infinity. */
function values(n: number, seed: number, specials = true): Float32Array {
  const x = randomArray(n, seed);
  const r = testRandom(seed + 3);
  for (let i = 0; i < n; i++) {
    x[i] = Math.round(x[i] * 16) / 16;
    if (specials && r() < 0.01) x[i] = [NaN, Infinity, -Infinity][Math.floor(r() * 3)];
  }
  return x;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 257, 1], [17, 33, 1], [3, 17, 65], [1, 64, 256], [65, 3, 17], [2, 0, 3], [0, 5, 2],
  [1, 100_003, 1], [300, 400, 1], [4, 500, 129], [1, 3000, 70],
];

test('native reduce: sum/max/min over every arrangement, NaN propagates through max/min', { skip }, () => {
  let seed = 1;
  for (const [outer, size, inner] of SHAPES) {
    for (const specials of [false, true]) {
      const x = values(outer * size * inner, seed++, specials);
      for (const op of ['sum', 'max', 'min'] as const) {
        const expected = new Float32Array(outer * inner), got = new Float32Array(outer * inner);
        JS.reduce(op, x, outer, size, inner, expected);
        native!.reduce(op, x, outer, size, inner, got);
        // Both accumulate sums in double, in different orders.
        expectClose(got, expected, op === 'sum' ? 1e-6 : 0, op === 'sum' ? 1e-6 : 0, `${op}[${outer},${size},${inner}]`);
      }
    }
  }
});

test('native argReduce: first index of ties, first NaN wins, empty axis gives 0', { skip }, () => {
  let seed = 100;
  for (const [outer, size, inner] of SHAPES) {
    for (const specials of [false, true]) {
      const x = values(outer * size * inner, seed++, specials);
      for (const op of ['argmax', 'argmin'] as const) {
        const expected = new Int32Array(outer * inner), got = new Int32Array(outer * inner);
        JS.argReduce(op, x, outer, size, inner, expected);
        native!.argReduce(op, x, outer, size, inner, got);
        assert.deepEqual(got, expected, `${op}[${outer},${size},${inner}]`);
      }
    }
  }
  const got = new Int32Array(1);
  native!.argReduce('argmax', Float32Array.from([1, 3, 3, NaN, NaN]), 1, 5, 1, got);
  assert.equal(got[0], 3);
  native!.argReduce('argmax', Float32Array.from([1, 3, 3, 2]), 1, 4, 1, got);
  assert.equal(got[0], 1);
});

test('native softmax and log-softmax: stable for large inputs, NaN rows and all -Infinity rows', { skip }, () => {
  let seed = 200;
  for (const [rows, cols] of [[1, 1], [64, 10], [3, 257], [17, 33], [2000, 10], [5, 70_001]]) {
    for (const log of [false, true]) {
      const x = randomArray(rows * cols, seed++, -30, 30);
      if (rows > 2) {
        x[cols] = NaN;                                           // row 1 becomes all NaN
        for (let j = 0; j < cols; j++) x[2 * cols + j] = -Infinity; // row 2: all -Infinity
      }
      x[0] = 1e30;
      const expected = new Float32Array(rows * cols), got = new Float32Array(rows * cols);
      JS.softmax(x, rows, cols, expected, log);
      native!.softmax(x, rows, cols, got, log);
      expectClose(got, expected, log ? 1e-5 : 1e-7, 1e-5, `${log ? 'logSoftmax' : 'softmax'}[${rows}x${cols}]`);
    }
  }
});

test('native sumSquares gives the TypeScript reference bits (the same eight lanes, the same order)', { skip }, () => {
  for (const n of [0, 1, 7, 8, 9, 63, 64, 65, 4097, 235_146]) {
    for (const seed of [1, 2]) {
      const x = randomArray(n, seed * 1000 + n);
      assert.equal(native!.sumSquares(x), JS.sumSquares(x), `n=${n} seed=${seed}`);
    }
  }
  assert.ok(Number.isNaN(native!.sumSquares(Float32Array.of(1, 2, NaN, 4, 5, 6, 7, 8, 9))));
  assert.equal(native!.sumSquares(Float32Array.of(1e30, -1e30)), 2 * Math.fround(1e30) ** 2);
});
