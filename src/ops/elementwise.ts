import { Tensor, type Operand } from '../tensor/tensor.js';
import { backend } from '../backend/registry.js';
import { emptyF32 } from '../backend/alloc.js';
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { record } from '../autograd/record.js';
import { broadcastShapes, broadcastStrides, sameShape, numel } from '../tensor/shape.js';
import { checkBroadcast } from '../tensor/broadcast-mode.js';

/** Elementwise ops and their gradients. Integer inputs are promoted to float32. */

export function toFloat32(t: Tensor): Tensor {
  if (t.dtype === 'float32') return t;
  return new Tensor(Float32Array.from(t.data), t.shape, 'float32');
}

function f32(t: Tensor): Float32Array {
  return (t.dtype === 'float32' ? t.data : Float32Array.from(t.data)) as Float32Array;
}

/** Forward of a binary kernel, no graph. */
export function binaryRaw(op: BinaryOp, a: Tensor, b: Operand): Tensor {
  const be = backend();
  if (typeof b === 'number') {
    const out = emptyF32(a.size);
    be.binaryScalar(op, f32(a), b, out, false);
    return new Tensor(out, a.shape);
  }
  if (sameShape(a.shape, b.shape)) {
    const out = emptyF32(a.size);
    const s = broadcastStridesCache(a.shape);
    be.binary(op, f32(a), s, f32(b), s, out, a.shape as number[]);
    return new Tensor(out, a.shape);
  }
  if (b.size === 1 && b.ndim <= a.ndim) {
    const out = emptyF32(a.size);
    be.binaryScalar(op, f32(a), b.data[0], out, false);
    return new Tensor(out, a.shape);
  }
  if (a.size === 1 && a.ndim <= b.ndim) {
    const out = emptyF32(b.size);
    be.binaryScalar(op, f32(b), a.data[0], out, true);
    return new Tensor(out, b.shape);
  }
  const shape = broadcastShapes(op, a.shape, b.shape);
  checkBroadcast(op, a.shape, b.shape, shape);
  const out = emptyF32(numel(shape));
  be.binary(op, f32(a), broadcastStrides(a.shape, shape), f32(b), broadcastStrides(b.shape, shape), out, shape);
  return new Tensor(out, shape);
}

const stridesByRank = new Map<string, number[]>();
function broadcastStridesCache(shape: readonly number[]): number[] {
  const key = shape.join(',');
  let s = stridesByRank.get(key);
  if (!s) {
    s = broadcastStrides(shape, shape);
    if (stridesByRank.size > 256) stridesByRank.clear();
    stridesByRank.set(key, s);
  }
  return s;
}

export function unaryRaw(op: UnaryOp, a: Tensor): Tensor {
  const out = emptyF32(a.size);
  backend().unary(op, f32(a), out);
  return new Tensor(out, a.shape);
}

function scalarFirstRaw(op: BinaryOp, s: number, b: Tensor): Tensor {
  const out = emptyF32(b.size);
  backend().binaryScalar(op, f32(b), s, out, true);
  return new Tensor(out, b.shape);
}

const asTensor = (x: Operand): Tensor | null => (typeof x === 'number' ? null : x);
const inputsOf = (a: Tensor, b: Operand): Tensor[] => (typeof b === 'number' ? [a] : [a, b]);

export function add(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') return add(b, a);
  return record(binaryRaw('add', a, b), 'add', inputsOf(a, b), (g) => [g, g]);
}

export function sub(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') return add(neg(b as Tensor), a);
  return record(binaryRaw('sub', a, b), 'sub', inputsOf(a, b), (g) => [g, neg(g)]);
}

export function mul(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') return mul(b, a);
  return record(binaryRaw('mul', a, b), 'mul', inputsOf(a, b), (g) => {
    const bt = asTensor(b);
    return [mul(g, b), bt ? mul(g, a) : null];
  });
}

export function div(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') {
    const bt = b as Tensor;
    const out = scalarFirstRaw('div', a, bt);
    return record(out, 'div', [bt], (g) => [neg(mul(g, div(a, square(bt))))]);
  }
  return record(binaryRaw('div', a, b), 'div', inputsOf(a, b), (g) => {
    const bt = asTensor(b);
    return [div(g, b), bt ? neg(div(mul(g, a), square(bt))) : null];
  });
}

export function pow(a: Operand, b: Operand): Tensor {
  if (typeof a === 'number') {
    const bt = b as Tensor;
    const out = scalarFirstRaw('pow', a, bt);
    return record(out, 'pow', [bt], (g) => [mul(g, mul(out.detach(), Math.log(a)))]);
  }
  const out = binaryRaw('pow', a, b);
  return record(out, 'pow', inputsOf(a, b), (g) => {
    const bt = asTensor(b);
    const ga = typeof b === 'number'
      ? (b === 0 ? null : mul(g, mul(pow(a, b - 1), b)))
      : mul(g, mul(b, pow(a, sub(b, 1))));
    // d/db a^b = a^b log a; defined as 0 where a == 0 (PyTorch's convention for a^b at a = 0)
    const gb = bt ? mul(g, where(a.eq(0), 0, mul(pow(a, b), log(a)))) : null;
    return [ga, gb];
  });
}

/** Elementwise max; on ties the gradient is split evenly, as in torch.maximum. */
export function maximum(a: Tensor, b: Operand): Tensor {
  return record(binaryRaw('maximum', a, b), 'maximum', inputsOf(a, b), (g) => {
    const half = mul(g, 0.5);
    const tie = a.eq(b);
    const ga = where(a.gt(b), g, where(tie, half, 0));
    return [ga, typeof b === 'number' ? null : where(lt(a, b), g, where(tie, half, 0))];
  });
}

export function minimum(a: Tensor, b: Operand): Tensor {
  return record(binaryRaw('minimum', a, b), 'minimum', inputsOf(a, b), (g) => {
    const half = mul(g, 0.5);
    const tie = a.eq(b);
    const ga = where(a.lt(b), g, where(tie, half, 0));
    return [ga, typeof b === 'number' ? null : where(gt(a, b), g, where(tie, half, 0))];
  });
}

// Comparisons return float32 0/1 and carry no gradient.
export const eq = (a: Tensor, b: Operand): Tensor => binaryRaw('eq', a, b);
export const ne = (a: Tensor, b: Operand): Tensor => binaryRaw('ne', a, b);
export const lt = (a: Tensor, b: Operand): Tensor => binaryRaw('lt', a, b);
export const le = (a: Tensor, b: Operand): Tensor => binaryRaw('le', a, b);
export const gt = (a: Tensor, b: Operand): Tensor => binaryRaw('gt', a, b);
export const ge = (a: Tensor, b: Operand): Tensor => binaryRaw('ge', a, b);
export const isfinite = (a: Tensor): Tensor => unaryRaw('isfinite', a);
/** Heaviside step: 1 where x > 0, else 0 (no gradient). */
export const step = (a: Tensor): Tensor => unaryRaw('step', a);

function unary(op: UnaryOp, a: Tensor, grad: (g: Tensor, out: Tensor) => Tensor | null): Tensor {
  const out = unaryRaw(op, a);
  return record(out, op, [a], (g) => [grad(g, out)]);
}

export const neg = (a: Tensor): Tensor => unary('neg', a, (g) => neg(g));
export const exp = (a: Tensor): Tensor => unary('exp', a, (g, out) => mul(g, out));
export const log = (a: Tensor): Tensor => unary('log', a, (g) => div(g, a));
export const log1p = (a: Tensor): Tensor => unary('log1p', a, (g) => div(g, add(a, 1)));
export const expm1 = (a: Tensor): Tensor => unary('expm1', a, (g, out) => mul(g, add(out, 1)));
export const sqrt = (a: Tensor): Tensor => unary('sqrt', a, (g, out) => div(mul(g, 0.5), out));
export const rsqrt = (a: Tensor): Tensor => unary('rsqrt', a, (g, out) => mul(g, mul(pow(out, 3), -0.5)));
export const abs = (a: Tensor): Tensor => unary('abs', a, (g) => mul(g, sign(a)));
export const sign = (a: Tensor): Tensor => unary('sign', a, () => null);
export const sin = (a: Tensor): Tensor => unary('sin', a, (g) => mul(g, cos(a)));
export const cos = (a: Tensor): Tensor => unary('cos', a, (g) => neg(mul(g, sin(a))));
export const square = (a: Tensor): Tensor => unary('square', a, (g) => mul(g, mul(a, 2)));
export const reciprocal = (a: Tensor): Tensor => unary('reciprocal', a, (g, out) => neg(mul(g, square(out))));
// d/dx erf(x) = 2/sqrt(pi) * exp(-x^2)
export const erf = (a: Tensor): Tensor => unary('erf', a, (g) => mul(g, mul(exp(neg(square(a))), 2 / Math.sqrt(Math.PI))));
export const floor = (a: Tensor): Tensor => unary('floor', a, () => null);
export const ceil = (a: Tensor): Tensor => unary('ceil', a, () => null);
export const round = (a: Tensor): Tensor => unary('round', a, () => null);

/** cond ? a : b elementwise with broadcasting; the gradient flows to the branch that was taken. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const ta = typeof a === 'number' ? new Tensor(Float32Array.of(a), []) : a;
  const tb = typeof b === 'number' ? new Tensor(Float32Array.of(b), []) : b;
  const s1 = broadcastShapes('where', cond.shape, ta.shape);
  const shape = broadcastShapes('where', s1, tb.shape);
  const out = emptyF32(numel(shape));
  backend().where(f32(cond), broadcastStrides(cond.shape, shape), f32(ta), broadcastStrides(ta.shape, shape),
    f32(tb), broadcastStrides(tb.shape, shape), out, shape);
  return record(new Tensor(out, shape), 'where', [ta, tb], (g) => [where(cond, g, 0), where(cond, 0, g)]);
}

/** Clamps into [min, max] (either may be null); the gradient passes where the input was inside. */
export function clamp(a: Tensor, min: number | null, max: number | null): Tensor {
  const lo = min ?? -Infinity, hi = max ?? Infinity;
  const out = emptyF32(a.size);
  backend().clamp(f32(a), lo, hi, out);
  return record(new Tensor(out, a.shape), 'clamp', [a], (g) => [mul(g, mul(a.ge(lo), a.le(hi)))]);
}

/** In place a += alpha * b (b broadcast to a's shape), no graph. */
export function addInPlace(a: Tensor, b: Operand, alpha: number): void {
  if (alpha === 1 && typeof b !== 'number' && a.dtype === 'float32' && sameShape(a.shape, b.shape)) {
    // Straight into a's buffer (every element is read before it is written): the bits of the
    // general path, without its temporary.
    const s = broadcastStridesCache(a.shape);
    backend().binary('add', a.f32, s, f32(b), s, a.f32, a.shape as number[]);
    return;
  }
  const r = typeof b === 'number' ? b * alpha : alpha === 1 ? b : binaryRaw('mul', b, alpha);
  const sum = binaryRaw('add', a, r);
  if (sum.size !== a.size) throw new Error(`add_: the result of shape (${sum.shape}) does not fit the tensor of shape (${a.shape})`);
  a.data.set(sum.data);
}

export function mulInPlace(a: Tensor, b: Operand): void {
  const p = binaryRaw('mul', a, b);
  if (p.size !== a.size) throw new Error(`mul_: the result of shape (${p.shape}) does not fit the tensor of shape (${a.shape})`);
  a.data.set(p.data);
}
