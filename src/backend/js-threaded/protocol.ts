/**
 * Shared-memory protocol between the main thread and the kernel worker threads; both sides read
 * these constants.
 *
 * ctrl (Int32Array over a SharedArrayBuffer):
 *  - GEN: bumped by the main thread for every job (workers wait on it);
 *  - DONE: how many workers finished the current job (the main thread waits on it);
 *  - FAILED: set by a worker whose kernel threw;
 *  - READY: how many workers have started and are waiting for work.
 *
 * job (Float64Array): a header (stop flag, job kind), then one block of fields per thread slot
 * (slot 0, the main thread's, is unused). Each worker's operands are copied into one growable
 * SharedArrayBuffer of float32 at the offsets its block names; a block whose first size field is
 * 0 means "nothing for this worker".
 */
export const CTRL = { GEN: 0, DONE: 1, FAILED: 2, READY: 3, LENGTH: 4 } as const;

export const HEADER = { STOP: 0, KIND: 1, LENGTH: 2 } as const;

export const KIND = { GEMM: 1, ADAM: 2 } as const;

/** A dense sub-product C = alpha op(A) op(B) + beta C, every operand at an offset in the shared data. */
export const GEMM = {
  M: 0, N: 1, K: 2, TRANS_A: 3, TRANS_B: 4, ALPHA: 5, BETA: 6, A_OFF: 7, B_OFF: 8, C_OFF: 9,
} as const;

/** A slice of one Adam/AdamW update: n elements of p, grad, m, v (and vmax when VMAX_OFF >= 0). */
export const ADAM = {
  N: 0, P_OFF: 1, G_OFF: 2, M_OFF: 3, V_OFF: 4, VMAX_OFF: 5,
  LR: 6, BETA1: 7, BETA2: 8, EPS: 9, WEIGHT_DECAY: 10, DECOUPLED: 11, BC1: 12, BC2: 13,
} as const;

export const SLOT_FIELDS = 16;

export function slotBase(slot: number): number {
  return HEADER.LENGTH + slot * SLOT_FIELDS;
}

export function jobLength(slots: number): number {
  return slotBase(slots);
}

/** Shared memory handed to each worker at start. */
export interface WorkerSetup {
  ctrl: SharedArrayBuffer;
  job: SharedArrayBuffer;
  data: SharedArrayBuffer;
  slot: number;
}
