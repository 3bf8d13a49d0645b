/**
 * Strided iteration helpers and copyStrided (materialising a strided view contiguously).
 */
import type { F32, I32 } from '../backend.js';

export interface Coalesced {
  shape: number[];
  /** One stride list per operand, aligned to `shape`. */
  strides: number[][];
  /** Product of the shape (0 when any dimension is empty). */
  size: number;
}

/**
 * Simplifies an iteration space shared by several operands: drops size-1 dimensions and merges
 * neighbouring dimensions d, d+1 whenever stride[d] == stride[d+1] * shape[d+1] holds for every
 * operand. The contiguous same-shape case collapses to one dimension with stride 1, a bias add
 * (m,n)+(n) to [m, n] with b strides [0, 1], a column broadcast (m,n)+(m,1) to b strides [1, 0].
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Coalesced {
  const ops = strides.length;
  const outShape: number[] = [];
  const outStrides: number[][] = [];
  for (let t = 0; t < ops; t++) outStrides.push([]);
  let size = 1;
  for (let d = 0; d < shape.length; d++) {
    const sz = shape[d];
    size *= sz;
    if (sz === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0) {
      let merge = true;
      for (let t = 0; t < ops; t++) {
        if (outStrides[t][last] !== strides[t][d] * sz) { merge = false; break; }
      }
      if (merge) {
        outShape[last] *= sz;
        for (let t = 0; t < ops; t++) outStrides[t][last] = strides[t][d];
        continue;
      }
    }
    outShape.push(sz);
    for (let t = 0; t < ops; t++) outStrides[t].push(strides[t][d]);
  }
  return { shape: outShape, strides: outStrides, size };
}

/** Gather a strided view into contiguous dst: dst[i] = src[offset + sum_d idx_d * strides[d]]. */
export function copyStrided(src: F32 | I32, offset: number, shape: number[], strides: number[], dst: F32 | I32): void {
  const co = coalesce(shape, [strides]);
  if (co.size === 0) return;
  const sh = co.shape, st = co.strides[0];
  const nd = sh.length;
  if (nd === 0) { dst[0] = src[offset]; return; }
  const n = sh[nd - 1], s = st[nd - 1];
  if (nd === 1) {
    if (s === 1) dst.set(src.subarray(offset, offset + n));
    else for (let i = 0, j = offset; i < n; i++, j += s) dst[i] = src[j];
    return;
  }
  if (nd === 2) {
    const rows = sh[0], rs = st[0];
    if (s === 1 && n >= 16) {
      for (let r = 0, so = offset, o = 0; r < rows; r++, so += rs, o += n) dst.set(src.subarray(so, so + n), o);
    } else {
      let o = 0;
      for (let r = 0, so = offset; r < rows; r++, so += rs) {
        for (let i = 0, j = so; i < n; i++, j += s) dst[o++] = src[j];
      }
    }
    return;
  }
  // General case: odometer over the outer dimensions, tight loop over the innermost one.
  const idx = new Array<number>(nd - 1).fill(0);
  const outer = co.size / n;
  let so = offset, o = 0;
  for (let q = 0; q < outer; q++) {
    if (s === 1) { for (let i = 0; i < n; i++) dst[o++] = src[so + i]; }
    else { for (let i = 0, j = so; i < n; i++, j += s) dst[o++] = src[j]; }
    for (let d = nd - 2; d >= 0; d--) {
      so += st[d];
      if (++idx[d] < sh[d]) break;
      so -= st[d] * sh[d];
      idx[d] = 0;
    }
  }
}
