/**
 * Elementwise functions of two arguments (binaryScalar, broadcasting binary) and `where`.
 *
 * The broadcast iteration space is coalesced first (see strided.ts), so the common layouts reach
 * a single tight loop: same-shape contiguous operands become one 1-D run, a bias add (m,n)+(n) is
 * m runs of contiguous + contiguous, a column broadcast (m,n)+(m,1) is m runs of vector-op-scalar.
 * Every run switches on the op once and then loops without calls.
 *
 * Semantics follow PyTorch on float32: comparisons give 1/0, maximum/minimum propagate NaN,
 * pow is Math.pow except in the two corners where JavaScript and C (hence PyTorch) disagree:
 * pow(1, y) = 1 for every y (NaN included) and pow(-1, +-Infinity) = 1.
 */
import type { BinaryOp, F32 } from '../backend.js';
import { coalesce } from './strided.js';

/** C's pow where Math.pow returned NaN (r): 1^y = 1 for any y, (-1)^(+-inf) = 1; otherwise r. */
function cPowFix(x: number, y: number, r: number): number {
  return x === 1 || (x === -1 && (y === Infinity || y === -Infinity)) ? 1 : r;
}

/**
 * out = b > 0 ? a : 0 on the float32 bit patterns, without a branch (the sign of b is random, so
 * a branch mispredicts half the time). b > 0 holds exactly for the int32 patterns 1..0x7f800000
 * (+Infinity; NaN and every negative or zero pattern fall outside), i.e. (b - 1) >>> 0 < 0x7f800000;
 * a's bits are copied unchanged where it holds.
 */
function reluBackwardBits(a: F32, ia: number, sa: number, b: F32, ib: number, sb: number, out: F32, oo: number, n: number): void {
  const ai = new Int32Array(a.buffer, a.byteOffset, a.length);
  const bi = new Int32Array(b.buffer, b.byteOffset, b.length);
  const oi = new Int32Array(out.buffer, out.byteOffset, out.length);
  const end = oo + n;
  for (let o = oo; o < end; o++, ia += sa, ib += sb) oi[o] = ai[ia] & -((bi[ib] - 1) >>> 0 < 0x7f800000);
}

/** out[oo + i] = op(a[ia], b[ib]) for i < n, walking a and b with strides sa and sb. */
function runVV(
  op: BinaryOp, a: F32, ia: number, sa: number, b: F32, ib: number, sb: number, out: F32, oo: number, n: number,
): void {
  const end = oo + n;
  switch (op) {
    case 'add': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] + b[ib]; break;
    case 'sub': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] - b[ib]; break;
    case 'mul': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] * b[ib]; break;
    case 'div': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] / b[ib]; break;
    case 'pow':
      for (let o = oo; o < end; o++, ia += sa, ib += sb) {
        const x = a[ia], y = b[ib], r = Math.pow(x, y);
        out[o] = r === r ? r : cPowFix(x, y, r);
      }
      break;
    case 'maximum':
      for (let o = oo; o < end; o++, ia += sa, ib += sb) {
        const x = a[ia], y = b[ib];
        out[o] = x > y || x !== x ? x : y;
      }
      break;
    case 'minimum':
      for (let o = oo; o < end; o++, ia += sa, ib += sb) {
        const x = a[ia], y = b[ib];
        out[o] = x < y || x !== x ? x : y;
      }
      break;
    case 'eq': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] === b[ib] ? 1 : 0; break;
    case 'ne': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] !== b[ib] ? 1 : 0; break;
    case 'lt': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] < b[ib] ? 1 : 0; break;
    case 'le': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] <= b[ib] ? 1 : 0; break;
    case 'gt': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] > b[ib] ? 1 : 0; break;
    case 'ge': for (let o = oo; o < end; o++, ia += sa, ib += sb) out[o] = a[ia] >= b[ib] ? 1 : 0; break;
    case 'reluBackward': reluBackwardBits(a, ia, sa, b, ib, sb, out, oo, n); break;
    default: {
      const never: never = op;
      throw new Error(`js backend: unknown binary op ${String(never)}`);
    }
  }
}

/**
 * out[oo + i] = op(x[ix], s), or op(s, x[ix]) when scalarFirst, walking x with stride sx.
 * s must already be a float32 value.
 */
function runVS(
  op: BinaryOp, x: F32, ix: number, sx: number, s: number, out: F32, oo: number, n: number, scalarFirst: boolean,
): void {
  const end = oo + n;
  switch (op) {
    case 'add': for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] + s; break;
    case 'mul': for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] * s; break;
    case 'sub':
      if (scalarFirst) for (let o = oo; o < end; o++, ix += sx) out[o] = s - x[ix];
      else for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] - s;
      break;
    case 'div':
      if (scalarFirst) for (let o = oo; o < end; o++, ix += sx) out[o] = s / x[ix];
      else for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] / s;
      break;
    case 'pow':
      if (scalarFirst) {
        if (s === 1 || s === -1) for (let o = oo; o < end; o++, ix += sx) { const y = x[ix], r = Math.pow(s, y); out[o] = r === r ? r : cPowFix(s, y, r); }
        else for (let o = oo; o < end; o++, ix += sx) out[o] = Math.pow(s, x[ix]);
      }
      else if (s === 2) for (let o = oo; o < end; o++, ix += sx) { const v = x[ix]; out[o] = v * v; }
      else if (s === Infinity || s === -Infinity || s !== s) {
        for (let o = oo; o < end; o++, ix += sx) { const v = x[ix], r = Math.pow(v, s); out[o] = r === r ? r : cPowFix(v, s, r); }
      } else for (let o = oo; o < end; o++, ix += sx) out[o] = Math.pow(x[ix], s);
      break;
    case 'maximum':
      // Symmetric in its arguments: NaN on either side gives NaN.
      if (s !== s) for (let o = oo; o < end; o++) out[o] = s;
      else for (let o = oo; o < end; o++, ix += sx) { const v = x[ix]; out[o] = v > s || v !== v ? v : s; }
      break;
    case 'minimum':
      if (s !== s) for (let o = oo; o < end; o++) out[o] = s;
      else for (let o = oo; o < end; o++, ix += sx) { const v = x[ix]; out[o] = v < s || v !== v ? v : s; }
      break;
    case 'eq': for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] === s ? 1 : 0; break;
    case 'ne': for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] !== s ? 1 : 0; break;
    // op(s, x) for an ordering is the mirrored ordering of (x, s).
    case 'lt':
      if (scalarFirst) for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] > s ? 1 : 0;
      else for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] < s ? 1 : 0;
      break;
    case 'le':
      if (scalarFirst) for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] >= s ? 1 : 0;
      else for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] <= s ? 1 : 0;
      break;
    case 'gt':
      if (scalarFirst) for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] < s ? 1 : 0;
      else for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] > s ? 1 : 0;
      break;
    case 'ge':
      if (scalarFirst) for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] <= s ? 1 : 0;
      else for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] >= s ? 1 : 0;
      break;
    case 'reluBackward':
      if (scalarFirst) for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix] > 0 ? s : 0;
      else if (s > 0) for (let o = oo; o < end; o++, ix += sx) out[o] = x[ix];
      else for (let o = oo; o < end; o++) out[o] = 0;
      break;
    default: {
      const never: never = op;
      throw new Error(`js backend: unknown binary op ${String(never)}`);
    }
  }
}

/** out[i] = op(x[i], s) or, when scalarFirst, op(s, x[i]); s is rounded to float32 like PyTorch's scalar. */
export function binaryScalar(op: BinaryOp, x: F32, s: number, out: F32, scalarFirst: boolean): void {
  runVS(op, x, 0, 1, Math.fround(s), out, 0, x.length, scalarFirst);
}

/** One run of the innermost dimension, picking the scalar loop when an operand does not move. */
function run(
  op: BinaryOp, a: F32, ia: number, sa: number, b: F32, ib: number, sb: number, out: F32, oo: number, n: number,
): void {
  if (sb === 0) runVS(op, a, ia, sa, b[ib], out, oo, n, false);
  else if (sa === 0) runVS(op, b, ib, sb, a[ia], out, oo, n, true);
  else runVV(op, a, ia, sa, b, ib, sb, out, oo, n);
}

export function binary(
  op: BinaryOp, a: F32, aStrides: number[], b: F32, bStrides: number[], out: F32, outShape: number[],
): void {
  const co = coalesce(outShape, [aStrides, bStrides]);
  if (co.size === 0) return;
  const sh = co.shape, as = co.strides[0], bs = co.strides[1];
  const nd = sh.length;
  if (nd === 0) { runVV(op, a, 0, 0, b, 0, 0, out, 0, 1); return; }
  const n = sh[nd - 1], sa = as[nd - 1], sb = bs[nd - 1];
  if (nd === 1) { run(op, a, 0, sa, b, 0, sb, out, 0, n); return; }
  if (nd === 2) {
    const rows = sh[0], ra = as[0], rb = bs[0];
    for (let r = 0, ia = 0, ib = 0, oo = 0; r < rows; r++, ia += ra, ib += rb, oo += n) {
      run(op, a, ia, sa, b, ib, sb, out, oo, n);
    }
    return;
  }
  const idx = new Array<number>(nd - 1).fill(0);
  const outer = co.size / n;
  let ia = 0, ib = 0;
  for (let q = 0, oo = 0; q < outer; q++, oo += n) {
    run(op, a, ia, sa, b, ib, sb, out, oo, n);
    for (let d = nd - 2; d >= 0; d--) {
      ia += as[d]; ib += bs[d];
      if (++idx[d] < sh[d]) break;
      ia -= as[d] * sh[d]; ib -= bs[d] * sh[d];
      idx[d] = 0;
    }
  }
}

function runWhere(
  c: F32, ic: number, sc: number, a: F32, ia: number, sa: number, b: F32, ib: number, sb: number,
  out: F32, oo: number, n: number,
): void {
  const end = oo + n;
  if (sc === 0) {
    // A uniform condition along the run is a plain copy of one side.
    if (c[ic] !== 0) { for (let o = oo; o < end; o++, ia += sa) out[o] = a[ia]; }
    else { for (let o = oo; o < end; o++, ib += sb) out[o] = b[ib]; }
    return;
  }
  for (let o = oo; o < end; o++, ic += sc, ia += sa, ib += sb) out[o] = c[ic] !== 0 ? a[ia] : b[ib];
}

/** out = cond != 0 ? a : b (NaN counts as true, as bool(NaN) is true), all broadcast via strides. */
export function where(
  cond: F32, cStrides: number[], a: F32, aStrides: number[], b: F32, bStrides: number[], out: F32, outShape: number[],
): void {
  const co = coalesce(outShape, [cStrides, aStrides, bStrides]);
  if (co.size === 0) return;
  const sh = co.shape, cs = co.strides[0], as = co.strides[1], bs = co.strides[2];
  const nd = sh.length;
  if (nd === 0) { out[0] = cond[0] !== 0 ? a[0] : b[0]; return; }
  const n = sh[nd - 1];
  const sc = cs[nd - 1], sa = as[nd - 1], sb = bs[nd - 1];
  const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  const outer = co.size / n;
  let ic = 0, ia = 0, ib = 0;
  for (let q = 0, oo = 0; q < outer; q++, oo += n) {
    runWhere(cond, ic, sc, a, ia, sa, b, ib, sb, out, oo, n);
    for (let d = nd - 2; d >= 0; d--) {
      ic += cs[d]; ia += as[d]; ib += bs[d];
      if (++idx[d] < sh[d]) break;
      ic -= cs[d] * sh[d]; ia -= as[d] * sh[d]; ib -= bs[d] * sh[d];
      idx[d] = 0;
    }
  }
}
