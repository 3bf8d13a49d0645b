/**
 * Reductions over the middle axis of x viewed as [outer, size, inner]. Sums accumulate in float64.
 * max/min propagate NaN (torch.max semantics); argmax/argmin return the first index of the extreme
 * value, and the first NaN when there is one (torch treats NaN as the extreme of both).
 * inner == 1 reduces contiguous runs; otherwise whole inner rows are combined at a time so every
 * loop streams memory contiguously.
 */
import type { ArgReduceOp, F32, I32, ReduceOp } from '../backend.js';

let scratch = new Float64Array(256);
function acc(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

function sumRun(x: F32, start: number, size: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = start;
  const end = start + size, end4 = start + (size & ~3);
  for (; i < end4; i += 4) { s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]; }
  for (; i < end; i++) s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}

export function reduce(op: ReduceOp, x: F32, outer: number, size: number, inner: number, out: F32): void {
  const total = outer * inner;
  if (size === 0) {
    out.fill(op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity, 0, total);
    return;
  }
  if (inner === 1) {
    switch (op) {
      case 'sum':
        for (let o = 0; o < outer; o++) out[o] = sumRun(x, o * size, size);
        break;
      case 'max':
        for (let o = 0; o < outer; o++) {
          const b = o * size, e = b + size;
          let m = x[b];
          for (let j = b + 1; j < e; j++) { const v = x[j]; if (v > m || v !== v) m = v; }
          out[o] = m;
        }
        break;
      case 'min':
        for (let o = 0; o < outer; o++) {
          const b = o * size, e = b + size;
          let m = x[b];
          for (let j = b + 1; j < e; j++) { const v = x[j]; if (v < m || v !== v) m = v; }
          out[o] = m;
        }
        break;
      default: {
        const never: never = op;
        throw new Error(`js backend: unknown reduce op ${String(never)}`);
      }
    }
    return;
  }
  const plane = size * inner;
  switch (op) {
    case 'sum': {
      const a = acc(inner);
      for (let o = 0; o < outer; o++) {
        const base = o * plane;
        for (let i = 0; i < inner; i++) a[i] = x[base + i];
        for (let s = 1; s < size; s++) {
          const row = base + s * inner;
          for (let i = 0; i < inner; i++) a[i] += x[row + i];
        }
        const ob = o * inner;
        for (let i = 0; i < inner; i++) out[ob + i] = a[i];
      }
      break;
    }
    case 'max':
    case 'min': {
      const isMax = op === 'max';
      for (let o = 0; o < outer; o++) {
        const base = o * plane, ob = o * inner;
        // x and out never alias (out is smaller), so out doubles as the running extreme.
        for (let i = 0; i < inner; i++) out[ob + i] = x[base + i];
        for (let s = 1; s < size; s++) {
          const row = base + s * inner;
          if (isMax) {
            for (let i = 0; i < inner; i++) { const v = x[row + i]; if (v > out[ob + i] || v !== v) out[ob + i] = v; }
          } else {
            for (let i = 0; i < inner; i++) { const v = x[row + i]; if (v < out[ob + i] || v !== v) out[ob + i] = v; }
          }
        }
      }
      break;
    }
    default: {
      const never: never = op;
      throw new Error(`js backend: unknown reduce op ${String(never)}`);
    }
  }
}

export function argReduce(op: ArgReduceOp, x: F32, outer: number, size: number, inner: number, out: I32): void {
  const isMax = op === 'argmax';
  if (op !== 'argmax' && op !== 'argmin') throw new Error(`js backend: unknown arg-reduce op ${String(op)}`);
  if (size === 0) { out.fill(0, 0, outer * inner); return; }
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const b = o * size;
      let best = x[b], bi = 0;
      if (best === best) {
        if (isMax) {
          for (let j = 1; j < size; j++) {
            const v = x[b + j];
            if (v > best) { best = v; bi = j; } else if (v !== v) { bi = j; break; }
          }
        } else {
          for (let j = 1; j < size; j++) {
            const v = x[b + j];
            if (v < best) { best = v; bi = j; } else if (v !== v) { bi = j; break; }
          }
        }
      }
      out[o] = bi;
    }
    return;
  }
  const plane = size * inner;
  const best = acc(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * plane, ob = o * inner;
    for (let i = 0; i < inner; i++) { best[i] = x[base + i]; out[ob + i] = 0; }
    for (let s = 1; s < size; s++) {
      const row = base + s * inner;
      for (let i = 0; i < inner; i++) {
        const v = x[row + i], m = best[i];
        // Once the best is NaN it stays (first NaN wins); a strict comparison keeps the first extreme.
        if (m === m && ((isMax ? v > m : v < m) || v !== v)) { best[i] = v; out[ob + i] = s; }
      }
    }
  }
}

/** Backend.sumSquares: eight float64 lanes in the order the contract fixes (native simd_kernels.cc's sum_squares does the same). */
export function sumSquares(x: F32): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  const n = x.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3], x4 = x[i + 4], x5 = x[i + 5], x6 = x[i + 6], x7 = x[i + 7];
    a0 += x0 * x0; a1 += x1 * x1; a2 += x2 * x2; a3 += x3 * x3;
    a4 += x4 * x4; a5 += x5 * x5; a6 += x6 * x6; a7 += x7 * x7;
  }
  for (; i < n; i++) a0 += x[i] * x[i];
  return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
