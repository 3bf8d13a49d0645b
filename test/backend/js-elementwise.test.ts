import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BINARY_OPS, UNARY_OPS } from '../../src/backend/backend.js';
import type { BinaryOp, UnaryOp } from '../../src/backend/backend.js';
import { jsBackend as B } from '../../src/backend/js/index.js';
import { expectClose, randomArray } from '../helpers.js';

const f = Math.fround;

function run1(op: UnaryOp, xs: number[]): number[] {
  const out = new Float32Array(xs.length);
  B.unary(op, Float32Array.from(xs), out);
  return Array.from(out);
}

/** Asserts equality treating NaN as equal to NaN and ignoring the sign of zero. */
function same(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${what}[${i}]: got ${a}, expected NaN`);
    else assert.ok(a === e, `${what}[${i}]: got ${a}, expected ${e}`);
  }
}

test('unary ops match Math-based references on random inputs', () => {
  const x = randomArray(1001, 1, -4, 4);
  const pos = randomArray(1001, 2, 0.01, 5);
  const refs: Record<string, [(v: number) => number, Float32Array]> = {
    neg: [(v) => -v, x], exp: [Math.exp, x], log: [Math.log, pos], sqrt: [Math.sqrt, pos],
    rsqrt: [(v) => 1 / Math.sqrt(v), pos], abs: [Math.abs, x], tanh: [Math.tanh, x], sin: [Math.sin, x],
    cos: [Math.cos, x], reciprocal: [(v) => 1 / v, pos], square: [(v) => v * v, x], log1p: [Math.log1p, pos],
    expm1: [Math.expm1, x], floor: [Math.floor, x], ceil: [Math.ceil, x],
    sigmoid: [(v) => 1 / (1 + Math.exp(-v)), x], relu: [(v) => Math.max(v, 0), x],
    sign: [Math.sign, x], step: [(v) => (v > 0 ? 1 : 0), x],
  };
  for (const [op, [fn, input]] of Object.entries(refs)) {
    const out = new Float32Array(input.length);
    B.unary(op as UnaryOp, input, out);
    expectClose(out, Array.from(input, fn), 1e-7, 2e-7, op);
  }
});

test('every declared unary op is implemented and works in place', () => {
  for (const op of UNARY_OPS) {
    const x = randomArray(37, 3, 0.1, 2);
    const out = new Float32Array(37);
    B.unary(op, x, out);
    const inPlace = Float32Array.from(x);
    B.unary(op, inPlace, inPlace);
    assert.deepEqual(Array.from(inPlace), Array.from(out), op);
  }
});

test('round is half to even like torch.round', () => {
  same(run1('round', [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 0.49999997, 2.4, -2.6, 2.6, 1e8 + 1, -7, NaN, Infinity]),
    [0, 2, 2, 4, 0, -2, -2, 0, 2, -3, 3, 1e8, -7, NaN, Infinity].map(f), 'round');
});

test('sign, relu, step, isfinite on special values', () => {
  const xs = [-3, -0, 0, 2.5, NaN, Infinity, -Infinity];
  same(run1('sign', xs), [-1, 0, 0, 1, NaN, 1, -1], 'sign');
  same(run1('relu', xs), [0, 0, 0, 2.5, NaN, Infinity, 0], 'relu');
  same(run1('step', xs), [0, 0, 0, 1, 0, 1, 0], 'step');
  same(run1('isfinite', xs), [1, 1, 1, 1, 0, 0, 0], 'isfinite');
  same(run1('abs', [-2, NaN, -Infinity]), [2, NaN, Infinity], 'abs');
});

/** A float32 NaN with its sign bit set (what x86 produces for 0/0), which bit tricks could mistake for a negative number. */
function negativeNaN(): number {
  const bits = new Uint32Array([0xffc00000]);
  return new Float32Array(bits.buffer)[0];
}

test('relu and reluBackward (computed on bit patterns) keep torch semantics on every special value', () => {
  const nn = negativeNaN();
  assert.ok(Number.isNaN(nn));
  const xs = [-3, -0, 0, 2.5, NaN, nn, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38];
  same(run1('relu', xs), [0, 0, 0, 2.5, NaN, NaN, Infinity, 0, f(1e-45), 0, f(3.4e38), 0], 'relu');
  // gradient g passes where the forward input b is > 0 (NaN and zeros of either sign are not), else 0.
  const b = Float32Array.from(xs);
  const g = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, NaN, Infinity, -9, nn]);
  const out = new Float32Array(b.length);
  B.binary('reluBackward', g, [1], b, [1], out, [b.length]);
  same(Array.from(out), [0, 0, 0, 4, 0, 0, 7, 0, NaN, 0, -9, 0], 'reluBackward');
  // Strided and broadcast operands take the same path.
  const out2 = new Float32Array(4);
  B.binary('reluBackward', Float32Array.from([1, 2, 3, 4]), [1], Float32Array.from([5, -1]), [0], out2, [4]);
  same(Array.from(out2), [1, 2, 3, 4], 'reluBackward with a broadcast positive input');
});

test('sigmoid is stable for large |x|', () => {
  const got = run1('sigmoid', [-1000, -100, -20, 0, 20, 100, 1000, -Infinity, Infinity]);
  for (const v of got) assert.ok(Number.isFinite(v), `sigmoid produced ${v}`);
  same([got[0], got[3], got[5], got[6], got[7], got[8]], [0, 0.5, 1, 1, 0, 1], 'sigmoid');
  assert.ok(got[1] > 0 && Math.abs(got[1] - f(Math.exp(-100))) <= 1e-45, `sigmoid(-100) = ${got[1]}`);
  assert.ok(Math.abs(got[2] - f(2.0611536181902037e-9)) <= 1e-15, `sigmoid(-20) = ${got[2]}`);
});

test('erf is accurate to float32 precision', () => {
  // Reference values of erf (to 16 digits).
  const table: [number, number][] = [
    [0, 0], [1e-5, 1.1283791670578999e-5], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465],
    [0.84375, 0.7672256612323416], [1, 0.8427007929497149], [1.25, 0.9229001282564582], [1.5, 0.9661051464753108],
    [2, 0.9953222650189527], [2.5, 0.9995930479825550], [3, 0.9999779095030014], [3.5, 0.9999992569016276],
    [3.99, 0.9999999832607886], [5, 1], [30, 1],
  ];
  const xs = table.flatMap(([x]) => [x, -x]);
  const want = table.flatMap(([, y]) => [y, -y]);
  const got = run1('erf', xs.map(f));
  // Inputs are rounded to float32 first; the tabled x values are all exact float32 except 0.1 and 1e-5.
  expectClose(got, want, 2e-8, 1e-7, 'erf');
  same(run1('erf', [NaN, Infinity, -Infinity]), [NaN, 1, -1], 'erf specials');
  // Odd symmetry and monotonicity over a dense grid.
  const grid = Array.from({ length: 2001 }, (_, i) => -5 + i * 0.005);
  const e = run1('erf', grid);
  const en = run1('erf', grid.map((v) => -v));
  for (let i = 0; i < grid.length; i++) {
    assert.ok(e[i] === -en[i], `erf not odd at ${grid[i]}`);
    if (i > 0) assert.ok(e[i] >= e[i - 1], `erf not monotone at ${grid[i]}`);
  }
});

test('clamp follows torch.clamp, including NaN and lo > hi', () => {
  const x = Float32Array.from([-2, -0.5, 0, 0.5, 2, NaN, Infinity, -Infinity]);
  const out = new Float32Array(x.length);
  B.clamp(x, -1, 1, out);
  same(Array.from(out), [-1, -0.5, 0, 0.5, 1, NaN, 1, -1], 'clamp');
  B.clamp(x, 0, Infinity, out);
  same(Array.from(out), [0, 0, 0, 0.5, 2, NaN, Infinity, 0], 'clamp min only');
  B.clamp(x, 1, -1, out);
  same(Array.from(out), [-1, -1, -1, -1, -1, NaN, -1, -1], 'clamp lo > hi');
  // Bounds are float32 like the tensor: clamping 0.1f at 0.1 leaves it unchanged.
  B.clamp(Float32Array.from([0.1, 0.3]), 0.1, 0.2, out.subarray(0, 2));
  same(Array.from(out.subarray(0, 2)), [f(0.1), f(0.2)], 'clamp float32 bounds');
});

/** Reference for every binary op, evaluated on float32 inputs. */
function refBinary(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case 'add': return x + y;
    case 'sub': return x - y;
    case 'mul': return x * y;
    case 'div': return x / y;
    case 'pow': return x === 1 || y === 0 || (x === -1 && Math.abs(y) === Infinity) ? 1 : Math.pow(x, y);
    case 'maximum': return Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y);
    case 'minimum': return Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y);
    case 'eq': return x === y ? 1 : 0;
    case 'ne': return x !== y ? 1 : 0;
    case 'lt': return x < y ? 1 : 0;
    case 'le': return x <= y ? 1 : 0;
    case 'gt': return x > y ? 1 : 0;
    case 'ge': return x >= y ? 1 : 0;
    case 'reluBackward': return y > 0 ? x : 0;
  }
}

test('binaryScalar: every op, both operand orders, against the reference', () => {
  const x = randomArray(67, 5, -3, 3);
  x[3] = NaN; x[7] = 0; x[8] = 1.5; x[9] = Infinity; x[10] = -2; x[11] = 1; x[12] = -1; x[13] = -Infinity; x[14] = 2;
  for (const op of BINARY_OPS) {
    for (const s of [1.5, -2, 0, 0.1, NaN, 1, -1, Infinity]) {
      for (const scalarFirst of [false, true]) {
        const out = new Float32Array(x.length);
        B.binaryScalar(op, x, s, out, scalarFirst);
        const sf = f(s);
        const want = Array.from(x, (v) => f(scalarFirst ? refBinary(op, sf, v) : refBinary(op, v, sf)));
        same(Array.from(out), want, `${op}(${scalarFirst ? 's, x' : 'x, s'}) s=${s}`);
      }
    }
  }
});

test('binaryScalar rounds the scalar to float32 like PyTorch', () => {
  const out = new Float32Array(1);
  B.binaryScalar('eq', Float32Array.from([0.1]), 0.1, out, false);
  assert.equal(out[0], 1);
  B.binaryScalar('lt', Float32Array.from([0.1]), 0.1, out, true);
  assert.equal(out[0], 0);
});

/** Strides of a contiguous tensor of `shape` aligned to `outShape` (0 on broadcast dims). */
function bstrides(shape: number[], outShape: number[]): number[] {
  const st = new Array<number>(outShape.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = outShape.length - shape.length + i;
    st[d] = shape[i] === 1 && outShape[d] !== 1 ? 0 : acc;
    acc *= shape[i];
  }
  return st;
}

function broadcastShape(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Element at multi-index `ix` through explicit strides. */
function at(arr: Float32Array, strides: number[], ix: number[]): number {
  let o = 0;
  for (let d = 0; d < ix.length; d++) o += ix[d] * strides[d];
  return arr[o];
}

function* indices(shape: number[]): Generator<number[]> {
  const total = shape.reduce((p, q) => p * q, 1);
  const ix = new Array<number>(shape.length).fill(0);
  for (let t = 0; t < total; t++) {
    yield ix;
    for (let d = shape.length - 1; d >= 0; d--) { if (++ix[d] < shape[d]) break; ix[d] = 0; }
  }
}

const SHAPE_PAIRS: [number[], number[]][] = [
  [[3, 4], [3, 4]], [[65], [65]], [[5, 7], [7]], [[5, 7], [5, 1]], [[1], [4, 3]], [[4, 3], []],
  [[], [6]], [[2, 3, 4], [3, 1]], [[2, 1, 4], [1, 3, 1]], [[4, 1, 5, 2], [3, 1, 1]], [[2, 3, 1, 5], [1, 3, 4, 1]],
  [[1, 1], [1, 1]], [[17, 33], [1, 33]], [[3, 1, 1], [1, 1, 17]], [[0, 3], [1, 3]],
];

test('broadcasting binary: every op over many shape pairs', () => {
  let seed = 10;
  for (const [sa, sb] of SHAPE_PAIRS) {
    const outShape = broadcastShape(sa, sb);
    const size = outShape.reduce((p, q) => p * q, 1);
    const a = randomArray(Math.max(sa.reduce((p, q) => p * q, 1), 1), seed++, -2, 2);
    const b = randomArray(Math.max(sb.reduce((p, q) => p * q, 1), 1), seed++, -2, 2);
    if (a.length > 2) { a[1] = NaN; b[0] = a[0]; }
    const as = bstrides(sa, outShape), bs = bstrides(sb, outShape);
    for (const op of BINARY_OPS) {
      const out = new Float32Array(size);
      B.binary(op, a, as, b, bs, out, outShape);
      const want: number[] = [];
      for (const ix of indices(outShape)) want.push(f(refBinary(op, at(a, as, ix), at(b, bs, ix))));
      same(Array.from(out), want, `${op} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`);
    }
  }
});

test('broadcasting binary reads non-contiguous (transposed, sliced) operands through their strides', () => {
  // a is the transpose of a 4x3 buffer: logical 3x4 with strides [1, 3]. b is every other column of a 3x8 buffer.
  const a = randomArray(12, 21), b = randomArray(24, 22);
  const outShape = [3, 4];
  const as = [1, 3], bs = [8, 2];
  const out = new Float32Array(12);
  B.binary('sub', a, as, b, bs, out, outShape);
  const want: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) want.push(f(a[j * 3 + i] - b[i * 8 + j * 2]));
  same(Array.from(out), want, 'strided sub');
  // 3-D with a permuted operand and a broadcast one.
  const c = randomArray(24, 23), d = randomArray(4, 24);
  const out3 = new Float32Array(24);
  B.binary('mul', c, [1, 8, 2], d, [0, 1, 0], out3, [2, 3, 4]);
  const want3: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) want3.push(f(c[i + j * 8 + k * 2] * d[j]));
  same(Array.from(out3), want3, 'permuted mul');
});

test('binary maximum/minimum propagate NaN from either side; comparisons with NaN', () => {
  let out6: Float32Array;
  const a = Float32Array.from([NaN, 1, NaN, 2, -0, 3]);
  const b = Float32Array.from([1, NaN, NaN, 1, 0, 3]);
  const out = new Float32Array(6);
  B.binary('maximum', a, [1], b, [1], out, [6]);
  same(Array.from(out), [NaN, NaN, NaN, 2, 0, 3], 'maximum');
  B.binary('minimum', a, [1], b, [1], out, [6]);
  same(Array.from(out), [NaN, NaN, NaN, 1, 0, 3], 'minimum');
  B.binary('eq', a, [1], b, [1], out, [6]);
  same(Array.from(out), [0, 0, 0, 0, 1, 1], 'eq');
  B.binary('ne', a, [1], b, [1], out, [6]);
  same(Array.from(out), [1, 1, 1, 1, 0, 0], 'ne');
  B.binary('le', a, [1], b, [1], out, [6]);
  same(Array.from(out), [0, 0, 0, 0, 1, 1], 'le');
  // pow is Math.pow except where C's pow (and so PyTorch) differs: 1^y = 1 and (-1)^(+-inf) = 1.
  B.binary('pow', Float32Array.from([-8, 2, 0, NaN, 1, 1, -1, -1, 2, -1, -1]), [1],
    Float32Array.from([1 / 3, -1, 0, 0, NaN, Infinity, -Infinity, Infinity, Infinity, 0.5, NaN]), [1], out6 = new Float32Array(11), [11]);
  same(Array.from(out6), [NaN, 0.5, 1, 1, 1, 1, 1, 1, Infinity, NaN, NaN], 'pow');
  // Broadcast NaN scalar operand on the right (stride 0 fast path).
  B.binary('maximum', Float32Array.from([1, 2, 3]), [1], Float32Array.from([NaN]), [0], out.subarray(0, 3), [3]);
  same(Array.from(out.subarray(0, 3)), [NaN, NaN, NaN], 'maximum with NaN scalar');
});

test('binary can write in place into its first operand (bias add)', () => {
  const m = 5, n = 7;
  const a = randomArray(m * n, 31), bias = randomArray(n, 32);
  const want = Array.from(a, (v, i) => f(v + bias[i % n]));
  B.binary('add', a, [n, 1], bias, [0, 1], a, [m, n]);
  same(Array.from(a), want, 'in-place bias add');
});

test('where broadcasts condition and both branches; NaN condition counts as true', () => {
  const cases: [number[], number[], number[]][] = [
    [[3, 4], [3, 4], [3, 4]], [[3, 1], [1, 4], []], [[4], [3, 4], [3, 1]], [[2, 1, 3], [1, 5, 1], [5, 3]], [[1], [1], [1]],
  ];
  let seed = 40;
  for (const [sc, sa, sb] of cases) {
    const outShape = broadcastShape(broadcastShape(sc, sa), sb);
    const size = outShape.reduce((p, q) => p * q, 1);
    const n = (s: number[]) => s.reduce((p, q) => p * q, 1);
    const c = randomArray(n(sc), seed++).map((v) => (v > 0.3 ? 0 : v > 0 ? NaN : 1));
    const a = randomArray(n(sa), seed++), b = randomArray(n(sb), seed++);
    const cs = bstrides(sc, outShape), as = bstrides(sa, outShape), bs = bstrides(sb, outShape);
    const out = new Float32Array(size);
    B.where(c, cs, a, as, b, bs, out, outShape);
    const want: number[] = [];
    for (const ix of indices(outShape)) want.push(at(c, cs, ix) !== 0 ? at(a, as, ix) : at(b, bs, ix));
    same(Array.from(out), want, `where ${JSON.stringify([sc, sa, sb])}`);
  }
  const out = new Float32Array(3);
  B.where(Float32Array.from([NaN, 0, -1]), [1], Float32Array.from([1, 2, 3]), [1], Float32Array.from([7, 8, 9]), [1], out, [3]);
  same(Array.from(out), [1, 8, 3], 'where NaN cond');
});
