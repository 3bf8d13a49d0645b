// zeroGrad({ setToNone: false }): gradients zeroed in place, and the next backward pass writes a
// linear layer's weight gradient straight into that buffer. The numbers must be the bits of the
// default path (fresh gradients), in every way a parameter can collect its gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import { Tensor, tensor, randn, manualSeed, nn, optim, F, autograd } from '../../src/core.js';

await selectBackend();

/** The float32 bits of a tensor, for exact comparison (-0 and NaN payloads included). */
const bits = (t: Tensor | null): number[] => {
  assert.ok(t, 'expected a gradient, got null');
  return Array.from(new Uint32Array(t.f32.slice().buffer));
};

function mlp(): nn.Module {
  manualSeed(3);
  return nn.sequential(nn.linear(20, 16), nn.relu(), nn.linear(16, 16), nn.relu(), nn.linear(16, 5));
}

test('zeroGrad({ setToNone: false }) zeroes each .grad in place and backward writes into the same buffers, with the default path\'s bits', () => {
  manualSeed(1);
  const x = randn([8, 20]);
  const y = tensor(Array.from({ length: 8 }, (_, i) => i % 5), { dtype: 'int32' });
  const fresh = mlp(), reused = mlp();
  const optFresh = optim.adam(fresh.parameters(), { lr: 1e-2 });
  const optReused = optim.adam(reused.parameters(), { lr: 1e-2 });
  for (let step = 0; step < 4; step++) {
    const before = reused.parameters().map((p) => p.grad);
    optFresh.zeroGrad();
    optReused.zeroGrad({ setToNone: false });
    reused.parameters().forEach((p, i) => {
      if (step === 0) return assert.equal(p.grad, null, 'a gradient that was never made stays null');
      assert.equal(p.grad, before[i], `parameter ${i}: the same tensor object, zeroed in place`);
      assert.ok(p.grad!.f32.every((v) => v === 0), `parameter ${i}: zeroed`);
    });
    const buffers = reused.parameters().map((p) => p.grad?.f32);
    F.crossEntropy(fresh.call(x), y).backward();
    F.crossEntropy(reused.call(x), y).backward();
    reused.parameters().forEach((p, i) => {
      if (step > 0) assert.equal(p.grad!.f32, buffers[i], `step ${step}, parameter ${i}: backward wrote into the zeroed buffer`);
      assert.deepEqual(bits(p.grad), bits(fresh.parameters()[i].grad), `step ${step}, parameter ${i}: the same bits`);
    });
    optFresh.step();
    optReused.step();
  }
  reused.parameters().forEach((p, i) => assert.deepEqual(bits(p), bits(fresh.parameters()[i]), `parameter ${i} after 4 steps`));
});

test('a weight used by several ops sums its contributions into the reused buffer in the same order, so the same bits', () => {
  // Each form puts the written-in-place contribution first, last or between plain ones.
  const forms: Array<[string, (x: Tensor, w: Tensor) => Tensor]> = [
    ['linear twice', (x, w) => F.linear(F.linear(x, w), w).sum()],
    ['linear twice plus a plain term', (x, w) => F.linear(F.linear(x, w), w).sum().add(w.mul(w).sum())],
    ['a plain term before the linear', (x, w) => F.linear(x.matmul(w), w).mul(x.sum()).sum()],
  ];
  for (const [name, f] of forms) {
    manualSeed(5);
    const x = randn([6, 7]);
    const w0 = randn([7, 7]);
    const a = w0.detach().requiresGrad_(), b = w0.detach().requiresGrad_();
    for (let pass = 0; pass < 2; pass++) {
      optim.sgd([a], { lr: 0 }).zeroGrad();
      optim.sgd([b], { lr: 0 }).zeroGrad({ setToNone: false });
      f(x, a).backward();
      f(x, b).backward();
      assert.deepEqual(bits(b.grad), bits(a.grad), `${name}, pass ${pass}`);
    }
  }
});

test('a second backward without zeroGrad accumulates on top of the written gradient, as with fresh gradients', () => {
  manualSeed(2);
  const x = randn([4, 20]);
  const fresh = mlp(), reused = mlp();
  fresh.call(x).sum().backward();
  reused.call(x).sum().backward();
  fresh.zeroGrad();
  reused.zeroGrad({ setToNone: false });
  for (let i = 0; i < 2; i++) {
    fresh.call(x).square().sum().backward();
    reused.call(x).square().sum().backward();
  }
  reused.parameters().forEach((p, i) => assert.deepEqual(bits(p.grad), bits(fresh.parameters()[i].grad), `parameter ${i}`));
});

test('createGraph and autograd.grad leave the zeroed buffers alone; the next plain backward still writes into them', () => {
  manualSeed(4);
  const x = randn([3, 5]);
  const w = randn([4, 5]).requiresGrad_();
  const opt = optim.sgd([w], { lr: 0 });
  w.grad = randn([4, 5]);
  opt.zeroGrad({ setToNone: false });
  const zeroed = w.grad;
  const [g] = autograd.grad([F.linear(x, w).square().sum()], [w]);
  assert.ok(g && g.f32.some((v) => v !== 0), 'autograd.grad returns the gradient');
  assert.equal(w.grad, zeroed);
  assert.ok(w.grad!.f32.every((v) => v === 0), 'autograd.grad does not touch .grad');
  F.linear(x, w).square().sum().backward();
  assert.equal(w.grad, zeroed, 'the plain backward wrote into the zeroed tensor');
  assert.deepEqual(bits(w.grad), bits(g), 'with the bits autograd.grad computed');

  // A gradient on a graph (createGraph) is replaced by plain zeros, as PyTorch detaches it.
  opt.zeroGrad();
  F.linear(x, w).square().sum().backward(undefined, { createGraph: true });
  const graphGrad = w.grad!;
  assert.ok(graphGrad.gradFn !== null, 'createGraph: the gradient is on a graph');
  opt.zeroGrad({ setToNone: false });
  assert.notEqual(w.grad, graphGrad);
  assert.equal(w.grad!.gradFn, null);
  assert.ok(w.grad!.f32.every((v) => v === 0));
  assert.ok(graphGrad.f32.some((v) => v !== 0), 'the graph\'s gradient itself is left as it was');
});

test('a parameter that gets no gradient keeps a zero .grad; backward(gradient) on a leaf copies the caller\'s tensor', () => {
  const used = tensor([1, 2], [2], { requiresGrad: true }), unused = tensor([3], [1], { requiresGrad: true });
  const m = optim.sgd([used, unused], { lr: 0 });
  used.mul(unused).sum().backward();
  m.zeroGrad({ setToNone: false });
  used.sum().backward();
  assert.deepEqual(unused.grad!.toList(), [0]);
  assert.deepEqual(used.grad!.toList(), [1, 1]);

  const given = tensor([5, 6], [2]);
  m.zeroGrad();
  used.backward(given);
  assert.notEqual(used.grad, given, 'the leaf holds a copy');
  m.zeroGrad({ setToNone: false });
  assert.deepEqual(given.toList(), [5, 6], 'zeroing the copy leaves the caller\'s tensor as it was');
});

test('zeroGrad refuses a setToNone that is not a boolean, naming the option', () => {
  const m = mlp();
  const opt = optim.sgd(m.parameters(), { lr: 0.1 });
  assert.throws(() => opt.zeroGrad({ setToNone: 'no' as never }), (e: unknown) =>
    e instanceof TypeError && /optimizer\.zeroGrad: setToNone must be true or false, got "no"/.test(e.message));
  assert.throws(() => m.zeroGrad({ setToNone: 0 as never }), /module\.zeroGrad: setToNone must be true or false, got 0/);
});

test('two leaves never share one .grad tensor, so zeroing and reusing one leaves the other right', () => {
  const a = tensor([1, 2, 3], [3], { requiresGrad: true }), b = tensor([4, 5, 6], [3], { requiresGrad: true });
  const h = a.mul(2);
  h.retainGrad();
  const opt = optim.sgd([a, b], { lr: 0 });
  a.add(b).add(h).sum().backward(); // add's rule hands one tensor to both of its inputs
  assert.notEqual(a.grad, b.grad);
  assert.notEqual(h.grad, b.grad);
  assert.deepEqual([a.grad!.toList(), b.grad!.toList(), h.grad!.toList()], [[3, 3, 3], [1, 1, 1], [1, 1, 1]]);
  opt.zeroGrad({ setToNone: false });
  assert.deepEqual(h.grad!.toList(), [1, 1, 1], 'a retained gradient is not zeroed with the parameters');
  a.add(b.mul(tensor([1, 2, 3]))).sum().backward();
  assert.deepEqual([a.grad!.toList(), b.grad!.toList()], [[1, 1, 1], [1, 2, 3]]);
});

test('a leaf whose gradient is a view of the caller\'s gets its own buffer', () => {
  const p = tensor([1, 2, 3, 4, 5, 6], [2, 3], { requiresGrad: true });
  const given = tensor([1, 2, 3, 4, 5, 6], [6]);
  p.reshape([6]).backward(given); // the reshape's rule returns a view of `given`
  assert.notEqual(p.grad!.data, given.data);
  optim.sgd([p], { lr: 0 }).zeroGrad({ setToNone: false });
  assert.deepEqual(given.toList(), [1, 2, 3, 4, 5, 6]);
});
