import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectBackend } from '../../src/backend/select.js';
import * as nn from '../../src/nn/index.js';
import { Module } from '../../src/nn/module.js';
import { Parameter, type Tensor } from '../../src/tensor/tensor.js';
import { randn, ones, zeros } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { noGrad } from '../../src/autograd/grad-mode.js';

await selectBackend();

class TwoTower extends Module {
  left = nn.linear(4, 3);
  right = nn.sequential(nn.linear(4, 5), nn.relu(), nn.linear(5, 3));
  scale = new Parameter(ones([3]));
  forward(x: Tensor): Tensor { return this.left.call(x).add(this.right.call(x)).mul(this.scale); }
}

test('parameters register themselves with PyTorch-style dotted names, shared ones once', () => {
  const m = new TwoTower();
  const names = [...m.namedParameters()].map(([n]) => n);
  assert.deepEqual(names, ['scale', 'left.weight', 'left.bias', 'right.0.weight', 'right.0.bias', 'right.2.weight', 'right.2.bias']);
  assert.equal(m.numParameters(), 3 + 4 * 3 + 3 + 4 * 5 + 5 + 5 * 3 + 3);
  const shared = nn.linear(2, 2);
  const twice = nn.sequential(shared, shared);
  assert.equal(twice.parameters().length, 2);
});

test('train()/eval() reach every submodule; Dropout is identity in eval and inverted-scaled in training', () => {
  manualSeed(0);
  const m = nn.sequential(nn.linear(10, 10), nn.dropout(0.5));
  m.eval();
  assert.ok([...m.namedModules()].every(([, s]) => !s.training));
  const x = randn([200, 10]);
  const drop = nn.dropout(0.25);
  drop.eval();
  assert.deepEqual(Array.from(drop.call(x).data), Array.from(x.data));
  drop.train();
  const y = drop.call(ones([10000]));
  const kept = Array.from(y.data).filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6), 'survivors are scaled by 1/(1-p)');
  assert.ok(Math.abs(kept.length / 10000 - 0.75) < 0.02, `keep rate ${kept.length / 10000}`);
});

test('stateDict includes buffers with PyTorch names; loadStateDict round-trips and names what is wrong', () => {
  const a = nn.sequential(nn.conv2d(1, 2, 3), nn.batchNorm2d(2));
  assert.deepEqual(Object.keys(a.stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
  a.call(randn([4, 1, 5, 5]));
  const b = nn.sequential(nn.conv2d(1, 2, 3), nn.batchNorm2d(2));
  b.loadStateDict(a.stateDict());
  for (const [k, t] of Object.entries(b.stateDict())) assert.deepEqual(Array.from(t.data), Array.from(a.stateDict()[k].data), k);
  assert.equal(b.stateDict()['1.num_batches_tracked'].item(), 1);
  const sd = a.stateDict();
  delete sd['0.bias'];
  assert.throws(() => b.loadStateDict(sd), /missing keys: 0\.bias/);
  assert.doesNotThrow(() => b.loadStateDict(sd, { strict: false }));
  assert.throws(() => nn.sequential(nn.conv2d(1, 3, 3)).loadStateDict({ '0.weight': zeros([2, 1, 3, 3]), '0.bias': zeros([2]) }), /shape mismatch for 0\.weight: checkpoint \(2, 1, 3, 3\) vs model \(3, 1, 3, 3\)/);
});

test('freeze stops gradients for the named parameters only; unfreeze restores them', () => {
  const m = new TwoTower();
  m.freeze('left');
  m.left.call(randn([2, 4])).sum().add(m.call(randn([2, 4])).sum()).backward();
  assert.equal(m.left.weight.grad, null);
  assert.ok(m.right[0] instanceof nn.Linear && (m.right[0] as nn.Linear).weight.grad !== null);
  assert.equal(m.numParameters({ trainableOnly: true }), m.numParameters() - 15);
  m.unfreeze();
  assert.ok(m.left.weight.requiresGrad);
  assert.throws(() => m.freeze('nothing.here'), /no parameter matches nothing\.here/);
});

test('a parameter that backward never reached keeps grad null, unlike a zero gradient', () => {
  const m = new TwoTower();
  const unused = nn.linear(4, 3);
  m.left.call(randn([2, 4])).mul(0).sum().backward();
  assert.equal(unused.weight.grad, null);
  assert.equal(m.scale.grad, null);
  assert.ok(m.left.weight.grad !== null && Array.from(m.left.weight.grad.data).every((v) => v === 0));
});

test('layer constructors reject bad sizes with the layer and argument named', () => {
  assert.throws(() => nn.linear(0, 3), /Linear: inFeatures must be a positive integer, got 0/);
  assert.throws(() => nn.conv2d(3, 4, 3, { groups: 2 }), /groups=2 must divide inChannels=3/);
  assert.throws(() => nn.dropout(1.5), /Dropout: p must be in \[0, 1\], got 1.5/);
  assert.throws(() => nn.linear(4, 3).call(randn([2, 5])), /linear: input of shape \(2, 5\) has 5 features .* expects 4/);
});

test('eval-mode BatchNorm uses running statistics; training updates them with the unbiased variance', () => {
  const bn = nn.batchNorm1d(1, { momentum: 0.5 });
  const x = ones([4, 1]);
  noGrad(() => { for (let i = 0; i < 4; i++) x.data[i] = i; });
  bn.call(x);
  // mean 1.5; unbiased var of 0,1,2,3 = 5/3; running = 0.5*init + 0.5*batch
  assert.ok(Math.abs(bn.buffer('running_mean').item() - 0.75) < 1e-6);
  assert.ok(Math.abs(bn.buffer('running_var').item() - (0.5 + 0.5 * 5 / 3)) < 1e-6);
  bn.eval();
  const y = bn.call(x);
  const expected = (3 - 0.75) / Math.sqrt(0.5 + (0.5 * 5) / 3 + 1e-5);
  assert.ok(Math.abs(y.data[3] - expected) < 1e-5);
});

test('toString prints the module tree', () => {
  const s = nn.sequential(nn.linear(784, 10), nn.relu()).toString();
  assert.equal(s, 'Sequential(\n  (0): Linear(in=784, out=10)\n  (1): ReLU()\n)');
});
