/**
 * The fused Adam/AdamW update spread over the worker pool for large parameters: each worker gets
 * a contiguous slice of p, grad, m and v (and vmax) copied into shared memory and the updated p,
 * m, v copied back; the main thread updates its slice in place. Elementwise, so the results are
 * the serial kernel's bits.
 */
import type { AdamStepArgs, F32 } from '../backend.js';
import { adamStep } from '../js/optimizer-steps.js';
import { ADAM, KIND, slotBase } from './protocol.js';
import type { WorkerPool } from './worker-pool.js';

/** Smaller parameters update faster than their slices can be copied and handed over. */
const MIN_THREADED_ELEMENTS = 1 << 15;

export function threadedAdamStep(pool: WorkerPool, p: F32, grad: F32, m: F32, v: F32, vmax: F32 | null, args: AdamStepArgs): void {
  const n = p.length, threads = pool.threads;
  const bound = (s: number): number => Math.floor((n * s) / threads);
  const slice = (x: F32, s: number): F32 => x.subarray(bound(s), bound(s + 1));
  // The workers' slices, all arrays of each, one after another.
  const data = n >= MIN_THREADED_ELEMENTS && pool.ready ? pool.data((n - bound(1)) * (vmax === null ? 4 : 5)) : null;
  if (data === null) {
    adamStep(p, grad, m, v, vmax, args);
    return;
  }

  pool.beginJob(KIND.ADAM);
  const job = pool.job;
  let at = 0;
  const place = (x: F32, s: number): number => {
    const off = at;
    data.set(slice(x, s), off);
    at += bound(s + 1) - bound(s);
    return off;
  };
  for (let s = 1; s < threads; s++) {
    const jb = slotBase(s);
    job[jb + ADAM.N] = bound(s + 1) - bound(s);
    job[jb + ADAM.P_OFF] = place(p, s); job[jb + ADAM.G_OFF] = place(grad, s);
    job[jb + ADAM.M_OFF] = place(m, s); job[jb + ADAM.V_OFF] = place(v, s);
    job[jb + ADAM.VMAX_OFF] = vmax === null ? -1 : place(vmax, s);
    job[jb + ADAM.LR] = args.lr; job[jb + ADAM.BETA1] = args.beta1; job[jb + ADAM.BETA2] = args.beta2;
    job[jb + ADAM.EPS] = args.eps; job[jb + ADAM.WEIGHT_DECAY] = args.weightDecay;
    job[jb + ADAM.DECOUPLED] = args.decoupled ? 1 : 0;
    job[jb + ADAM.BC1] = args.biasCorrection1; job[jb + ADAM.BC2] = args.biasCorrection2;
  }
  pool.start();
  const start = performance.now();
  const updateHere = (s: number): void =>
    adamStep(slice(p, s), slice(grad, s), slice(m, s), slice(v, s), vmax === null ? null : slice(vmax, s), args);
  updateHere(0);
  if (!pool.finish(performance.now() - start)) {
    // The workers' slices of the caller's arrays are untouched: update them here.
    for (let s = 1; s < threads; s++) updateHere(s);
    return;
  }
  for (let s = 1; s < threads; s++) {
    const jb = slotBase(s), len = job[jb + ADAM.N];
    const copyBack = (x: F32, off: number): void => x.set(data.subarray(off, off + len), bound(s));
    copyBack(p, job[jb + ADAM.P_OFF]);
    copyBack(m, job[jb + ADAM.M_OFF]);
    copyBack(v, job[jb + ADAM.V_OFF]);
    if (vmax !== null) copyBack(vmax, job[jb + ADAM.VMAX_OFF]);
  }
}
