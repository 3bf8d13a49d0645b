/**
 * JavaScript packing of op(A) and op(B) blocks from the caller's Float32Arrays into the wasm
 * memory, in the micro-panel order the macro-kernel streams (gemm-module.ts), with the
 * transposes and the zero padding to whole tiles and to the padded depth. The wasm packers
 * (pack-kernels.ts) do the full panels of staged operands; these handle the ragged last panel,
 * and whole operands too large to stage, where packing is a small share of the O(n^3) work.
 *
 * The full-panel loops for the default 4x8 tile write the destination sequentially and read MR
 * (or NR) source streams, whichever way the source is laid out; other tiles use the generic loop.
 */
import type { F32 } from '../backend.js';

/**
 * op(A)[i0:i0+mc, p0:p0+kc] into ceil(mc/mr) micro-panels of kcPad x mr floats at dst[d0...]:
 * dst[d0 + (tile*kcPad + p)*mr + r] = op(A)[i0 + tile*mr + r, p0 + p], zero outside the block.
 * op(A) is m x k; A is stored k x m when transA.
 */
export function packA(
  transA: boolean, a: F32, aOff: number, m: number, k: number,
  i0: number, mc: number, p0: number, kc: number, kcPad: number, mr: number, dst: F32, d0: number,
): void {
  // Element (i, p) of op(A) is a[aOff + i*rowStride + p*colStride].
  const rowStride = transA ? 1 : k, colStride = transA ? m : 1;
  let d = d0;
  for (let ir = 0; ir < mc; ir += mr) {
    const rows = Math.min(mr, mc - ir);
    const first = aOff + (i0 + ir) * rowStride + p0 * colStride;
    if (transA && rows === mr && mr === 4) {
      // Full tile from A^T storage: each p copies four contiguous floats.
      for (let p = 0, s = first; p < kc; p++, s += m, d += 4) {
        dst[d] = a[s]; dst[d + 1] = a[s + 1]; dst[d + 2] = a[s + 2]; dst[d + 3] = a[s + 3];
      }
    } else if (!transA && rows === mr && mr === 4) {
      // Full tile from row-major A: four row streams, sequential writes.
      const s0 = first, s1 = s0 + k, s2 = s1 + k, s3 = s2 + k;
      for (let p = 0; p < kc; p++, d += 4) {
        dst[d] = a[s0 + p]; dst[d + 1] = a[s1 + p]; dst[d + 2] = a[s2 + p]; dst[d + 3] = a[s3 + p];
      }
    } else {
      // Edge tiles (and other tile heights): zero rows below the matrix.
      dst.fill(0, d, d + kc * mr);
      for (let r = 0; r < rows; r++) {
        for (let p = 0, s = first + r * rowStride, dd = d + r; p < kc; p++, s += colStride, dd += mr) dst[dd] = a[s];
      }
      d += kc * mr;
    }
    const pad = (kcPad - kc) * mr;
    dst.fill(0, d, d + pad);
    d += pad;
  }
}

/**
 * op(B)[p0:p0+kc, j0:j0+nc] into ceil(nc/nr) micro-panels of kcPad x nr floats at dst[d0...]:
 * dst[d0 + (panel*kcPad + p)*nr + c] = op(B)[p0 + p, j0 + panel*nr + c], zero outside the block.
 * op(B) is k x n; B is stored n x k when transB.
 */
export function packB(
  transB: boolean, b: F32, bOff: number, n: number, k: number,
  p0: number, kc: number, kcPad: number, j0: number, nc: number, nr: number, dst: F32, d0: number,
): void {
  let d = d0;
  for (let jr = 0; jr < nc; jr += nr) {
    const cols = Math.min(nr, nc - jr);
    if (cols === nr && nr === 8 && !transB) {
      // Full panel from row-major B: each p copies eight contiguous floats.
      for (let p = 0, s = bOff + p0 * n + j0 + jr; p < kc; p++, s += n, d += 8) {
        dst[d] = b[s]; dst[d + 1] = b[s + 1]; dst[d + 2] = b[s + 2]; dst[d + 3] = b[s + 3];
        dst[d + 4] = b[s + 4]; dst[d + 5] = b[s + 5]; dst[d + 6] = b[s + 6]; dst[d + 7] = b[s + 7];
      }
    } else if (cols === nr && nr === 8) {
      // Full panel from B^T storage: eight row streams, sequential writes.
      const s0 = bOff + (j0 + jr) * k + p0;
      const s1 = s0 + k, s2 = s1 + k, s3 = s2 + k, s4 = s3 + k, s5 = s4 + k, s6 = s5 + k, s7 = s6 + k;
      for (let p = 0; p < kc; p++, d += 8) {
        dst[d] = b[s0 + p]; dst[d + 1] = b[s1 + p]; dst[d + 2] = b[s2 + p]; dst[d + 3] = b[s3 + p];
        dst[d + 4] = b[s4 + p]; dst[d + 5] = b[s5 + p]; dst[d + 6] = b[s6 + p]; dst[d + 7] = b[s7 + p];
      }
    } else {
      // Edge panels (and other panel widths): zero columns right of the matrix.
      const rowStride = transB ? 1 : n, colStride = transB ? k : 1; // op(B)(p, j) = b[bOff + p*rowStride + j*colStride]
      const first = bOff + p0 * rowStride + (j0 + jr) * colStride;
      dst.fill(0, d, d + kc * nr);
      for (let cc = 0; cc < cols; cc++) {
        for (let p = 0, s = first + cc * colStride, dd = d + cc; p < kc; p++, s += rowStride, dd += nr) dst[dd] = b[s];
      }
      d += kc * nr;
    }
    const pad = (kcPad - kc) * nr;
    dst.fill(0, d, d + pad);
    d += pad;
  }
}
