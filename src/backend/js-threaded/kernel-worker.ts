/**
 * Worker-thread entry of the threaded TypeScript backend: waits for a job, runs its slot with the
 * same reference kernels the main thread uses, and reports back. Spins for two milliseconds
 * before sleeping because a training step issues kernels back to back, and waking a sleeping
 * thread costs tens of microseconds.
 */
import { workerData } from 'node:worker_threads';
import { gemmBlocked, scaleC } from '../js/gemm.js';
import { adamStep } from '../js/optimizer-steps.js';
import { ADAM, CTRL, GEMM, HEADER, KIND, slotBase, type WorkerSetup } from './protocol.js';

/** How long an idle worker keeps polling before it sleeps. */
const SPIN_MS = 2;

const setup = workerData as WorkerSetup;
const ctrl = new Int32Array(setup.ctrl);
const job = new Float64Array(setup.job);
const base = slotBase(setup.slot);
// Fixed-length view (V8 compiles kernels over length-tracking views of growable buffers into a
// slower path), rebuilt when the main thread has grown the shared buffer.
let data = new Float32Array(setup.data, 0, setup.data.byteLength / 4);

function runGemm(): void {
  const m = job[base + GEMM.M], n = job[base + GEMM.N], k = job[base + GEMM.K];
  if (m === 0 || n === 0) return;
  const cOff = job[base + GEMM.C_OFF];
  scaleC(data, cOff, m, n, job[base + GEMM.BETA]);
  gemmBlocked(
    job[base + GEMM.TRANS_A] === 1, job[base + GEMM.TRANS_B] === 1, m, n, k, job[base + GEMM.ALPHA],
    data, job[base + GEMM.A_OFF], data, job[base + GEMM.B_OFF], data, cOff,
  );
}

function runAdam(): void {
  const n = job[base + ADAM.N];
  if (n === 0) return;
  const view = (off: number): Float32Array => data.subarray(off, off + n);
  const vmaxOff = job[base + ADAM.VMAX_OFF];
  adamStep(
    view(job[base + ADAM.P_OFF]), view(job[base + ADAM.G_OFF]), view(job[base + ADAM.M_OFF]), view(job[base + ADAM.V_OFF]),
    vmaxOff >= 0 ? view(vmaxOff) : null,
    {
      lr: job[base + ADAM.LR], beta1: job[base + ADAM.BETA1], beta2: job[base + ADAM.BETA2], eps: job[base + ADAM.EPS],
      weightDecay: job[base + ADAM.WEIGHT_DECAY], decoupled: job[base + ADAM.DECOUPLED] === 1,
      biasCorrection1: job[base + ADAM.BC1], biasCorrection2: job[base + ADAM.BC2],
    },
  );
}

let seen = Atomics.load(ctrl, CTRL.GEN);
Atomics.add(ctrl, CTRL.READY, 1);
for (;;) {
  let gen = Atomics.load(ctrl, CTRL.GEN);
  if (gen === seen) {
    const until = performance.now() + SPIN_MS;
    do {
      for (let i = 0; gen === seen && i < 1000; i++) gen = Atomics.load(ctrl, CTRL.GEN);
    } while (gen === seen && performance.now() < until);
  }
  if (gen === seen) {
    Atomics.wait(ctrl, CTRL.GEN, seen);
    continue;
  }
  seen = gen;
  if (job[HEADER.STOP] === 1) break;
  try {
    if (data.length * 4 !== setup.data.byteLength) data = new Float32Array(setup.data, 0, setup.data.byteLength / 4);
    if (job[HEADER.KIND] === KIND.GEMM) runGemm();
    else if (job[HEADER.KIND] === KIND.ADAM) runAdam();
  } catch {
    Atomics.store(ctrl, CTRL.FAILED, 1);
  }
  Atomics.add(ctrl, CTRL.DONE, 1);
  Atomics.notify(ctrl, CTRL.DONE);
}
