/**
 * Backend.gemm on the wasm SIMD macro-kernel, with the TypeScript GEMM for products too small
 * to repay packing.
 *
 * Goto/BLIS blocking as in the js backend: for each chunk of up to M_CHUNK rows of C, for each
 * NC-column block, for each KC-deep block: pack op(B)[kc x nc] once, then for each MC-row block
 * pack op(A)[mc x kc] and run the macro-kernel over it. Sizes keep the packed A block (MC x KC,
 * 96 KiB) in L2 and one B micro-panel (KC x 8, 8 KiB) in L1 while the kernel sweeps the A block.
 * (Measured: KC 128-512, MC 64-192, NC 512-2048 all within noise of each other.)
 *
 * Packing: both operands are first staged into wasm memory with one memcpy each (stage.ts),
 * then full micro-panels are packed by wasm SIMD loops and only a ragged last panel by the
 * JavaScript packers (pack.ts), which remain the fallback for very large operands.
 *
 * The kernel writes C = op(A) op(B) in float32 into a buffer in wasm memory (overwriting on the
 * first depth block, adding on later ones), because it cannot see the caller's array; once a
 * chunk x NC block is complete it is written back as C = alpha * buffer + beta * C, dropping
 * the tile padding. beta = 0 never reads the old C, so NaN there is ignored as the contract says.
 * Row chunks bound the buffer (M_CHUNK x NC floats) whatever m is.
 */
import type { Backend, F32 } from '../backend.js';
import { gemm as jsGemm } from '../js/gemm.js';
import type { GemmKernel } from './kernel.js';
import { packA, packB } from './pack.js';
import { packStaged, stage, stagedFloats } from './stage.js';

const KC = 256;
const MC = 96;
const NC = 1024;
const M_CHUNK = 1536;
/** Operands up to this many floats (16 MiB) are staged and packed in wasm; larger ones are packed in JS, where packing is a vanishing share of the O(n^3) work anyway. */
const STAGE_MAX = 1 << 22;

/**
 * At or below this many multiply-adds the js kernel is as fast or faster (measured: 6^3 equal,
 * 7^3 js faster as every panel is a ragged edge, 8^3 wasm 3x faster, 16^3 16x). Matrix-vector
 * shapes stay on wasm: 1.5-2.3x the js kernel even though packing dominates there.
 */
const SMALL_WORK = 7 * 7 * 7;

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;
const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
const lcm = (x: number, y: number): number => (x / gcd(x, y)) * y;

/** Splits `total` into the fewest blocks of at most `max`, of equal size rounded up to `quantum`. */
function blockSize(total: number, max: number, quantum: number): number {
  const blocks = Math.ceil(total / max);
  return roundUp(Math.ceil(total / blocks), quantum);
}

/** C[cOff + i*ldc + j] = alpha * buf[b0 + i*ldb + j] + beta * C[...] for i < rows, j < cols. */
function writeBack(
  c: F32, cOff: number, ldc: number, buf: F32, b0: number, ldb: number,
  rows: number, cols: number, alpha: number, beta: number,
): void {
  if (alpha === 1 && beta === 0 && ldc === cols && ldb === cols) {
    // The common plain product with no padding columns: one memcpy of the whole block.
    c.set(buf.subarray(b0, b0 + rows * cols), cOff);
    return;
  }
  for (let i = 0; i < rows; i++) {
    const ci = cOff + i * ldc, bi = b0 + i * ldb;
    if (beta === 0) {
      if (alpha === 1) c.set(buf.subarray(bi, bi + cols), ci);
      else for (let j = 0; j < cols; j++) c[ci + j] = alpha * buf[bi + j];
    } else if (beta === 1) {
      for (let j = 0; j < cols; j++) c[ci + j] += alpha * buf[bi + j];
    } else {
      for (let j = 0; j < cols; j++) c[ci + j] = alpha * buf[bi + j] + beta * c[ci + j];
    }
  }
}

/** One product C = alpha op(A) op(B) + beta C (no batch) through the wasm kernel. */
function gemmWasm(
  kern: GemmKernel, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: F32, aOff: number, b: F32, bOff: number, beta: number, c: F32, cOff: number,
): void {
  const { mr, nv, unroll } = kern.shape;
  const nr = 4 * nv;
  // Staged operands are packed in wasm, which steps k by 4: depth blocks are then padded to 4.
  const stageA = kern.packA !== null && m * k <= STAGE_MAX, stageB = k * n <= STAGE_MAX;
  const kq = stageA || stageB ? lcm(unroll, 4) : unroll;
  const aKContig = !transA, bKContig = transB;
  const kcMax = blockSize(k, KC, kq);
  const mcMax = blockSize(Math.min(m, M_CHUNK), MC, mr);
  const chunk = roundUp(Math.min(m, M_CHUNK), mr);
  const ncMax = blockSize(n, NC, nr);
  // Memory layout (floats, 16-byte aligned): packed A block | packed B block | C buffer | staged A | staged B.
  const aBase = 0, bBase = roundUp(mcMax * kcMax, 4), cBase = bBase + roundUp(ncMax * kcMax, 4);
  const sA = cBase + roundUp(chunk * ncMax, 4);
  const sB = sA + (stageA ? roundUp(stagedFloats(m, k, aKContig, kq), 4) : 0);
  const end = sB + (stageB ? stagedFloats(n, k, bKContig, kq) : 0);
  const mem = kern.view(end * 4);
  const stA = stageA ? stage(a, aOff, m, k, aKContig, kq, mem, sA) : null;
  const stB = stageB ? stage(b, bOff, n, k, bKContig, kq, mem, sB) : null;
  for (let i0 = 0; i0 < m; i0 += M_CHUNK) {
    const mh = Math.min(M_CHUNK, m - i0);
    for (let j0 = 0; j0 < n; j0 += ncMax) {
      const nc = Math.min(ncMax, n - j0);
      const ncPad = roundUp(nc, nr);
      for (let p0 = 0; p0 < k; p0 += kcMax) {
        const kc = Math.min(kcMax, k - p0);
        const kcPad = roundUp(kc, kq);
        // Full panels from the staged copy in wasm; the ragged last panel (and unstaged operands) in JS.
        const bFull = stB ? Math.floor(nc / nr) : 0;
        if (stB) packStaged(stB, kern.packB, nr, j0, bFull, p0, kcPad, bBase);
        if (bFull * nr < nc) packB(transB, b, bOff, n, k, p0, kc, kcPad, j0 + bFull * nr, nc - bFull * nr, nr, mem, bBase + bFull * kcPad * nr);
        for (let ic = 0; ic < mh; ic += mcMax) {
          const mc = Math.min(mcMax, mh - ic);
          const aFull = stA ? Math.floor(mc / mr) : 0;
          if (stA) packStaged(stA, kern.packA!, mr, i0 + ic, aFull, p0, kcPad, aBase);
          if (aFull * mr < mc) packA(transA, a, aOff, m, k, i0 + ic + aFull * mr, mc - aFull * mr, p0, kc, kcPad, mr, mem, aBase + aFull * kcPad * mr);
          kern.macro(
            aBase * 4, bBase * 4, (cBase + ic * ncPad) * 4, Math.ceil(mc / mr), ncPad / nr,
            kcPad, ncPad * 4, p0 > 0 ? 1 : 0,
          );
        }
      }
      writeBack(c, cOff + i0 * n + j0, n, mem, cBase, ncPad, mh, nc, alpha, beta);
    }
  }
}

/** Backend.gemm over a loaded kernel (same contract and argument order as the js gemm). */
export function makeWasmGemm(kern: GemmKernel): Backend['gemm'] {
  return function gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: F32, aOff: number, b: F32, bOff: number, beta: number, c: F32, cOff: number,
    batch: number, strideA: number, strideB: number, strideC: number,
  ): void {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha === 0 || m * n * k <= SMALL_WORK) {
      jsGemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC);
      return;
    }
    for (let t = 0; t < batch; t++) {
      gemmWasm(kern, transA, transB, m, n, k, alpha, a, aOff + t * strideA, b, bOff + t * strideB, beta, c, cOff + t * strideC);
    }
  };
}
