// nn.Sequential runs a plain Linear followed by a plain ReLU as one op, and linear() itself adds
// its bias inside the product's op. Both must be invisible: the same outputs, gradients and second
// derivatives, bit for bit, as the matmul, add and relu they replace (the formulation before the
// fusion, rebuilt here from the public ops), on every backend; and the fusion must not fire where
// it would change behaviour (hooks, subclasses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import * as nn from '../../src/nn/index.js';
import { Linear } from '../../src/nn/linear.js';
import { matmulT } from '../../src/ops/matmul.js';
import { randn } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { autograd, F, type Tensor } from '../../src/core.js';

await selectBackend();

function model(bias: boolean, inF = 37, hidden = 53): nn.Sequential {
  manualSeed(5);
  return nn.sequential(nn.linear(inF, hidden, { bias }), nn.relu(), nn.linear(hidden, 10, { bias }));
}

/** The same network as matmul (x @ W^T as a transpose flag), broadcasting add and relu ops. */
function separate(m: nn.Sequential, x: Tensor): Tensor {
  const l1 = m[0] as Linear, l2 = m[2] as Linear;
  let h = matmulT(x, l1.weight, false, true);
  if (l1.bias) h = h.add(l1.bias);
  h = h.relu();
  let y = matmulT(h, l2.weight, false, true);
  if (l2.bias) y = y.add(l2.bias);
  return y;
}

/** Output, parameter gradients and the input's gradient of sum(out^2), all flattened. */
function run(m: nn.Sequential, x: Tensor, forward: (x: Tensor) => Tensor): number[][] {
  m.zeroGrad();
  x.grad = null;
  const out = forward(x);
  out.square().sum().backward();
  return [Array.from(out.f32), ...m.parameters().map((p) => Array.from(p.grad!.f32)), Array.from(x.grad!.f32)];
}

for (const bias of [true, false]) {
  for (const rows of [1, 64, 131]) {
    test(`Linear -> ReLU -> Linear in Sequential equals matmul + add + relu exactly (bias ${bias}, batch ${rows})`, () => {
      const m = model(bias);
      const x = randn([rows, 37]).requiresGrad_();
      const fused = run(m, x, (t) => m.call(t));
      const ops = run(m, x, (t) => separate(m, t));
      assert.equal(fused.length, ops.length);
      fused.forEach((a, i) => assert.deepEqual(a, ops[i], `tensor ${i}`));
    });
  }
}

test('the fusion shows on the tape, and a hook on the ReLU or a Linear subclass turns it off (same numbers)', () => {
  const m = model(true);
  const x = randn([4, 37]).requiresGrad_();
  let op = '';
  const spy = m[2].registerForwardHook((_mod, input) => { op = (input as Tensor).gradFn!.op; });
  m.call(x);
  assert.equal(op, 'linear+relu');
  const fused = run(m, x, (t) => m.call(t));
  const removeRelu = m[1].registerForwardHook(() => {});
  m.call(x);
  assert.equal(op, 'relu');
  assert.deepEqual(run(m, x, (t) => m.call(t)), fused);
  removeRelu();
  spy();
  class Scaled extends Linear { override forward(t: Tensor): Tensor { return super.forward(t).mul(2); } }
  manualSeed(5);
  const sub = nn.sequential(new Scaled(37, 53), nn.relu());
  let subOp = '';
  sub[1].registerForwardHook((_mod, input) => { subOp = (input as Tensor).gradFn!.op; });
  sub.call(x);
  assert.equal(subOp, 'mul');
});

test('second derivatives through the fused linear+relu match the separate ops', () => {
  const m = model(true, 6, 5);
  const x = randn([3, 6]).requiresGrad_();
  const secondOrder = (forward: (t: Tensor) => Tensor): number[] => {
    const [gx] = autograd.grad([forward(x).square().sum()], [x], { createGraph: true });
    const [ggx] = autograd.grad([gx!.square().sum()], [x]);
    return Array.from(ggx!.f32);
  };
  assert.deepEqual(secondOrder((t) => m.call(t)), secondOrder((t) => separate(m, t)));
});

test('linear: a 3-D input, and a bias that is not (out,) still broadcasts as before', () => {
  manualSeed(9);
  const w = randn([4, 6]), x = randn([2, 3, 6]);
  const b2 = randn([3, 4]);
  const viaOps = matmulT(x.reshape([6, 6]), w, false, true).reshape([2, 3, 4]).add(b2);
  assert.deepEqual(Array.from(F.linear(x, w, b2).f32), Array.from(viaOps.f32));
});
