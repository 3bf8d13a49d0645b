/**
 * A persistent pool of kernel worker threads sharing memory with the main thread: the main thread
 * copies each worker's operands into one shared buffer, writes a job, wakes the workers, does its
 * own share on the original arrays, and waits.
 *
 * Workers cannot see the tensors' own memory, hence the copies; callers split work so that each
 * worker gets only what its share needs. A worker that throws, or does not answer within a
 * generous multiple of the main thread's own share, turns the pool off for the process (one
 * warning) and the caller recomputes on the main thread from its untouched inputs: a broken
 * worker costs speed, never a wrong result or a hang.
 */
import { Worker } from 'node:worker_threads';
import { CTRL, HEADER, jobLength, slotBase, type WorkerSetup } from './protocol.js';

/** Operands needing more shared memory than this are not handed to workers. */
const MAX_SHARED_FLOATS = 2 ** 29;
const WAIT_SLICE_MS = 20;
const MAIN_SPIN_MS = 5;
const WATCHDOG_FACTOR = 50;
const WATCHDOG_FLOOR_MS = 2000;

/** ES2024 growable SharedArrayBuffer (Node 20 has it; the TypeScript lib here targets ES2022). */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(byteLength: number): void;
}
const GrowableShared = SharedArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;

export class WorkerPool {
  /** Threads taking part in a job, the main thread included. */
  readonly threads: number;
  /** Job fields; a worker's block starts at slotBase(slot). */
  readonly job: Float64Array;
  private readonly workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly dataBuffer: GrowableSharedArrayBuffer;
  private view: Float32Array = new Float32Array(0);
  private broken: string | null = null;

  constructor(threads: number) {
    this.threads = threads;
    this.ctrl = new Int32Array(new SharedArrayBuffer(CTRL.LENGTH * 4));
    this.job = new Float64Array(new SharedArrayBuffer(jobLength(threads) * 8));
    this.dataBuffer = new GrowableShared(0, { maxByteLength: MAX_SHARED_FLOATS * 4 });
    for (let slot = 1; slot < threads; slot++) {
      const setup: WorkerSetup = {
        ctrl: this.ctrl.buffer as SharedArrayBuffer, job: this.job.buffer as SharedArrayBuffer, data: this.dataBuffer, slot,
      };
      const worker = new Worker(new URL('./kernel-worker.js', import.meta.url), { workerData: setup });
      worker.on('error', (e) => this.disable(`a kernel worker thread failed: ${e.message}`));
      worker.on('exit', (code) => this.disable(`a kernel worker thread exited (code ${code})`));
      // Idle workers must not keep a finished script alive.
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** True once every worker has started and the pool has not been turned off. */
  get ready(): boolean {
    return this.broken === null && Atomics.load(this.ctrl, CTRL.READY) === this.workers.length;
  }

  /** Why the pool was turned off, or null. */
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

  /**
   * The shared float32 data, at least `floats` long (null when that is more than the pool
   * holds). The view is fixed-length: V8 compiles kernels over length-tracking views of growable
   * buffers into a slower path, and mixing the two kinds would make the shared kernels polymorphic.
   */
  data(floats: number): Float32Array | null {
    if (floats > MAX_SHARED_FLOATS) return null;
    const have = this.dataBuffer.byteLength / 4;
    if (have < floats) this.dataBuffer.grow(Math.min(MAX_SHARED_FLOATS, Math.max(floats, have * 2)) * 4);
    if (this.view.length * 4 !== this.dataBuffer.byteLength) this.view = new Float32Array(this.dataBuffer, 0, this.dataBuffer.byteLength / 4);
    return this.view;
  }

  /** Clears every worker's block (a cleared block means "nothing to do") and sets the job kind. */
  beginJob(kind: number): void {
    this.job.fill(0, slotBase(1));
    this.job[HEADER.KIND] = kind;
  }

  /** Wakes the workers on the job written into `job`. */
  start(): void {
    Atomics.store(this.ctrl, CTRL.DONE, 0);
    Atomics.store(this.ctrl, CTRL.FAILED, 0);
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);
  }

  /**
   * Waits for every worker to finish the started job; false (and the pool turned off) when one
   * failed or did not answer. `ownMs` is how long the main thread's share took, for the watchdog.
   */
  finish(ownMs: number): boolean {
    const expected = this.workers.length;
    const budgetMs = WATCHDOG_FLOOR_MS + WATCHDOG_FACTOR * ownMs;
    const deadline = performance.now() + budgetMs;
    // Workers usually finish within microseconds of the main thread; sleeping and being woken
    // would cost more than polling for a few milliseconds.
    const spinUntil = performance.now() + MAIN_SPIN_MS;
    for (;;) {
      let done = Atomics.load(this.ctrl, CTRL.DONE);
      for (let i = 0; done < expected && i < 1000; i++) done = Atomics.load(this.ctrl, CTRL.DONE);
      if (done >= expected) break;
      if (performance.now() < spinUntil) continue;
      if (performance.now() > deadline) {
        this.disable(`a kernel worker thread did not answer within ${Math.round(budgetMs)} ms`);
        return false;
      }
      Atomics.wait(this.ctrl, CTRL.DONE, done, WAIT_SLICE_MS);
    }
    if (Atomics.load(this.ctrl, CTRL.FAILED) !== 0) {
      this.disable('a kernel worker thread threw');
      return false;
    }
    return true;
  }

  /** Stops the workers; callers then compute on the main thread. */
  dispose(): void {
    if (this.broken === null) this.broken = 'disposed';
    this.job[HEADER.STOP] = 1;
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);
  }

  private disable(reason: string): void {
    if (this.broken !== null) return;
    this.broken = reason;
    console.warn(`tradecraft: ${reason}; the TypeScript backend continues on one thread.`);
    for (const w of this.workers) void w.terminate();
  }
}
