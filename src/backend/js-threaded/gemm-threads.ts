/**
 * The TypeScript GEMM spread over the worker pool. Scalar JavaScript peaks near two flops per
 * cycle on one core, so on a multi-core machine more cores is the only way up for the
 * pure-TypeScript backend.
 *
 * C is cut into contiguous column ranges (or row ranges when it is taller than wide), whole
 * register tiles each. The main thread computes its range in place on the caller's arrays; each
 * worker gets a dense sub-product in shared memory: the operand every range needs (A for a column
 * split, B for a row split), its own slice of the other operand, and its slice of C. Copies are
 * O(mk + kn + mn) against O(mnk) arithmetic, and products too small to repay them stay on the
 * calling thread. Every element of C is computed with the same K blocking as the serial kernel,
 * so results are bit-identical to it.
 */
import type { F32 } from '../backend.js';
import { gemm as serialGemm, gemmBlocked, isSmallGemm, scaleC, GEMM_TILE_ROWS, GEMM_TILE_COLS } from '../js/gemm.js';
import { GEMM, KIND, slotBase } from './protocol.js';
import type { WorkerPool } from './worker-pool.js';

/** Below this many multiply-adds (~50 us on one thread) the copies and wake-up cost more than they save. */
const MIN_THREADED_MACS = 1 << 18;

/** Whether a product is big enough, and wide enough, to be split over `threads` threads. */
export function worthThreads(threads: number, m: number, n: number, k: number, alpha: number): boolean {
  if (threads < 2 || m <= 0 || n <= 0 || k <= 0 || alpha === 0 || isSmallGemm(m, n, k)) return false;
  if (m * n * k < MIN_THREADED_MACS) return false;
  // At least two register tiles per thread along the split dimension.
  return Math.max(m, n) >= 2 * threads * Math.max(GEMM_TILE_ROWS, GEMM_TILE_COLS);
}

/** Same contract as Backend.gemm. */
export function threadedGemm(
  pool: WorkerPool, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: F32, aOff: number, b: F32, bOff: number, beta: number, c: F32, cOff: number,
  batch: number, strideA: number, strideB: number, strideC: number,
): void {
  if (!pool.ready || !worthThreads(pool.threads, m, n, k, alpha)) {
    serialGemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC);
    return;
  }
  for (let t = 0; t < batch; t++) {
    gemmOne(pool, transA, transB, m, n, k, alpha, a, aOff + t * strideA, b, bOff + t * strideB, beta, c, cOff + t * strideC);
  }
}

/** Where each thread's range starts along the split dimension; bounds[threads] is its extent. */
function splitBounds(extent: number, tile: number, threads: number): number[] {
  const tiles = Math.ceil(extent / tile);
  const bounds: number[] = [];
  for (let s = 0; s <= threads; s++) bounds.push(Math.min(extent, Math.floor((tiles * s) / threads) * tile));
  return bounds;
}

function gemmOne(
  pool: WorkerPool, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: F32, aOff: number, b: F32, bOff: number, beta: number, c: F32, cOff: number,
): void {
  const threads = pool.threads;
  const byColumns = n >= m;
  const bounds = splitBounds(byColumns ? n : m, byColumns ? GEMM_TILE_COLS : GEMM_TILE_ROWS, threads);
  // Rows and columns of C that thread `s` computes.
  const range = (s: number): [number, number, number, number] =>
    byColumns ? [0, m, bounds[s], bounds[s + 1]] : [bounds[s], bounds[s + 1], 0, n];
  const computeHere = (s: number): void => {
    const [r0, r1, c0, c1] = range(s);
    if (r0 >= r1 || c0 >= c1) return;
    scaleC(c, cOff, m, n, beta, r0, r1, c0, c1);
    gemmBlocked(transA, transB, m, n, k, alpha, a, aOff, b, bOff, c, cOff, r0, r1, c0, c1);
  };

  const sharedLen = byColumns ? m * k : k * n;
  let floats = sharedLen;
  for (let s = 1; s < threads; s++) floats += (bounds[s + 1] - bounds[s]) * (k + (byColumns ? m : n));
  const data = pool.data(floats);
  if (data === null) {
    for (let s = 0; s < threads; s++) computeHere(s);
    return;
  }

  pool.beginJob(KIND.GEMM);
  const job = pool.job;
  if (byColumns) data.set(a.subarray(aOff, aOff + sharedLen), 0);
  else data.set(b.subarray(bOff, bOff + sharedLen), 0);
  let at = sharedLen;
  for (let s = 1; s < threads; s++) {
    const lo = bounds[s], hi = bounds[s + 1], w = hi - lo;
    if (w === 0) continue;
    const jb = slotBase(s);
    const own = at;
    if (byColumns) {
      // Columns lo..hi of op(B): whole rows of B when it is stored transposed (n x k).
      if (transB) data.set(b.subarray(bOff + lo * k, bOff + hi * k), own);
      else for (let p = 0; p < k; p++) data.set(b.subarray(bOff + p * n + lo, bOff + p * n + hi), own + p * w);
      at += k * w;
      if (beta !== 0) for (let i = 0; i < m; i++) data.set(c.subarray(cOff + i * n + lo, cOff + i * n + hi), at + i * w);
      job[jb + GEMM.M] = m; job[jb + GEMM.N] = w; job[jb + GEMM.A_OFF] = 0; job[jb + GEMM.B_OFF] = own;
      job[jb + GEMM.C_OFF] = at;
      at += m * w;
    } else {
      // Rows lo..hi of op(A): whole rows of A unless it is stored transposed (k x m).
      if (!transA) data.set(a.subarray(aOff + lo * k, aOff + hi * k), own);
      else for (let p = 0; p < k; p++) data.set(a.subarray(aOff + p * m + lo, aOff + p * m + hi), own + p * w);
      at += w * k;
      if (beta !== 0) data.set(c.subarray(cOff + lo * n, cOff + hi * n), at);
      job[jb + GEMM.M] = w; job[jb + GEMM.N] = n; job[jb + GEMM.A_OFF] = own; job[jb + GEMM.B_OFF] = 0;
      job[jb + GEMM.C_OFF] = at;
      at += w * n;
    }
    job[jb + GEMM.K] = k; job[jb + GEMM.TRANS_A] = transA ? 1 : 0; job[jb + GEMM.TRANS_B] = transB ? 1 : 0;
    job[jb + GEMM.ALPHA] = alpha; job[jb + GEMM.BETA] = beta;
  }
  pool.start();
  const start = performance.now();
  computeHere(0);
  if (!pool.finish(performance.now() - start)) {
    // The workers' ranges of C are untouched: compute them here.
    for (let s = 1; s < threads; s++) computeHere(s);
    return;
  }
  for (let s = 1; s < threads; s++) {
    const lo = bounds[s], hi = bounds[s + 1], w = hi - lo, from = job[slotBase(s) + GEMM.C_OFF];
    if (w === 0) continue;
    if (byColumns) for (let i = 0; i < m; i++) c.set(data.subarray(from + i * w, from + (i + 1) * w), cOff + i * n + lo);
    else c.set(data.subarray(from, from + w * n), cOff + lo * n);
  }
}
