// Native elementwise kernels against the TypeScript reference: every unary and binary op on
// random values mixed with the special ones (NaN, ±Infinity, ±0, exact halves), lengths on
// both sides of the SIMD widths and of the threading threshold, broadcasting layouts, where
// and clamp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type UnaryOp } from '../../src/backend/backend.js';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { randomArray, testRandom } from '../helpers.js';

const native = loadNativeBackend();

/** Like helpers' expectClose, but equal infinities (and NaN with NaN) also match. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) assert.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 0.5, 1.5, 2.5, -0.5, -2.5, 1, -1, 2, 100, -100, 1e-30, 3.4e38];
const LENGTHS = [1, 3, 17, 33, 65, 127, 257, 70_001];

/** Random values in [-4, 4] with the special values sprinkled in. */
function values(n: number, seed: number): Float32Array {
  const x = randomArray(n, seed, -4, 4);
  const r = testRandom(seed + 7);
  for (let i = 0; i < n; i++) if (r() < 0.15) x[i] = SPECIAL[Math.floor(r() * SPECIAL.length)];
  return x;
}

/** Transcendental ops are compared with a float32-ulp-scale tolerance; the rest exactly. */
const EXACT_UNARY = new Set<UnaryOp>([
  'neg', 'sqrt', 'abs', 'sign', 'relu', 'reciprocal', 'square', 'floor', 'ceil', 'round', 'isfinite', 'step',
]);

test('native unary: every op matches the reference, including NaN/Inf/signed-zero inputs', { skip }, () => {
  let seed = 1;
  for (const op of UNARY_OPS) {
    for (const n of LENGTHS) {
      const x = values(n, seed++);
      const expected = new Float32Array(n), got = new Float32Array(n);
      JS.unary(op, x, expected);
      native!.unary(op, x, got);
      if (EXACT_UNARY.has(op)) expectClose(got, expected, 0, 0, `${op}[n=${n}]`);
      else expectClose(got, expected, 1e-6, 1e-6, `${op}[n=${n}]`);
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(expected[i]) !== Number.isNaN(got[i])) assert.fail(`${op}(${x[i]}): NaN mismatch, got ${got[i]}`);
      }
    }
  }
});

test('native unary: PyTorch corner cases spelled out', { skip }, () => {
  const run = (op: UnaryOp, xs: number[]): number[] => {
    const out = new Float32Array(xs.length);
    native!.unary(op, Float32Array.from(xs), out);
    return Array.from(out);
  };
  assert.deepEqual(run('round', [0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6]), [0, 2, 2, -0, -2, 2, -3]);
  assert.deepEqual(run('sign', [3, -2, 0, NaN]), [1, -1, 0, NaN]);
  assert.deepEqual(run('step', [1, 0, -1, NaN]), [1, 0, 0, 0]);
  assert.deepEqual(run('relu', [1, -1, NaN]), [1, 0, NaN]);
  assert.deepEqual(run('isfinite', [1, Infinity, -Infinity, NaN]), [1, 0, 0, 0]);
  assert.deepEqual(run('sigmoid', [-200, 200, 0]), [0, 1, 0.5]);
});

test('native unary: vectorized exp/log/sigmoid/tanh stay within a few ulp across the float range', { skip }, () => {
  // Magnitudes from denormal to huge, both signs: covers exp's overflow and gradual underflow,
  // log of denormals, and the switch between tanh's polynomial and exp-based branches.
  const xs: number[] = [];
  for (let e = -149; e <= 127; e += 0.37) xs.push(2 ** e, -(2 ** e));
  for (let v = -110; v <= 100; v += 0.173) xs.push(v);
  const x = Float32Array.from(xs);
  for (const op of ['exp', 'log', 'sigmoid', 'tanh'] as const) {
    const e = new Float32Array(x.length), g = new Float32Array(x.length);
    JS.unary(op, x, e);
    native!.unary(op, x, g);
    for (let i = 0; i < x.length; i++) {
      const a = g[i], b = e[i];
      if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
      // 3 ulp of float32, or 2 denormal steps near zero.
      if (!(Math.abs(a - b) <= Math.max(3 * 2 ** -23 * Math.abs(b), 3e-45))) {
        assert.fail(`${op}(${x[i]}): got ${a}, expected ${b}`);
      }
    }
  }
});

test('native unary: in place (out === x)', { skip }, () => {
  const x = values(1000, 5);
  const expected = new Float32Array(1000);
  JS.unary('exp', x, expected);
  native!.unary('exp', x, x);
  expectClose(x, expected, 1e-6, 1e-6, 'exp in place');
});

const SCALARS = [2, 0.5, -3, 0, NaN, Infinity, -Infinity, 1, -1];

test('native binaryScalar: every op, both operand orders, special scalars', { skip }, () => {
  let seed = 100;
  for (const op of BINARY_OPS) {
    for (const s of SCALARS) {
      for (const scalarFirst of [false, true]) {
        for (const n of [1, 17, 257, 70_001]) {
          const x = values(n, seed++);
          const expected = new Float32Array(n), got = new Float32Array(n);
          JS.binaryScalar(op, x, s, expected, scalarFirst);
          native!.binaryScalar(op, x, s, got, scalarFirst);
          const tol = op === 'pow' ? 1e-6 : 0;
          expectClose(got, expected, tol, tol, `${op}(${scalarFirst ? `${s}, x` : `x, ${s}`})[n=${n}]`);
        }
      }
    }
  }
});

/** Contiguous element strides of a shape, with 0 along the dimensions where `shape` is 1 and the output is not. */
function broadcastStrides(shape: number[], outShape: number[]): number[] {
  const st = new Array<number>(outShape.length).fill(0);
  let acc = 1;
  for (let d = outShape.length - 1, s = shape.length - 1; d >= 0; d--, s--) {
    if (s < 0) continue;
    st[d] = shape[s] === 1 && outShape[d] !== 1 ? 0 : acc;
    acc *= shape[s];
  }
  return st;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

const LAYOUTS: { a: number[]; b: number[]; out: number[] }[] = [
  { a: [257], b: [257], out: [257] },
  { a: [64, 256], b: [256], out: [64, 256] },       // bias add
  { a: [17, 33], b: [17, 1], out: [17, 33] },       // column broadcast
  { a: [1, 33], b: [17, 1], out: [17, 33] },        // outer product
  { a: [3, 1, 5], b: [1, 4, 5], out: [3, 4, 5] },
  { a: [2, 3, 1, 7], b: [3, 65, 1], out: [2, 3, 65, 7] },
  { a: [1], b: [65, 3], out: [65, 3] },
  { a: [300, 257], b: [257], out: [300, 257] },     // threaded
  { a: [127, 1, 3], b: [1, 129, 3], out: [127, 129, 3] },
];

test('native binary: broadcasting layouts for every op', { skip }, () => {
  let seed = 1000;
  for (const op of BINARY_OPS) {
    for (const L of LAYOUTS) {
      const a = values(size(L.a), seed++), b = values(size(L.b), seed++);
      const as = broadcastStrides(L.a, L.out), bs = broadcastStrides(L.b, L.out);
      const expected = new Float32Array(size(L.out)), got = new Float32Array(size(L.out));
      JS.binary(op, a, as, b, bs, expected, L.out);
      native!.binary(op, a, as, b, bs, got, L.out);
      const tol = op === 'pow' ? 1e-6 : 0;
      expectClose(got, expected, tol, tol, `${op} ${JSON.stringify(L)}`);
    }
  }
});

test('native binary: non-contiguous (transposed) operands and a scalar output', { skip }, () => {
  const ops: BinaryOp[] = ['add', 'sub', 'maximum', 'lt'];
  for (const op of ops) {
    // a is a (5 x 7) matrix read transposed as (7 x 5); b is contiguous (7 x 5).
    const a = values(35, 1), b = values(35, 2);
    const expected = new Float32Array(35), got = new Float32Array(35);
    JS.binary(op, a, [1, 7], b, [5, 1], expected, [7, 5]);
    native!.binary(op, a, [1, 7], b, [5, 1], got, [7, 5]);
    expectClose(got, expected, 0, 0, `${op} transposed`);
    const e1 = new Float32Array(1), g1 = new Float32Array(1);
    JS.binary(op, a, [], b, [], e1, []);
    native!.binary(op, a, [], b, [], g1, []);
    expectClose(g1, e1, 0, 0, `${op} 0-d`);
  }
  // Many size-1 dimensions (more than the native kernels take before squeezing).
  const shape = [...new Array<number>(20).fill(1), 3, 4];
  const a = values(12, 3), b = values(12, 4);
  const st = broadcastStrides(shape, shape);
  const e = new Float32Array(12), g = new Float32Array(12);
  JS.binary('mul', a, st, b, st, e, shape);
  native!.binary('mul', a, st, b, st, g, shape);
  expectClose(g, e, 0, 0, 'mul with 22 dims');
});

test('native where: broadcasting, NaN condition counts as true', { skip }, () => {
  let seed = 2000;
  for (const L of LAYOUTS) {
    const n = size(L.out);
    const cond = values(size(L.a), seed++).map((v) => (v > 0 ? 1 : v < -2 ? NaN : 0));
    const a = values(size(L.b), seed++), b = values(n, seed++);
    const cs = broadcastStrides(L.a, L.out), as = broadcastStrides(L.b, L.out), bs = broadcastStrides(L.out, L.out);
    const expected = new Float32Array(n), got = new Float32Array(n);
    JS.where(cond, cs, a, as, b, bs, expected, L.out);
    native!.where(cond, cs, a, as, b, bs, got, L.out);
    expectClose(got, expected, 0, 0, `where ${JSON.stringify(L)}`);
  }
});

test('native clamp: NaN passes through, lo > hi gives hi, infinite bounds', { skip }, () => {
  for (const [lo, hi] of [[-1, 1], [0, Infinity], [-Infinity, 0.25], [2, 1], [0.1, 0.1]]) {
    for (const n of [1, 33, 70_001]) {
      const x = values(n, n + lo);
      const expected = new Float32Array(n), got = new Float32Array(n);
      JS.clamp(x, lo, hi, expected);
      native!.clamp(x, lo, hi, got);
      expectClose(got, expected, 0, 0, `clamp(${lo}, ${hi})`);
    }
  }
});

test('native elementwise: rejects unknown ops and short outputs', { skip }, () => {
  const x = new Float32Array(4);
  assert.throws(() => native!.unary('nope' as UnaryOp, x, x));
  assert.throws(() => native!.unary('exp', x, new Float32Array(3)), RangeError);
  assert.throws(() => native!.binary('add', x, [1], x, [1], new Float32Array(4), [5]), RangeError);
});
