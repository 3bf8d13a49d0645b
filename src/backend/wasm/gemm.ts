/**
 * Backend.gemm on the wasm SIMD macro-kernel, with the TypeScript GEMM for products too small
 * to repay packing.
 *
 * Goto/BLIS blocking as in the js backend: for each chunk of up to M_CHUNK rows of C, for each
 * NC-column block, for each KC-deep block: pack op(B)[kc x nc] once, then for each MC-row block
 * pack op(A)[mc x kc] and run the macro-kernel over it. Sizes keep the packed A block (MC x KC,
 * 96 KiB) in L2 and one B micro-panel (KC x 8, 8 KiB) in L1 while the kernel sweeps the A block.
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

const KC = 256;
const MC = 96;
const NC = 1024;
const M_CHUNK = 1536;

/**
 * At or below this many multiply-adds the js kernel wins (measured: break-even near 7x7x7; at
 * 8x8x8 wasm is already 1.6x faster). Matrix-vector shapes stay on wasm: packing dominates
 * there, yet it measured 0.8-1.8x the js kernel's speed, 1.5x on the typical cases.
 */
const SMALL_WORK = 300;

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;

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
  const kcMax = blockSize(k, KC, unroll);
  const mcMax = blockSize(Math.min(m, M_CHUNK), MC, mr);
  const chunk = roundUp(Math.min(m, M_CHUNK), mr);
  const ncMax = blockSize(n, NC, nr);
  // Memory layout (floats): packed A block | packed B block | C buffer (chunk x ncMax).
  const aWords = mcMax * kcMax, bWords = ncMax * kcMax;
  const aBase = 0, bBase = aWords, cBase = aWords + bWords;
  const mem = kern.view((cBase + chunk * ncMax) * 4);
  for (let i0 = 0; i0 < m; i0 += M_CHUNK) {
    const mh = Math.min(M_CHUNK, m - i0);
    for (let j0 = 0; j0 < n; j0 += ncMax) {
      const nc = Math.min(ncMax, n - j0);
      const ncPad = roundUp(nc, nr);
      for (let p0 = 0; p0 < k; p0 += kcMax) {
        const kc = Math.min(kcMax, k - p0);
        const kcPad = roundUp(kc, unroll);
        packB(transB, b, bOff, n, k, p0, kc, kcPad, j0, nc, nr, mem, bBase);
        for (let ic = 0; ic < mh; ic += mcMax) {
          const mc = Math.min(mcMax, mh - ic);
          packA(transA, a, aOff, m, k, i0 + ic, mc, p0, kc, kcPad, mr, mem, aBase);
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
