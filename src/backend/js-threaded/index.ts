/**
 * The TypeScript backend as Node runs it: the reference kernels, with large GEMMs and large
 * Adam/AdamW updates spread over worker threads (one per core, or TRADECRAFT_THREADS, the
 * variable the native pool reads). With one thread it is the reference backend itself. The pool
 * starts on the first large product; until its threads are up, kernels run on the calling thread.
 */
import { availableParallelism } from 'node:os';
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { WorkerPool } from './worker-pool.js';
import { threadedGemm, worthThreads } from './gemm-threads.js';
import { threadedAdamStep } from './adam-threads.js';

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
  let pool: WorkerPool | null = null;
  return {
    ...jsBackend,
    describe: () => {
      const off = pool?.failure && pool.failure !== 'disposed' ? ` [threads off: ${pool.failure}]` : '';
      return `js: pure TypeScript reference kernels, GEMM and Adam on ${threads} threads (worker_threads)${off}, blocked 4x4 float64-accumulating GEMM, no SIMD`;
    },
    gemm: (transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC) => {
      if (pool === null && !worthThreads(threads, m, n, k, alpha)) {
        jsBackend.gemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC);
        return;
      }
      pool ??= new WorkerPool(threads);
      threadedGemm(pool, transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC);
    },
    adamStep: (p, grad, m, v, vmax, args) => {
      if (pool === null) jsBackend.adamStep(p, grad, m, v, vmax, args);
      else threadedAdamStep(pool, p, grad, m, v, vmax, args);
    },
  };
}
