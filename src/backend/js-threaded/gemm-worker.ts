/**
 * Worker-thread entry of the threaded TypeScript GEMM: waits for a job, computes its slot's
 * range of C with the same blocked kernel the main thread uses, and reports back. Spins briefly
 * before sleeping because a training step issues GEMMs back to back, and waking a sleeping thread
 * costs tens of microseconds.
 */
import { workerData } from 'node:worker_threads';
import { gemmBlocked } from '../js/gemm.js';
import { CTRL, JOB, RANGE_FIELDS, type WorkerSetup } from './protocol.js';

const SPIN_CHECKS = 100_000;

const setup = workerData as WorkerSetup;
const ctrl = new Int32Array(setup.ctrl);
const job = new Float64Array(setup.job);
// Fixed-length view (fast in V8), rebuilt when the main thread has grown the shared buffer.
let data = new Float32Array(setup.data, 0, setup.data.byteLength / 4);

function runSlot(slot: number): void {
  const r = JOB.RANGES + slot * RANGE_FIELDS;
  const rowStart = job[r], rowEnd = job[r + 1], colStart = job[r + 2], colEnd = job[r + 3];
  if (rowStart >= rowEnd || colStart >= colEnd) return;
  if (data.length * 4 !== setup.data.byteLength) data = new Float32Array(setup.data, 0, setup.data.byteLength / 4);
  gemmBlocked(
    job[JOB.TRANS_A] === 1, job[JOB.TRANS_B] === 1, job[JOB.M], job[JOB.N], job[JOB.K], job[JOB.ALPHA],
    data, 0, data, job[JOB.B_OFF], data, job[JOB.C_OFF], rowStart, rowEnd, colStart, colEnd,
  );
}

let seen = Atomics.load(ctrl, CTRL.GEN);
Atomics.add(ctrl, CTRL.READY, 1);
for (;;) {
  let gen = Atomics.load(ctrl, CTRL.GEN);
  for (let i = 0; gen === seen && i < SPIN_CHECKS; i++) gen = Atomics.load(ctrl, CTRL.GEN);
  if (gen === seen) {
    Atomics.wait(ctrl, CTRL.GEN, seen);
    continue;
  }
  seen = gen;
  if (job[JOB.STOP] === 1) break;
  try {
    runSlot(setup.slot);
  } catch {
    Atomics.store(ctrl, CTRL.FAILED, 1);
  }
  Atomics.add(ctrl, CTRL.DONE, 1);
  Atomics.notify(ctrl, CTRL.DONE);
}
