/**
 * Cache-blocked single-threaded GEMM for the TypeScript backend.
 *
 * Layout follows the classic Goto/BLIS scheme: loop over column blocks of op(B) (NC), depth
 * blocks (KC) and row blocks of op(A) (MC); pack the current slices of op(A) and op(B) into
 * Float64Array scratch in micro-panel order (MR rows / NR columns interleaved per k step), so
 * the register-blocked 4x4 micro-kernel streams both operands contiguously whatever the
 * transpose flags were. Packing zero-pads ragged edges; only the write-back of edge tiles is
 * bounds-checked. Accumulation is in float64 (JS numbers), rounded once per K block into C.
 */
import type { F32 } from '../backend.js';

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;
const NC = 1024;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(NC * KC);
let accScratch = new Float64Array(256);

function ensureAcc(n: number): Float64Array {
  if (accScratch.length < n) accScratch = new Float64Array(Math.max(n, accScratch.length * 2));
  return accScratch;
}

/**
 * C[rowStart:rowEnd, colStart:colEnd] = beta * C (C is m x n, row stride n, at cOff), with
 * beta = 0 ignoring the old content; the whole of C by default, in one pass when rows are whole.
 */
export function scaleC(
  c: F32, cOff: number, m: number, n: number, beta: number,
  rowStart = 0, rowEnd = m, colStart = 0, colEnd = n,
): void {
  if (beta === 1 || rowStart >= rowEnd) return;
  const whole = colStart === 0 && colEnd === n;
  const rows = whole ? 1 : rowEnd - rowStart, len = whole ? (rowEnd - rowStart) * n : colEnd - colStart;
  for (let r = 0; r < rows; r++) {
    const start = cOff + (rowStart + r) * n + colStart, end = start + len;
    if (beta === 0) c.fill(0, start, end);
    else for (let i = start; i < end; i++) c[i] *= beta;
  }
}

/**
 * Unblocked path for small or skinny products, where packing would cost as much as the
 * arithmetic. Three loop orders, each streaming memory contiguously where it matters:
 *  - row form (op(B) = B, few rows of C): C(i,:) += sum_p A(i,p) * B(p,:), axpy over rows of B;
 *  - column form (op(A) = A^T, few columns of C): C(:,j) += sum_p A^T-storage row p * B(p,j);
 *  - dot form otherwise: each C element is one dot product over k.
 * All accumulate in float64.
 */
function gemmSmall(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: F32, aOff: number, b: F32, bOff: number, c: F32, cOff: number,
): void {
  // A(i,p) = a[aOff + i*aRow + p*aCol]; B(p,j) = b[bOff + p*bRow + j*bCol].
  const aRow = transA ? 1 : k, aCol = transA ? m : 1;
  const bRow = transB ? 1 : n, bCol = transB ? k : 1;
  if (!transB && m * 4 <= n) {
    const acc = ensureAcc(n);
    for (let i = 0; i < m; i++) {
      acc.fill(0, 0, n);
      let ai = aOff + i * aRow;
      for (let p = 0; p < k; p++, ai += aCol) {
        const av = a[ai];
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) acc[j] += av * b[bp + j];
      }
      const ci = cOff + i * n;
      for (let j = 0; j < n; j++) c[ci + j] += alpha * acc[j];
    }
    return;
  }
  if (transA && n * 4 <= m) {
    const acc = ensureAcc(m);
    for (let j = 0; j < n; j++) {
      acc.fill(0, 0, m);
      let bj = bOff + j * bCol;
      for (let p = 0; p < k; p++, bj += bRow) {
        const bv = b[bj];
        const ap = aOff + p * m;
        for (let i = 0; i < m; i++) acc[i] += a[ap + i] * bv;
      }
      for (let i = 0, ci = cOff + j; i < m; i++, ci += n) c[ci] += alpha * acc[i];
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const ai0 = aOff + i * aRow;
    const ci = cOff + i * n;
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ai = ai0, bj = bOff + j * bCol;
      for (let p = 0; p < k; p++) {
        s += a[ai] * b[bj];
        ai += aCol; bj += bRow;
      }
      c[ci + j] += alpha * s;
    }
  }
}

/** Packs op(A)[i0:i0+mc, p0:p0+kc] into MR-row micro-panels: dst[(ir/MR)*MR*kc + p*MR + r]. */
function packABlock(
  transA: boolean, a: F32, aOff: number, m: number, k: number,
  i0: number, mc: number, p0: number, kc: number, dst: Float64Array,
): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const base = ir * kc;
    const rows = Math.min(MR, mc - ir);
    if (!transA) {
      for (let r = 0; r < MR; r++) {
        if (r < rows) {
          let src = aOff + (i0 + ir + r) * k + p0;
          for (let p = 0, d = base + r; p < kc; p++, d += MR) dst[d] = a[src++];
        } else {
          for (let p = 0, d = base + r; p < kc; p++, d += MR) dst[d] = 0;
        }
      }
    } else if (rows === MR) {
      let src = aOff + p0 * m + i0 + ir;
      for (let p = 0, d = base; p < kc; p++, d += MR, src += m) {
        dst[d] = a[src]; dst[d + 1] = a[src + 1]; dst[d + 2] = a[src + 2]; dst[d + 3] = a[src + 3];
      }
    } else {
      let src = aOff + p0 * m + i0 + ir;
      for (let p = 0, d = base; p < kc; p++, d += MR, src += m) {
        for (let r = 0; r < MR; r++) dst[d + r] = r < rows ? a[src + r] : 0;
      }
    }
  }
}

/** Packs op(B)[p0:p0+kc, j0:j0+nc] into NR-column micro-panels: dst[(jr/NR)*NR*kc + p*NR + c]. */
function packBBlock(
  transB: boolean, b: F32, bOff: number, n: number, k: number,
  p0: number, kc: number, j0: number, nc: number, dst: Float64Array,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const base = jr * kc;
    const cols = Math.min(NR, nc - jr);
    if (transB) {
      for (let cc = 0; cc < NR; cc++) {
        if (cc < cols) {
          let src = bOff + (j0 + jr + cc) * k + p0;
          for (let p = 0, d = base + cc; p < kc; p++, d += NR) dst[d] = b[src++];
        } else {
          for (let p = 0, d = base + cc; p < kc; p++, d += NR) dst[d] = 0;
        }
      }
    } else if (cols === NR) {
      let src = bOff + p0 * n + j0 + jr;
      for (let p = 0, d = base; p < kc; p++, d += NR, src += n) {
        dst[d] = b[src]; dst[d + 1] = b[src + 1]; dst[d + 2] = b[src + 2]; dst[d + 3] = b[src + 3];
      }
    } else {
      let src = bOff + p0 * n + j0 + jr;
      for (let p = 0, d = base; p < kc; p++, d += NR, src += n) {
        for (let cc = 0; cc < NR; cc++) dst[d + cc] = cc < cols ? b[src + cc] : 0;
      }
    }
  }
}

/**
 * C[i0:i0+mc, j0:j0+nc] += alpha * packedA @ packedB over kc, 4x4 tiles with 16 float64
 * accumulators in locals.
 */
function macroKernel(
  mc: number, nc: number, kc: number, alpha: number, pa: Float64Array, pb: Float64Array,
  c: F32, cOff: number, ldc: number, i0: number, j0: number,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const bBase = jr * kc;
    const cols = nc - jr < NR ? nc - jr : NR;
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = mc - ir < MR ? mc - ir : MR;
      let ai = ir * kc, bi = bBase;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < kc; p++) {
        const b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
        const a0 = pa[ai], a1 = pa[ai + 1], a2 = pa[ai + 2], a3 = pa[ai + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        ai += MR; bi += NR;
      }
      let ci = cOff + (i0 + ir) * ldc + j0 + jr;
      if (rows === MR && cols === NR) {
        c[ci] += alpha * c00; c[ci + 1] += alpha * c01; c[ci + 2] += alpha * c02; c[ci + 3] += alpha * c03;
        ci += ldc;
        c[ci] += alpha * c10; c[ci + 1] += alpha * c11; c[ci + 2] += alpha * c12; c[ci + 3] += alpha * c13;
        ci += ldc;
        c[ci] += alpha * c20; c[ci + 1] += alpha * c21; c[ci + 2] += alpha * c22; c[ci + 3] += alpha * c23;
        ci += ldc;
        c[ci] += alpha * c30; c[ci + 1] += alpha * c31; c[ci + 2] += alpha * c32; c[ci + 3] += alpha * c33;
      } else {
        // Ragged edge tile: write only the rows/columns inside C.
        for (let r = 0; r < rows; r++, ci += ldc) {
          let v0: number, v1: number, v2: number, v3: number;
          if (r === 0) { v0 = c00; v1 = c01; v2 = c02; v3 = c03; }
          else if (r === 1) { v0 = c10; v1 = c11; v2 = c12; v3 = c13; }
          else if (r === 2) { v0 = c20; v1 = c21; v2 = c22; v3 = c23; }
          else { v0 = c30; v1 = c31; v2 = c32; v3 = c33; }
          c[ci] += alpha * v0;
          if (cols > 1) c[ci + 1] += alpha * v1;
          if (cols > 2) c[ci + 2] += alpha * v2;
          if (cols > 3) c[ci + 3] += alpha * v3;
        }
      }
    }
  }
}

/**
 * C[rowStart:rowEnd, colStart:colEnd] += alpha * op(A) op(B) over those rows and columns (C is
 * m x n, row stride n). Each element's arithmetic depends only on the K blocking, so computing C
 * in pieces (as the worker threads of the Node build do) gives the same bits as one call.
 */
export function gemmBlocked(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: F32, aOff: number, b: F32, bOff: number, c: F32, cOff: number,
  rowStart = 0, rowEnd = m, colStart = 0, colEnd = n,
): void {
  for (let j0 = colStart; j0 < colEnd; j0 += NC) {
    const nc = Math.min(NC, colEnd - j0);
    const ncPad = Math.ceil(nc / NR) * NR;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      if (packB.length < ncPad * kc) packB = new Float64Array(ncPad * kc);
      packBBlock(transB, b, bOff, n, k, p0, kc, j0, nc, packB);
      for (let i0 = rowStart; i0 < rowEnd; i0 += MC) {
        const mc = Math.min(MC, rowEnd - i0);
        const mcPad = Math.ceil(mc / MR) * MR;
        if (packA.length < mcPad * kc) packA = new Float64Array(mcPad * kc);
        packABlock(transA, a, aOff, m, k, i0, mc, p0, kc, packA);
        macroKernel(mc, nc, kc, alpha, packA, packB, c, cOff, n, i0, j0);
      }
    }
  }
}

/** Products this small or skinny take the unblocked path: packing would cost as much as they do. */
export function isSmallGemm(m: number, n: number, k: number): boolean {
  return m < MR || n < NR || m * n * k <= 4096;
}

export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: F32, aOff: number, b: F32, bOff: number, beta: number, c: F32, cOff: number,
  batch: number, strideA: number, strideB: number, strideC: number,
): void {
  if (m <= 0 || n <= 0) return;
  const small = isSmallGemm(m, n, k);
  for (let t = 0; t < batch; t++) {
    const ao = aOff + t * strideA, bo = bOff + t * strideB, co = cOff + t * strideC;
    scaleC(c, co, m, n, beta);
    if (k <= 0 || alpha === 0) continue;
    if (small) gemmSmall(transA, transB, m, n, k, alpha, a, ao, b, bo, c, co);
    else gemmBlocked(transA, transB, m, n, k, alpha, a, ao, b, bo, c, co);
  }
}

/** Register tile of the micro-kernel: splitting C at multiples of these keeps every tile full. */
export { MR as GEMM_TILE_ROWS, NR as GEMM_TILE_COLS };
