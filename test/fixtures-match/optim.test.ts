import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parameter, type Tensor } from '../../src/tensor/tensor.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam, AdamW } from '../../src/optim/adam.js';
import { RMSprop } from '../../src/optim/rmsprop.js';
import { Adagrad } from '../../src/optim/adagrad.js';
import { clipGradNorm, clipGradValue } from '../../src/optim/clip.js';
import type { Optimizer, Hyper } from '../../src/optim/optimizer.js';
import { loadFixture, fx, expectTensor, expectNumber, F32, type FxTensor, type Tol } from './fixture.js';

/**
 * Optimizer parity with torch.optim (1.13): 50 steps of loss = mean((tanh(X W + b) - Y)^2)
 * from the same start, comparing the loss and W, b after every step with PyTorch's.
 */

interface Step { step: number; loss: number; W: FxTensor; b: FxTensor }
interface OptimCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
  param_groups?: Array<Record<string, unknown> & { params: string[] }>;
  resolved_options?: Record<string, unknown>;
  resolved_param_groups?: Array<Record<string, unknown> & { params: string[] }>;
  steps: number;
  trajectory: Step[];
  final_loss: number;
  problem: { X: FxTensor; Y: FxTensor };
  initial: { W: FxTensor; b: FxTensor };
}
interface ClipFixture {
  grads: FxTensor[];
  norm: Array<{ max_norm: number; norm_type: number | 'inf'; total_norm: number; clipped: FxTensor[] }>;
  value: Array<{ clip_value: number; clipped: FxTensor[] }>;
}
const fixture = loadFixture<{ cases: OptimCase[]; clip: ClipFixture }>('optim.json');

/** PyTorch keyword arguments -> our camelCase options (betas stays a pair). */
const KWARGS: Record<string, string> = {
  lr: 'lr', momentum: 'momentum', dampening: 'dampening', nesterov: 'nesterov', weight_decay: 'weightDecay',
  betas: 'betas', eps: 'eps', amsgrad: 'amsgrad', alpha: 'alpha', centered: 'centered', lr_decay: 'lrDecay',
  initial_accumulator_value: 'initialAccumulatorValue',
};
function translate(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === 'params') continue;
    const ours = KWARGS[k];
    assert.ok(ours, `no translation for the PyTorch option '${k}'`);
    out[ours] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}

type AnyOptimizer = Optimizer<Hyper>;
function makeOptimizer(kind: OptimCase['optimizer'], params: unknown, opts: Record<string, unknown>): AnyOptimizer {
  const p = params as never;
  switch (kind) {
    case 'SGD': return new SGD(p, opts) as unknown as AnyOptimizer;
    case 'Adam': return new Adam(p, opts) as unknown as AnyOptimizer;
    case 'AdamW': return new AdamW(p, opts) as unknown as AnyOptimizer;
    case 'RMSprop': return new RMSprop(p, opts) as unknown as AnyOptimizer;
    case 'Adagrad': return new Adagrad(p, opts) as unknown as AnyOptimizer;
  }
}

function lossFn(X: Tensor, Y: Tensor, W: Tensor, b: Tensor): Tensor {
  return X.matmul(W).add(b).tanh().sub(Y).square().mean();
}

/**
 * Tolerance: float32 precision (atol 1e-6, rtol 1e-5) on every step for every optimizer. Both
 * sides do the same float32 arithmetic, but the forward/backward sums (matmul, mean) may be
 * accumulated in a different order (our JS GEMM accumulates in float64), so the parameters
 * differ by a few ulps per step; over 50 steps this stays well inside the bound (see the
 * worst-case error printed by the 'worst error' test).
 */
const TOL: Tol = F32;

function run(c: OptimCase, onStep: (s: Step, loss: number, W: Tensor, b: Tensor) => void): void {
  const X = fx(c.problem.X), Y = fx(c.problem.Y);
  const W = new Parameter(fx(c.initial.W)), b = new Parameter(fx(c.initial.b));
  let opt: AnyOptimizer;
  if (c.param_groups) {
    const byName: Record<string, Parameter> = { W, b };
    const groups = c.param_groups.map((g) => ({ ...translate(g), params: g.params.map((n) => byName[n]) }));
    opt = makeOptimizer(c.optimizer, groups, translate(c.options));
  } else {
    opt = makeOptimizer(c.optimizer, [W, b], translate(c.options));
  }
  assert.equal(c.trajectory.length, c.steps);
  for (const s of c.trajectory) {
    opt.zeroGrad();
    const loss = lossFn(X, Y, W, b);
    loss.backward();
    opt.step();
    onStep(s, loss.item(), W, b);
  }
  const final = lossFn(X, Y, W, b).item();
  expectNumber(final, c.final_loss, TOL, `${c.name}: final loss`);
}

for (const c of fixture.cases) {
  test(`${c.name}: ${c.steps} steps of ${c.optimizer}(${JSON.stringify(c.param_groups ?? c.options)}) track PyTorch's loss, W and b`, () => {
    run(c, (s, loss, W, b) => {
      expectNumber(loss, s.loss, TOL, `${c.name} step ${s.step}: loss`);
      expectTensor(W, s.W, TOL, `${c.name} step ${s.step}: W`);
      expectTensor(b, s.b, TOL, `${c.name} step ${s.step}: b`);
    });
  });
}

test('only the options each case sets are passed; our defaults fill in the rest exactly as torch resolved them', () => {
  for (const c of fixture.cases) {
    const W = new Parameter(fx(c.initial.W)), b = new Parameter(fx(c.initial.b));
    const byName: Record<string, Parameter> = { W, b };
    const opt = c.param_groups
      ? makeOptimizer(c.optimizer, c.param_groups.map((g) => ({ ...translate(g), params: g.params.map((n) => byName[n]) })), translate(c.options))
      : makeOptimizer(c.optimizer, [W, b], translate(c.options));
    const resolved = c.resolved_param_groups ?? [c.resolved_options!];
    assert.equal(opt.paramGroups.length, resolved.length, c.name);
    resolved.forEach((r, gi) => {
      const { maximize, params: _params, ...torchHyper } = r;
      assert.equal(maximize, false, `${c.name}: maximize is not used`);
      const ours = opt.paramGroups[gi] as Record<string, unknown>;
      for (const [k, v] of Object.entries(translate(torchHyper))) {
        assert.deepEqual(ours[k], v, `${c.name} group ${gi}: ${k} is ${JSON.stringify(ours[k])}, torch resolved ${JSON.stringify(v)}`);
      }
    });
  }
});

test('the param-groups case really uses per-group hyperparameters (lr 0.01 for W; lr 0.001 + L2 0.1 for b)', () => {
  const c = fixture.cases.find((x) => x.name === 'Adam_param_groups');
  assert.ok(c?.param_groups, 'optim.json has the Adam_param_groups case');
  // If both groups used one lr, b would move 10x further than PyTorch's; check it moved as little.
  const b0 = c.initial.b.data, bEnd = c.trajectory[c.trajectory.length - 1].b.data;
  const moved = Math.max(...bEnd.map((v, i) => Math.abs(v - b0[i])));
  assert.ok(moved < 0.06, `b moved ${moved}; with lr 0.001 for 50 Adam steps it moves at most ~0.05`);
});

test('worst error over all trajectories is reported (and is float32-sized)', (t) => {
  let worst = 0, where = '';
  for (const c of fixture.cases) {
    run(c, (s, _loss, W, b) => {
      for (const [ours, theirs, n] of [[W, s.W, 'W'], [b, s.b, 'b']] as const) {
        for (let i = 0; i < theirs.data.length; i++) {
          const e = Math.abs(ours.data[i] - theirs.data[i]);
          if (e > worst) { worst = e; where = `${c.name} step ${s.step} ${n}[${i}]`; }
        }
      }
    });
  }
  t.diagnostic(`worst |ours - torch| over all optimizer trajectories: ${worst.toExponential(3)} at ${where}`);
  assert.ok(worst <= 1e-5, `worst error ${worst} at ${where}`);
});

// ---- gradient clipping ----------------------------------------------------------------------

function withGrads(): Parameter[] {
  return fixture.clip.grads.map((g) => {
    const p = new Parameter(fx({ shape: g.shape, data: g.data.map(() => 0) }));
    p.grad = fx(g);
    return p;
  });
}

for (const n of fixture.clip.norm) {
  const normType = n.norm_type === 'inf' ? Infinity : n.norm_type;
  test(`clipGradNorm(maxNorm ${n.max_norm}, normType ${normType}) returns torch's total norm and clipped grads`, () => {
    const ps = withGrads();
    const total = clipGradNorm(ps, n.max_norm, normType);
    expectNumber(total, n.total_norm, F32, 'total norm');
    ps.forEach((p, i) => expectTensor(p.grad, n.clipped[i], F32, `clipped grad ${i}`));
  });
}

for (const v of fixture.clip.value) {
  test(`clipGradValue(${v.clip_value}) clamps like torch.nn.utils.clip_grad_value_`, () => {
    const ps = withGrads();
    clipGradValue(ps, v.clip_value);
    // Clamping is exact: the clipped values are the float32 of clip_value or the untouched gradient.
    ps.forEach((p, i) => expectTensor(p.grad, v.clipped[i], { atol: 0, rtol: 0 }, `clipped grad ${i}`));
  });
}
