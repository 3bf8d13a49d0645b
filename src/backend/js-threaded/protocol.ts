/**
 * Shared-memory layout between the main thread and the GEMM worker threads. Kept in its own
 * file so both sides read the same constants.
 *
 * ctrl (Int32Array over a SharedArrayBuffer):
 *  - GEN: bumped by the main thread for every job (workers wait on it);
 *  - DONE: how many workers finished the current job (the main thread waits on it);
 *  - FAILED: set by a worker whose kernel threw;
 *  - READY: how many workers have started and are waiting for work.
 *
 * job (Float64Array): the product every thread shares, then one [rowStart, rowEnd, colStart,
 * colEnd] range per thread slot (slot 0 is the main thread). Operands live in one growable
 * SharedArrayBuffer of float32: A at 0, B at aLen, C at aLen + bLen.
 */
export const CTRL = { GEN: 0, DONE: 1, FAILED: 2, READY: 3, LENGTH: 4 } as const;

export const JOB = {
  STOP: 0, TRANS_A: 1, TRANS_B: 2, M: 3, N: 4, K: 5, ALPHA: 6, B_OFF: 7, C_OFF: 8, RANGES: 9,
} as const;

export const RANGE_FIELDS = 4;

export function jobLength(slots: number): number {
  return JOB.RANGES + slots * RANGE_FIELDS;
}

/** Shared memory handed to each worker at start. */
export interface WorkerSetup {
  ctrl: SharedArrayBuffer;
  job: SharedArrayBuffer;
  data: SharedArrayBuffer;
  slot: number;
}
