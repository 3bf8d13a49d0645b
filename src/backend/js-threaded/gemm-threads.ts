/**
 * The TypeScript GEMM spread over worker threads, for the TypeScript backend in Node (the
 * browser build keeps the single-threaded one). Scalar JavaScript peaks near two flops per
 * cycle on one core, so on a multi-core machine the only way for the pure-TypeScript backend
 * to go faster is more cores.
 *
 * One product is split into contiguous column (or row) ranges, one per thread, with the main
 * thread taking the first. Operands are copied into one shared buffer (workers cannot see the
 * tensors' own memory); the copies are O(mk + kn + mn) against O(mnk) arithmetic, and products
 * too small to repay them stay on the calling thread. Every element of C is computed by one
 * thread with the same K blocking as the serial kernel, so results are bit-identical to it.
 *
 * A worker that throws, or does not answer within a generous multiple of the main thread's own
 * share, turns threading off for the process (one warning) and the product is recomputed on the
 * main thread from the untouched inputs: a broken worker costs speed, never a wrong result or a hang.
 */
import { Worker } from 'node:worker_threads';
import type { F32 } from '../backend.js';
import { gemm as serialGemm, gemmBlocked, isSmallGemm, scaleC, GEMM_TILE_ROWS, GEMM_TILE_COLS } from '../js/gemm.js';
import { CTRL, JOB, RANGE_FIELDS, jobLength, type WorkerSetup } from './protocol.js';

/** Below this many multiply-adds (~50 us on one thread) the copies and wake-up cost more than they save. */
const MIN_THREADED_MACS = 1 << 18;
/** Products whose operands need more shared memory than this run on the calling thread. */
const MAX_SHARED_BYTES = 2 ** 31;
const WAIT_SLICE_MS = 20;
const MAIN_SPIN_CHECKS = 20_000;
const WATCHDOG_FACTOR = 50;
const WATCHDOG_FLOOR_MS = 2000;

/** Whether a product is big enough, and wide enough, to be split over `threads` threads. */
export function worthThreads(threads: number, m: number, n: number, k: number, alpha: number): boolean {
  if (m <= 0 || n <= 0 || k <= 0 || alpha === 0 || isSmallGemm(m, n, k)) return false;
  if (m * n * k < MIN_THREADED_MACS) return false;
  // At least two register tiles per thread along the split dimension.
  return Math.max(m, n) >= 2 * threads * Math.max(GEMM_TILE_ROWS, GEMM_TILE_COLS);
}

/** ES2024 growable SharedArrayBuffer (Node 20 has it; the TypeScript lib here targets ES2022). */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(byteLength: number): void;
}
const GrowableShared = SharedArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;

export class GemmThreads {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly job: Float64Array;
  private readonly dataBuffer: GrowableSharedArrayBuffer;
  private data: Float32Array;
  private broken: string | null = null;

  constructor(threads: number) {
    this.threads = threads;
    this.ctrl = new Int32Array(new SharedArrayBuffer(CTRL.LENGTH * 4));
    this.job = new Float64Array(new SharedArrayBuffer(jobLength(threads) * 8));
    this.dataBuffer = new GrowableShared(0, { maxByteLength: MAX_SHARED_BYTES });
    this.data = new Float32Array(0);
    for (let slot = 1; slot < threads; slot++) {
      const setup: WorkerSetup = { ctrl: this.ctrl.buffer as SharedArrayBuffer, job: this.job.buffer as SharedArrayBuffer, data: this.dataBuffer, slot };
      const worker = new Worker(new URL('./gemm-worker.js', import.meta.url), { workerData: setup });
      worker.on('error', (e) => this.disable(`a GEMM worker thread failed: ${e.message}`));
      worker.on('exit', (code) => { if (!this.broken) this.disable(`a GEMM worker thread exited (code ${code})`); });
      // Idle workers must not keep a finished script alive.
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** True once every worker has started and threading has not been turned off. */
  get ready(): boolean {
    return this.broken === null && Atomics.load(this.ctrl, CTRL.READY) === this.workers.length;
  }

  /** Why threading was turned off, or null. */
  get failure(): string | null {
    return this.broken;
  }

  /** Resolves when the workers are up (tests use it to be sure the threaded path runs). */
  async whenReady(timeoutMs = 10_000): Promise<boolean> {
    const start = Date.now();
    while (!this.ready && this.broken === null && Date.now() - start < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.ready;
  }

  /** Same contract as Backend.gemm. */
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: F32, aOff: number, b: F32, bOff: number, beta: number, c: F32, cOff: number,
    batch: number, strideA: number, strideB: number, strideC: number,
  ): void {
    if (!worthThreads(this.threads, m, n, k, alpha)) {
      serialGemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC);
      return;
    }
    for (let t = 0; t < batch; t++) {
      const ao = aOff + t * strideA, bo = bOff + t * strideB, co = cOff + t * strideC;
      if (!this.ready || !this.gemmOne(transA, transB, m, n, k, alpha, a, ao, b, bo, beta, c, co)) {
        serialGemm(transA, transB, m, n, k, alpha, a, ao, b, bo, beta, c, co, 1, 0, 0, 0);
      }
    }
  }

  /** Stops the workers; later products run on the calling thread. */
  dispose(): void {
    if (this.broken === null) this.broken = 'disposed';
    this.job[JOB.STOP] = 1;
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);
  }

  /** Runs one product on all threads; false when it could not (the caller then computes it). */
  private gemmOne(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: F32, aOff: number, b: F32, bOff: number, beta: number, c: F32, cOff: number,
  ): boolean {
    const aLen = m * k, bLen = k * n, cLen = m * n;
    const bytes = (aLen + bLen + cLen) * 4;
    if (bytes > MAX_SHARED_BYTES) return false;
    if (this.dataBuffer.byteLength < bytes) this.dataBuffer.grow(Math.min(MAX_SHARED_BYTES, Math.max(bytes, this.dataBuffer.byteLength * 2)));
    // A fixed-length view: V8 compiles kernels over length-tracking views of growable buffers
    // into a slower path, and mixing the two kinds makes the shared kernels polymorphic.
    if (this.data.length * 4 !== this.dataBuffer.byteLength) this.data = new Float32Array(this.dataBuffer, 0, this.dataBuffer.byteLength / 4);
    const data = this.data, cBase = aLen + bLen;
    data.set(a.subarray(aOff, aOff + aLen), 0);
    data.set(b.subarray(bOff, bOff + bLen), aLen);
    if (beta === 0) data.fill(0, cBase, cBase + cLen);
    else {
      data.set(c.subarray(cOff, cOff + cLen), cBase);
      scaleC(data, cBase, m, n, beta);
    }

    const job = this.job;
    job[JOB.TRANS_A] = transA ? 1 : 0; job[JOB.TRANS_B] = transB ? 1 : 0;
    job[JOB.M] = m; job[JOB.N] = n; job[JOB.K] = k; job[JOB.ALPHA] = alpha;
    job[JOB.B_OFF] = aLen; job[JOB.C_OFF] = cBase;
    this.splitRanges(m, n);
    Atomics.store(this.ctrl, CTRL.DONE, 0);
    Atomics.store(this.ctrl, CTRL.FAILED, 0);
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);

    const start = performance.now();
    const r = JOB.RANGES;
    gemmBlocked(transA, transB, m, n, k, alpha, data, 0, data, aLen, data, cBase, job[r], job[r + 1], job[r + 2], job[r + 3]);
    if (!this.awaitWorkers(performance.now() - start)) return false;
    c.set(data.subarray(cBase, cBase + cLen), cOff);
    return true;
  }

  /** Contiguous ranges of whole register tiles along the longer side of C, one per thread. */
  private splitRanges(m: number, n: number): void {
    const byColumns = n >= m;
    const extent = byColumns ? n : m;
    const tile = byColumns ? GEMM_TILE_COLS : GEMM_TILE_ROWS;
    const tiles = Math.ceil(extent / tile);
    for (let slot = 0; slot < this.threads; slot++) {
      const lo = Math.min(extent, Math.floor((tiles * slot) / this.threads) * tile);
      const hi = Math.min(extent, Math.floor((tiles * (slot + 1)) / this.threads) * tile);
      const at = JOB.RANGES + slot * RANGE_FIELDS;
      if (byColumns) { this.job[at] = 0; this.job[at + 1] = m; this.job[at + 2] = lo; this.job[at + 3] = hi; }
      else { this.job[at] = lo; this.job[at + 1] = hi; this.job[at + 2] = 0; this.job[at + 3] = n; }
    }
  }

  private awaitWorkers(ownMs: number): boolean {
    const expected = this.workers.length;
    const budgetMs = WATCHDOG_FLOOR_MS + WATCHDOG_FACTOR * ownMs;
    const deadline = performance.now() + budgetMs;
    for (;;) {
      let done = Atomics.load(this.ctrl, CTRL.DONE);
      // The worker usually finishes within microseconds of the main thread; sleeping and being
      // woken would cost more than spinning that long.
      for (let i = 0; done < expected && i < MAIN_SPIN_CHECKS; i++) done = Atomics.load(this.ctrl, CTRL.DONE);
      if (done >= expected) break;
      if (performance.now() > deadline) {
        this.disable(`a GEMM worker thread did not answer within ${Math.round(budgetMs)} ms`);
        return false;
      }
      Atomics.wait(this.ctrl, CTRL.DONE, done, WAIT_SLICE_MS);
    }
    if (Atomics.load(this.ctrl, CTRL.FAILED) !== 0) {
      this.disable('a GEMM worker thread threw');
      return false;
    }
    return true;
  }

  private disable(reason: string): void {
    if (this.broken !== null) return;
    this.broken = reason;
    console.warn(`tradecraft: ${reason}; the TypeScript backend continues on one thread.`);
    for (const w of this.workers) void w.terminate();
  }
}
