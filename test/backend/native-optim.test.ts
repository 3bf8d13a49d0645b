// Native fused optimizer steps against the TypeScript reference. The native loops compute in
// float32 like PyTorch's CPU kernels, the reference in float64 rounded where PyTorch stores, so
// they agree to about an ulp; several steps run to exercise the state buffers.
import { test } from 'node:test';
import type { AdamStepArgs, SgdStepArgs } from '../../src/backend/backend.js';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { expectClose, randomArray } from '../helpers.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

const SIZES = [1, 17, 257, 100_003];

test('native adamStep: Adam, Adam with L2, AdamW and AMSGrad over several steps', { skip }, () => {
  const variants: { wd: number; decoupled: boolean; amsgrad: boolean }[] = [
    { wd: 0, decoupled: false, amsgrad: false },
    { wd: 0.01, decoupled: false, amsgrad: false },
    { wd: 0.01, decoupled: true, amsgrad: false },
    { wd: 0, decoupled: false, amsgrad: true },
    { wd: 0.1, decoupled: true, amsgrad: true },
  ];
  let seed = 1;
  for (const v of variants) {
    for (const n of SIZES) {
      const p0 = randomArray(n, seed++);
      const pe = Float32Array.from(p0), pg = Float32Array.from(p0);
      const me = new Float32Array(n), mg = new Float32Array(n), ve = new Float32Array(n), vg = new Float32Array(n);
      const xe = v.amsgrad ? new Float32Array(n) : null, xg = v.amsgrad ? new Float32Array(n) : null;
      for (let t = 1; t <= 3; t++) {
        const grad = randomArray(n, seed++);
        if (n > 1) grad[0] = 0;
        const args: AdamStepArgs = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: v.wd,
          decoupled: v.decoupled, biasCorrection1: 1 - 0.9 ** t, biasCorrection2: 1 - 0.999 ** t };
        JS.adamStep(pe, grad, me, ve, xe, args);
        native!.adamStep(pg, grad, mg, vg, xg, args);
      }
      const what = `adam ${JSON.stringify(v)} n=${n}`;
      // Gradients are O(1), so float32 rounding of the state is O(1e-7) in absolute terms.
      expectClose(pg, pe, 1e-6, 1e-6, `${what}: p`);
      expectClose(mg, me, 1e-6, 1e-6, `${what}: m`);
      expectClose(vg, ve, 1e-6, 1e-6, `${what}: v`);
      if (xe) expectClose(xg!, xe, 1e-6, 1e-6, `${what}: vmax`);
    }
  }
});

test('native sgdStep: plain, weight decay, momentum (first and later steps), dampening, Nesterov', { skip }, () => {
  const variants: Omit<SgdStepArgs, 'firstStep'>[] = [
    { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
    { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.01 },
    { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 },
    { lr: 0.05, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 1e-4 },
    { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 1e-4 },
  ];
  let seed = 100;
  for (const v of variants) {
    for (const n of SIZES) {
      const p0 = randomArray(n, seed++);
      const pe = Float32Array.from(p0), pg = Float32Array.from(p0);
      const be = v.momentum ? new Float32Array(n) : null, bg = v.momentum ? new Float32Array(n) : null;
      for (let t = 0; t < 3; t++) {
        const grad = randomArray(n, seed++);
        JS.sgdStep(pe, grad, be, { ...v, firstStep: t === 0 });
        native!.sgdStep(pg, grad, bg, { ...v, firstStep: t === 0 });
      }
      expectClose(pg, pe, 1e-6, 1e-6, `sgd ${JSON.stringify(v)} n=${n}: p`);
      if (be) expectClose(bg!, be, 1e-6, 1e-6, `sgd ${JSON.stringify(v)} n=${n}: buf`);
    }
  }
});
