import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../src/ops/functional.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { loadFixture, fx, fxInt, expectTensor, F32, type FxTensor } from './fixture.js';

/**
 * Loss parity with torch.nn.functional (1.13): value and gradients w.r.t. the input (and the
 * target for the regression losses) for every reduction. For reduction 'none' the gradient is
 * that of sum(output * upstream).
 */

interface LossCase {
  name: string;
  fn: string;
  kwargs: Record<string, any>;
  inputs: { input: FxTensor; target: FxTensor };
  output: FxTensor;
  upstream?: FxTensor;
  grad: Record<string, FxTensor>;
}
const fixture = loadFixture<{ cases: LossCase[] }>('losses.json');

const CLASS_LOSSES = new Set(['cross_entropy', 'nll_loss']);

/** F.<torch name>(input, target, **kwargs) -> our F call with camelCase options. */
function call(c: LossCase, input: Tensor, target: Tensor): Tensor {
  const o: Record<string, any> = {};
  for (const [k, v] of Object.entries(c.kwargs)) {
    switch (k) {
      case 'reduction': o.reduction = v; break;
      case 'label_smoothing': o.labelSmoothing = v; break;
      case 'delta': o.delta = v; break;
      case 'beta': o.beta = v; break;
      case 'pos_weight': o.posWeight = fx(v as FxTensor); break;
      default: throw new Error(`${c.name}: no translation for the PyTorch option '${k}'`);
    }
  }
  switch (c.fn) {
    case 'cross_entropy': return F.crossEntropy(input, target, o);
    case 'nll_loss': return F.nllLoss(input, target, o);
    case 'mse_loss': return F.mseLoss(input, target, o);
    case 'l1_loss': return F.l1Loss(input, target, o);
    case 'huber_loss': return F.huberLoss(input, target, o);
    case 'smooth_l1_loss': return F.smoothL1Loss(input, target, o);
    case 'binary_cross_entropy_with_logits': return F.binaryCrossEntropyWithLogits(input, target, o);
    default: throw new Error(`no translation for F.${c.fn}`);
  }
}

/** Float32 precision (atol 1e-6, rtol 1e-5) for values and gradients: these are short sums of O(1) terms. */
const TOL = F32;

for (const c of fixture.cases) {
  test(`${c.name}: F.${c.fn}(${JSON.stringify(Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, v?.data ?? v])))}) value and gradients`, () => {
    const input = fx(c.inputs.input);
    const target = CLASS_LOSSES.has(c.fn) ? fxInt(c.inputs.target) : fx(c.inputs.target);
    if ('input' in c.grad) input.requiresGrad_();
    if ('target' in c.grad) target.requiresGrad_();
    const out = call(c, input, target);
    expectTensor(out, c.output, TOL, `${c.name}: value`);
    if (c.upstream) out.mul(fx(c.upstream)).sum().backward();
    else {
      assert.equal(out.ndim, 0, `${c.name}: a reduced loss is a scalar`);
      out.backward();
    }
    expectTensor(input.grad, c.grad.input, TOL, `${c.name}: d/d input`);
    if (c.grad.target) expectTensor(target.grad, c.grad.target, TOL, `${c.name}: d/d target`);
  });
}
