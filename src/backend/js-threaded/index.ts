/**
 * The TypeScript backend as Node runs it: the reference kernels, with large GEMMs spread over
 * worker threads (one per core, or TRADECRAFT_THREADS, the variable the native pool reads).
 * With one thread it is the reference backend itself. The worker pool starts on the first large
 * product; until its threads are up, products run on the calling thread.
 */
import { availableParallelism } from 'node:os';
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { GemmThreads, worthThreads } from './gemm-threads.js';

export function threadCount(): number {
  const env = process.env.TRADECRAFT_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new Error(`TRADECRAFT_THREADS must be a whole number >= 1, got '${env}'`);
    return Math.min(n, 256);
  }
  return availableParallelism();
}

export function threadedJsBackend(threads = threadCount()): Backend {
  if (threads <= 1) return jsBackend;
  let pool: GemmThreads | null = null;
  return {
    ...jsBackend,
    describe: () =>
      `js: pure TypeScript reference kernels, GEMM on ${threads} threads (worker_threads)` +
      `${pool?.failure && pool.failure !== 'disposed' ? ` [threads off: ${pool.failure}]` : ''}, blocked 4x4 float64-accumulating, no SIMD`,
    gemm: (transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC) => {
      if (pool === null && !worthThreads(threads, m, n, k, alpha)) {
        jsBackend.gemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC);
        return;
      }
      pool ??= new GemmThreads(threads);
      pool.gemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC);
    },
  };
}
