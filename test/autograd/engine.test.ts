// The tape: how backward() and autograd.grad accumulate, what they keep and free, when they
// refuse, and higher-order derivatives through gradient rules that are themselves recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { Tensor, tensor, zeros, noGrad, enableGrad, autograd } from '../../src/core.js';
import { expectClose, randomArray } from '../helpers.js';

await selectBackend();

const leaf = (values: number[], shape?: number[]): Tensor => tensor(values, shape ?? [values.length], { requiresGrad: true });
const gradOf = (t: Tensor): number[] => {
  assert.ok(t.grad, 'expected a gradient, got null');
  return t.grad.toList();
};

test('backward of a scalar seeds with 1 and fills .grad of leaves with their shape', () => {
  const x = leaf([1, 2, 3]);
  const y = x.mul(x).sum(); // d/dx sum(x^2) = 2x
  y.backward();
  assert.deepEqual(x.grad?.shape, [3]);
  expectClose(gradOf(x), [2, 4, 6]);
  assert.equal(x.grad?.requiresGrad, false, 'a first-order gradient carries no graph');
});

test('backward with an explicit gradient computes a vector-Jacobian product', () => {
  const x = leaf([1, 2, 3]);
  const y = x.mul(x).mul(3); // dy_i/dx_i = 6 x_i
  y.backward(tensor([1, 0.5, -2]));
  expectClose(gradOf(x), [6, 6, -36]);
});

test('backward with an explicit gradient of the wrong shape is refused', () => {
  const x = leaf([1, 2, 3]);
  assert.throws(() => x.mul(2).backward(tensor([1, 2])), /gradient has shape \(2,\) but the output has shape \(3,\)/);
});

test('backward on a non-scalar without a gradient explains how to fix it', () => {
  const x = leaf([1, 2, 3, 4], [2, 2]);
  assert.throws(() => x.mul(2).backward(), (e: unknown) => {
    assert.match((e as Error).message, /only for a scalar output/);
    assert.match((e as Error).message, /shape \(2, 2\)/);
    assert.match((e as Error).message, /\.sum\(\) or \.mean\(\)/);
    return true;
  });
});

test('backward on a tensor that needs no grad says so', () => {
  assert.throws(() => tensor([1, 2]).sum().backward(), /does not require grad/);
});

test('gradients accumulate over two backward calls when the graph is retained', () => {
  const x = leaf([1, -2]);
  const y = x.exp().sum();
  y.backward(undefined, { retainGraph: true });
  expectClose(gradOf(x), [Math.E, Math.exp(-2)]);
  y.backward();
  expectClose(gradOf(x), [2 * Math.E, 2 * Math.exp(-2)]);
});

test('a second backward through a freed graph fails with a message naming retainGraph', () => {
  const x = leaf([1, 2]);
  const y = x.exp().mul(2).sum();
  y.backward();
  assert.throws(() => y.backward(), (e: unknown) => {
    assert.match((e as Error).message, /already freed/);
    assert.match((e as Error).message, /retainGraph/);
    return true;
  });
});

test('zeroGrad clears the accumulated gradient so the next backward starts fresh', () => {
  const x = leaf([1, 2]);
  x.mul(3).sum().backward();
  expectClose(gradOf(x), [3, 3]);
  x.zeroGrad();
  assert.equal(x.grad, null);
  x.mul(5).sum().backward();
  expectClose(gradOf(x), [5, 5]);
});

test('noGrad records no graph; enableGrad turns recording back on inside it', () => {
  const x = leaf([1, 2]);
  const y = noGrad(() => x.mul(2).exp());
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  expectClose(y.toList(), [Math.exp(2), Math.exp(4)], 1e-4);
  assert.throws(() => y.sum().backward(), /does not require grad/);
  const z = noGrad(() => enableGrad(() => x.mul(2)));
  assert.equal(z.requiresGrad, true);
  assert.equal(z.gradFn?.op, 'mul');
});

test('noGrad restores recording even when fn throws', () => {
  assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(leaf([1]).mul(2).requiresGrad, true);
});

test('detach shares the data but cuts the graph: the detached factor is a constant', () => {
  const x = leaf([1, 2, 3]);
  const d = x.detach();
  assert.equal(d.data, x.data, 'detach does not copy');
  assert.equal(d.requiresGrad, false);
  assert.equal(d.gradFn, null);
  // d/dx sum(stop(x) * x) = x, not 2x
  x.detach().mul(x).sum().backward();
  expectClose(gradOf(x), [1, 2, 3]);
});

test('retainGrad keeps .grad on an intermediate; other intermediates keep none', () => {
  const x = leaf([1, 2]);
  const h = x.mul(3).retainGrad(); // h = 3x
  const k = h.add(1); // no retainGrad
  const y = k.square().sum(); // dy/dk = 2k, dy/dh = 2(3x+1)
  y.backward();
  assert.equal(h.isLeaf, false);
  expectClose(gradOf(h), [8, 14]);
  assert.equal(k.grad, null, 'an intermediate without retainGrad keeps no gradient');
  expectClose(gradOf(x), [24, 42]);
});

test('a parameter backward never reached keeps grad === null; a reached-but-zero one gets zeros', () => {
  const a = leaf([1, 2]);
  const unused = leaf([3, 4]);
  const zeroed = leaf([5, 6]);
  a.sum().add(zeroed.mul(0).sum()).backward();
  assert.equal(unused.grad, null);
  assert.ok(zeroed.grad !== null);
  assert.deepEqual(zeroed.grad.toList(), [0, 0]);
  expectClose(gradOf(a), [1, 1]);
});

test('a tensor used twice accumulates both paths (x * x, x + x, shared subexpression)', () => {
  const x = leaf([1.5, -2]);
  x.mul(x).sum().backward();
  expectClose(gradOf(x), [3, -4]);
  const y = leaf([1.5, -2]);
  const s = y.exp(); // used by two consumers
  s.add(s.mul(y)).sum().backward(); // d/dy (e^y + y e^y) = e^y (2 + y)
  expectClose(gradOf(y), [Math.exp(1.5) * 3.5, Math.exp(-2) * 0], 1e-5, 1e-5);
});

test('broadcasting gradients are summed back to each input shape', () => {
  const a = leaf([1, 2, 3], [3, 1]);
  const b = leaf([10, 20, 30, 40], [4]);
  const c = leaf([2]); // shape (1,) broadcasts everywhere
  a.mul(b).add(c).sum().backward();
  assert.deepEqual(a.grad?.shape, [3, 1]);
  assert.deepEqual(b.grad?.shape, [4]);
  assert.deepEqual(c.grad?.shape, [1]);
  expectClose(gradOf(a), [100, 100, 100]); // sum of b
  expectClose(gradOf(b), [6, 6, 6, 6]); // sum of a
  expectClose(gradOf(c), [12]); // 3 * 4 elements
});

test('autograd.grad returns gradients without touching .grad', () => {
  const x = leaf([1, 2, 3]);
  const w = leaf([0.5, -1, 2]);
  const [gx, gw] = autograd.grad([x.mul(w).sum()], [x, w]);
  expectClose(gx!.toList(), [0.5, -1, 2]);
  expectClose(gw!.toList(), [1, 2, 3]);
  assert.equal(x.grad, null);
  assert.equal(w.grad, null);
});

test('autograd.grad: an unused input is an error unless allowUnused, which gives null', () => {
  const x = leaf([1, 2]);
  const unused = leaf([3]);
  assert.throws(() => autograd.grad([x.sum()], [x, unused]), /input 1 \(shape \(1,\)\) was not used.*allowUnused/s);
  const [gx, gu] = autograd.grad([x.square().sum()], [x, unused], { allowUnused: true });
  expectClose(gx!.toList(), [2, 4]);
  assert.equal(gu, null);
  assert.throws(() => autograd.grad([x.sum()], [tensor([1])]), /input 0 does not require grad/);
});

test('autograd.grad of a non-scalar output takes gradOutputs', () => {
  const x = leaf([1, 2]);
  const [g] = autograd.grad([x.square()], [x], { gradOutputs: [tensor([3, -1])] });
  expectClose(g!.toList(), [6, -4]);
});

test('second derivative: grad with createGraph of x^3 differentiates again to 6x', () => {
  const x = leaf([-1.5, 0.5, 2]);
  const [g] = autograd.grad([x.pow(3).sum()], [x], { createGraph: true });
  expectClose(g!.toList(), [6.75, 0.75, 12], 1e-5);
  assert.equal(g!.requiresGrad, true, 'with createGraph the gradient is itself on the tape');
  const [g2] = autograd.grad([g!.sum()], [x]);
  expectClose(g2!.toList(), [-9, 3, 12], 1e-5);
  // The same through x*x*x and backward(createGraph) into .grad.
  const y = leaf([-1.5, 0.5, 2]);
  y.mul(y).mul(y).sum().backward(undefined, { createGraph: true });
  const first = y.grad!;
  y.zeroGrad();
  first.sum().backward();
  expectClose(gradOf(y), [-9, 3, 12], 1e-5);
});

test('third derivative of sin is -cos', () => {
  const x = leaf([0.3, 1.1]);
  const [g1] = autograd.grad([x.sin().sum()], [x], { createGraph: true });
  const [g2] = autograd.grad([g1!.sum()], [x], { createGraph: true });
  const [g3] = autograd.grad([g2!.sum()], [x]);
  expectClose(g3!.toList(), [-Math.cos(0.3), -Math.cos(1.1)], 1e-5);
});

test('a Hessian-vector product of a small MLP-ish function matches finite differences of gradients', () => {
  const x = tensor(randomArray(5 * 3, 1), [5, 3]);
  const w2 = tensor(randomArray(4, 2), [4, 1]);
  const f = (w1: Tensor): Tensor => x.matmul(w1).tanh().matmul(w2).sigmoid().sum().add(w1.square().sum().mul(0.1));
  const w1 = tensor(randomArray(3 * 4, 3), [3, 4], { requiresGrad: true });
  const v = tensor(randomArray(3 * 4, 4), [3, 4]);

  const [g] = autograd.grad([f(w1)], [w1], { createGraph: true });
  const [hv] = autograd.grad([g!.mul(v).sum()], [w1]);

  // (grad f(w + h v) - grad f(w - h v)) / 2h, with gradients from first-order autograd.
  const h = 1e-2;
  const gradAt = (shift: number): Float32Array => {
    const p = tensor(w1.data.map((wi, i) => wi + shift * v.data[i]), [3, 4], { requiresGrad: true });
    return autograd.grad([f(p)], [p])[0]!.f32;
  };
  const plus = gradAt(h), minus = gradAt(-h);
  const numeric = Array.from(plus, (p, i) => (p - minus[i]) / (2 * h));
  // Central differences in float32: truncation O(h^2) and rounding ~1e-7/h, both well under 2e-3.
  expectClose(hv!.toList(), numeric, 2e-3, 2e-2, 'Hv');
  assert.ok(numeric.some((n) => Math.abs(n) > 0.05), 'the check is not vacuous');
});

test('leaves that do not require grad are never given a gradient', () => {
  const x = leaf([1, 2]);
  const c = tensor([3, 4]);
  x.mul(c).sum().backward();
  assert.equal(c.grad, null);
  expectClose(gradOf(x), [3, 4]);
});

test('requiresGrad_ is for float32 leaves only', () => {
  assert.throws(() => tensor([1, 2], { dtype: 'int32' }).requiresGrad_(), /only float32 tensors/);
  const y = leaf([1]).mul(2);
  assert.throws(() => y.requiresGrad_(false), /only leaf tensors/);
});

test('in-place updates of a leaf that requires grad are refused while recording, allowed in noGrad', () => {
  const p = leaf([1, 2]);
  assert.throws(() => p.add_(tensor([1, 1])), /in place while recording a graph.*noGrad/);
  noGrad(() => p.add_(tensor([1, 1]), -0.5));
  assert.deepEqual(p.toList(), [0.5, 1.5]);
  assert.deepEqual(zeros([2]).add_(1).toList(), [1, 1]);
});
