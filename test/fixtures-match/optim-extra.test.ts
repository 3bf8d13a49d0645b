import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parameter, type Tensor } from '../../src/tensor/tensor.js';
import { RAdam } from '../../src/optim/radam.js';
import { NAdam } from '../../src/optim/nadam.js';
import type { Optimizer, Hyper } from '../../src/optim/optimizer.js';
import { loadFixture, fx, expectTensor, expectNumber, F32, type FxTensor } from './fixture.js';

/**
 * RAdam and NAdam against torch.optim (1.13), written by scripts/fixtures/optim_extra.py: 50
 * steps of loss = mean((tanh(X W + b) - Y)^2), loss, W and b compared after every step.
 * NAdam is checked twice: 1.13's own update (torch113MuProduct) and PyTorch 2.0's fixed one
 * (our default), since 1.13 multiplies mu_t into the look-ahead product twice.
 */

interface Step { step: number; loss: number; W: FxTensor; b: FxTensor }
interface Case {
  name: string; optimizer: 'RAdam' | 'NAdam'; variant: 'torch-1.13' | 'torch-2.0-fix';
  options: Record<string, unknown>; resolved_options: Record<string, unknown>;
  steps: number; trajectory: Step[]; final_loss: number;
}
const fixture = loadFixture<{ torch: string; cases: Case[]; problem: { X: FxTensor; Y: FxTensor; initial: { W: FxTensor; b: FxTensor } } }>('optim_extra.json');
const problem = fixture.problem;

const KWARGS: Record<string, string> = { lr: 'lr', betas: 'betas', eps: 'eps', weight_decay: 'weightDecay', momentum_decay: 'momentumDecay' };
function translate(kw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw)) {
    if (k === 'maximize' || k === 'foreach') continue;
    assert.ok(KWARGS[k], `no translation for the PyTorch option '${k}'`);
    out[KWARGS[k]] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

function make(c: Case, params: Parameter[], extra: Record<string, unknown> = {}): Optimizer<Hyper> {
  const opts = { ...translate(c.options), ...extra };
  if (c.optimizer === 'RAdam') return new RAdam(params, opts) as unknown as Optimizer<Hyper>;
  return new NAdam(params, { ...opts, torch113MuProduct: c.variant === 'torch-1.13' }) as unknown as Optimizer<Hyper>;
}

const lossFn = (X: Tensor, Y: Tensor, W: Tensor, b: Tensor): Tensor => X.matmul(W).add(b).tanh().sub(Y).square().mean();

function trajectory(c: Case, extra: Record<string, unknown> = {}): Array<{ loss: number; W: Float32Array; b: Float32Array }> {
  const X = fx(problem.X), Y = fx(problem.Y);
  const W = new Parameter(fx(problem.initial.W)), b = new Parameter(fx(problem.initial.b));
  const opt = make(c, [W, b], extra);
  const out = [];
  for (let s = 0; s < c.steps; s++) {
    opt.zeroGrad();
    const loss = lossFn(X, Y, W, b);
    loss.backward();
    opt.step();
    out.push({ loss: loss.item(), W: W.f32.slice(), b: b.f32.slice() });
  }
  return out;
}

test('the fixture was written by PyTorch 1.13 and holds both optimizers and both NAdam variants', () => {
  assert.match(fixture.torch, /^1\.13/);
  const names = fixture.cases.map((c) => `${c.optimizer}/${c.variant}`);
  for (const want of ['RAdam/torch-1.13', 'NAdam/torch-1.13', 'NAdam/torch-2.0-fix']) assert.ok(names.includes(want), want);
});

for (const c of fixture.cases) {
  test(`${c.name} (${c.variant}): ${c.steps} steps of ${c.optimizer}(${JSON.stringify(c.options)}) track PyTorch's loss, W and b`, () => {
    assert.equal(c.steps, 50);
    const ours = trajectory(c);
    c.trajectory.forEach((s, i) => {
      expectNumber(ours[i].loss, s.loss, F32, `${c.name} step ${s.step}: loss`);
      expectTensor(fx({ shape: s.W.shape, data: Array.from(ours[i].W) }), s.W, F32, `${c.name} step ${s.step}: W`);
      expectTensor(fx({ shape: s.b.shape, data: Array.from(ours[i].b) }), s.b, F32, `${c.name} step ${s.step}: b`);
    });
  });

  test(`${c.name}: our defaults fill in the options torch resolved`, () => {
    const opt = make(c, [new Parameter(fx(problem.initial.W))]);
    const { maximize: _m, foreach: _f, ...hyper } = c.resolved_options;
    for (const [k, v] of Object.entries(translate(hyper))) assert.deepEqual((opt.paramGroups[0] as Record<string, unknown>)[k], v, k);
  });
}

test('the NAdam variants really differ: 1.13 counts mu_t twice, and each matches only its own fixture', () => {
  const c113 = fixture.cases.find((c) => c.name === 'NAdam_default')!;
  const fixed = fixture.cases.find((c) => c.name === 'NAdam_default_fixed')!;
  const last = (c: Case) => c.trajectory[c.steps - 1];
  const gap = Math.max(...last(c113).W.data.map((v, i) => Math.abs(v - last(fixed).W.data[i])));
  assert.ok(gap > 1e-4, `the two PyTorch trajectories end ${gap} apart`);
  // Our 1.13-compatible trajectory must not match the fixed fixture (and vice versa).
  const ours113 = trajectory(c113);
  const err = Math.max(...Array.from(ours113[49].W, (v, i) => Math.abs(v - last(fixed).W.data[i])));
  assert.ok(err > 1e-4, `the 1.13 variant ends only ${err} from the fixed trajectory`);
});

test('RAdam is plain bias-corrected momentum for the first steps (rho_t <= 5), as in the paper', () => {
  // With beta2 = 0.999, rho_t > 5 first at step 6; before that p -= lr * m / (1 - beta1^t).
  const W = new Parameter(fx({ shape: [1], data: [1] }));
  const opt = new RAdam([W], { lr: 0.1 });
  let m = 0, w = 1;
  for (let t = 1; t <= 5; t++) {
    opt.zeroGrad();
    W.mul(W).mul(0.5).sum().backward(); // gradient = w
    opt.step();
    m = 0.9 * m + 0.1 * w;
    w -= 0.1 * m / (1 - 0.9 ** t);
    assert.ok(Math.abs(W.f32[0] - w) < 1e-6, `step ${t}: ${W.f32[0]} vs ${w}`);
  }
});
