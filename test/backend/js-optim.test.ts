import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdamStepArgs } from '../../src/backend/backend.js';
import { jsBackend as B } from '../../src/backend/js/index.js';
import { expectClose, randomArray } from '../helpers.js';

interface AdamCfg { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean; amsgrad: boolean }

function adamArgs(c: AdamCfg, t: number): AdamStepArgs {
  return {
    lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weightDecay, decoupled: c.decoupled,
    biasCorrection1: 1 - c.beta1 ** t, biasCorrection2: 1 - c.beta2 ** t,
  };
}

/** Scalar float64 transcription of torch.optim.Adam/AdamW's update rule, one element. */
function refAdam(p0: number, grads: number[], c: AdamCfg): number[] {
  let p = p0, m = 0, v = 0, vmax = 0;
  const trace: number[] = [];
  grads.forEach((g0, i) => {
    const t = i + 1;
    let g = g0;
    if (c.weightDecay !== 0) {
      if (c.decoupled) p *= 1 - c.lr * c.weightDecay;
      else g += c.weightDecay * p;
    }
    m = c.beta1 * m + (1 - c.beta1) * g;
    v = c.beta2 * v + (1 - c.beta2) * g * g;
    vmax = Math.max(vmax, v);
    const bc1 = 1 - c.beta1 ** t, bc2 = 1 - c.beta2 ** t;
    const denom = Math.sqrt(c.amsgrad ? vmax : v) / Math.sqrt(bc2) + c.eps;
    p -= (c.lr / bc1) * (m / denom);
    trace.push(p);
  });
  return trace;
}

const BASE: AdamCfg = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false };

test('Adam first step moves each parameter by about lr against the gradient sign', () => {
  const p = Float32Array.from([1, -2, 0.5]);
  const g = Float32Array.from([0.5, -3, 1e-3]);
  const m = new Float32Array(3), v = new Float32Array(3);
  B.adamStep(p, g, m, v, null, adamArgs({ ...BASE, lr: 0.1 }, 1));
  // m_hat = g and v_hat = g^2, so the step is lr * g / (|g| + eps).
  expectClose(p, [1 - 0.1 * 0.5 / (0.5 + 1e-8), -2 + 0.1 * 3 / (3 + 1e-8), 0.5 - 0.1 * 1e-3 / (1e-3 + 1e-8)], 3e-7, 0, 'p');
  expectClose(m, [0.05, -0.3, 1e-4], 1e-9, 1e-6, 'm');
  expectClose(v, [0.00025, 0.009, 1e-9], 1e-12, 1e-6, 'v');
  assert.deepEqual(Array.from(g), [0.5, -3, Math.fround(1e-3)], 'the gradient is left untouched');
});

test('Adam, AdamW and AMSGrad over several steps match the PyTorch update rule', () => {
  const variants: [string, AdamCfg][] = [
    ['adam', BASE],
    ['adam+l2', { ...BASE, weightDecay: 0.1 }],
    ['adamw', { ...BASE, weightDecay: 0.1, decoupled: true, lr: 0.05 }],
    ['amsgrad', { ...BASE, amsgrad: true, beta2: 0.9 }],
    ['adamw+amsgrad', { ...BASE, amsgrad: true, weightDecay: 0.5, decoupled: true, beta1: 0.5, beta2: 0.8 }],
  ];
  const n = 9, steps = 5;
  for (const [name, cfg] of variants) {
    const p0 = randomArray(n, 1, -2, 2);
    // Gradients shrink after step 2 so AMSGrad's running max matters.
    const grads = Array.from({ length: steps }, (_, s) => randomArray(n, 10 + s, -1, 1).map((x) => (s < 2 ? x * 3 : x * 0.2)));
    const p = Float32Array.from(p0), m = new Float32Array(n), v = new Float32Array(n);
    const vmax = cfg.amsgrad ? new Float32Array(n) : null;
    const traces = Array.from(p0, (x, i) => refAdam(x, grads.map((g) => g[i]), cfg));
    for (let s = 0; s < steps; s++) {
      B.adamStep(p, grads[s], m, v, vmax, adamArgs(cfg, s + 1));
      expectClose(p, traces.map((tr) => tr[s]), 1e-6, 1e-5, `${name} step ${s + 1}`);
    }
    if (vmax) {
      for (let i = 0; i < n; i++) assert.ok(vmax[i] >= v[i], `${name}: vmax below v`);
    }
  }
});

test('Adam weight decay: coupled adds wd*p to the gradient, decoupled shrinks p first', () => {
  // p = 2, g = 0, wd = 0.5, lr = 0.1, one step.
  const args = (decoupled: boolean) => adamArgs({ ...BASE, lr: 0.1, weightDecay: 0.5, decoupled }, 1);
  const p = Float32Array.from([2]);
  B.adamStep(p, Float32Array.from([0]), new Float32Array(1), new Float32Array(1), null, args(false));
  // Effective gradient 1: normalised step of lr.
  expectClose(p, [2 - 0.1 / (1 + 1e-8)], 3e-7, 0, 'adam l2');
  const q = Float32Array.from([2]);
  B.adamStep(q, Float32Array.from([0]), new Float32Array(1), new Float32Array(1), null, args(true));
  // p *= 1 - 0.05, then m = v = 0 so the Adam part does nothing.
  expectClose(q, [1.9], 3e-7, 0, 'adamw');
});

test('SGD plain, weight decay, momentum, dampening and Nesterov (hand-computed)', () => {
  const base = { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true };
  const one = Float32Array.from([1]);
  const p = Float32Array.from([1, 2]);
  B.sgdStep(p, Float32Array.from([1, -1]), null, base);
  expectClose(p, [0.9, 2.1], 3e-7, 0, 'plain');
  B.sgdStep(p, Float32Array.from([0, 0]), null, { ...base, weightDecay: 0.5 });
  expectClose(p, [0.9 - 0.1 * 0.45, 2.1 - 0.1 * 1.05], 3e-7, 0, 'weight decay');

  // Constant gradient 1, lr 0.1, momentum 0.9: buffers 1, 1.9, 2.71 -> p 0.9, 0.71, 0.439.
  const run = (opts: Partial<typeof base>, expected: number[], bufs: number[], what: string) => {
    const q = Float32Array.from([1]), buf = new Float32Array(1).fill(NaN);
    expected.forEach((e, s) => {
      B.sgdStep(q, one, buf, { ...base, momentum: 0.9, ...opts, firstStep: s === 0 });
      expectClose(q, [e], 1e-6, 0, `${what} step ${s + 1} p`);
      expectClose(buf, [bufs[s]], 1e-6, 0, `${what} step ${s + 1} buf`);
    });
  };
  run({}, [0.9, 0.71, 0.439], [1, 1.9, 2.71], 'momentum');
  // Nesterov: update g + 0.9*buf = 1.9, 2.71, 3.439.
  run({ nesterov: true }, [0.81, 0.539, 0.1951], [1, 1.9, 2.71], 'nesterov');
  // Dampening 0.5 is skipped on the first step: buffers 1, 1.4, 1.76.
  run({ dampening: 0.5 }, [0.9, 0.76, 0.584], [1, 1.4, 1.76], 'dampening');
  // Weight decay enters before momentum: g_eff = 1 + 0.1*p.
  const q = Float32Array.from([1]), buf = new Float32Array(1);
  B.sgdStep(q, one, buf, { ...base, momentum: 0.9, weightDecay: 0.1, firstStep: true });
  expectClose(buf, [1.1], 3e-7, 0, 'wd buf');
  expectClose(q, [1 - 0.11], 3e-7, 0, 'wd p');
  B.sgdStep(q, one, buf, { ...base, momentum: 0.9, weightDecay: 0.1, firstStep: false });
  const g2 = 1 + 0.1 * 0.89, b2 = 0.9 * 1.1 + g2;
  expectClose(buf, [b2], 1e-6, 0, 'wd buf 2');
  expectClose(q, [0.89 - 0.1 * b2], 1e-6, 0, 'wd p 2');
});

test('SGD with momentum on random vectors matches the reference over several steps', () => {
  const n = 17;
  for (const cfg of [
    { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 },
    { lr: 0.05, momentum: 0.8, dampening: 0.1, nesterov: false, weightDecay: 0.01 },
    { lr: 0.02, momentum: 0.95, dampening: 0, nesterov: true, weightDecay: 0.001 },
  ]) {
    const p = randomArray(n, 3), buf = new Float32Array(n);
    const refP = Array.from(p), refB = new Array<number>(n).fill(0);
    for (let s = 0; s < 4; s++) {
      const g = randomArray(n, 40 + s);
      B.sgdStep(p, g, buf, { ...cfg, firstStep: s === 0 });
      for (let i = 0; i < n; i++) {
        let d = g[i] + cfg.weightDecay * refP[i];
        refB[i] = s === 0 ? d : cfg.momentum * refB[i] + (1 - cfg.dampening) * d;
        d = cfg.nesterov ? d + cfg.momentum * refB[i] : refB[i];
        refP[i] -= cfg.lr * d;
      }
      expectClose(p, refP, 1e-6, 1e-5, `sgd ${JSON.stringify(cfg)} step ${s + 1}`);
      expectClose(buf, refB, 1e-6, 1e-5, `sgd buf step ${s + 1}`);
    }
  }
});

test('optimizer steps never write into the gradient, also with weight decay', () => {
  const g0 = randomArray(11, 77);
  const g = Float32Array.from(g0);
  B.sgdStep(randomArray(11, 1), g, new Float32Array(11), { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.3, firstStep: true });
  B.sgdStep(randomArray(11, 2), g, null, { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.3, firstStep: true });
  for (const decoupled of [false, true]) {
    B.adamStep(randomArray(11, 3), g, new Float32Array(11), new Float32Array(11), new Float32Array(11),
      adamArgs({ ...BASE, weightDecay: 0.2, decoupled, amsgrad: true }, 1));
    B.adamStep(randomArray(11, 3), g, new Float32Array(11), new Float32Array(11), null,
      adamArgs({ ...BASE, weightDecay: 0.2, decoupled, amsgrad: false }, 1));
  }
  assert.deepEqual(Array.from(g), Array.from(g0));
});

test('Adam with a non-finite parameter and no weight decay leaves the moments finite', () => {
  const p = Float32Array.from([Infinity, 1]), m = new Float32Array(2), v = new Float32Array(2);
  B.adamStep(p, Float32Array.from([0.5, 0.5]), m, v, null, adamArgs(BASE, 1));
  assert.equal(p[0], Infinity);
  assert.ok(Number.isFinite(m[0]) && Number.isFinite(v[0]));
});
