import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as nn from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn } from '../../src/tensor/create.js';
import { manualSeed, Generator } from '../../src/tensor/random.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam } from '../../src/optim/adam.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { saveCheckpoint, loadCheckpoint } from '../../src/train/checkpoint.js';
import {
  applyMask, removeMask, getMask, getOrig, isPruned, applyMasksFromStateDict, l1Unstructured, globalMagnitude,
  randomUnstructured, lnStructured, sparsityReport,
} from '../../src/prune/index.js';
import { tempDir } from '../helpers.js';

function mlp(): nn.Sequential {
  manualSeed(3);
  return nn.sequential(nn.linear(8, 16), nn.relu(), nn.linear(16, 4));
}
const lin = (m: nn.Sequential, i: number) => m[i] as nn.Linear;
const zerosAt = (t: Tensor, mask: Tensor) => Array.from(mask.data).every((k, i) => k !== 0 || t.data[i] === 0);
const batch = () => ({ x: randn([12, 8]), y: new Tensor(Int32Array.from({ length: 12 }, (_, i) => i % 4), [12], 'int32') });

function trainSteps(model: nn.Module, opt: SGD | Adam, n: number): void {
  for (let s = 0; s < n; s++) {
    const { x, y } = batch();
    opt.zeroGrad();
    crossEntropy(model.call(x), y).backward();
    opt.step();
  }
}

test('PyTorch layout: a pruned weight becomes weight_orig (the same Parameter) + weight_mask, weight = orig * mask', () => {
  const m = mlp();
  const before = lin(m, 0).weight;
  const mask = l1Unstructured(lin(m, 0), 'weight', 0.25);
  assert.ok(isPruned(lin(m, 0), 'weight'));
  assert.deepEqual(Object.keys(m.stateDict()), ['0.bias', '0.weight_orig', '0.weight_mask', '2.weight', '2.bias']);
  assert.deepEqual([...m.namedParameters()].map(([n]) => n), ['0.bias', '0.weight_orig', '2.weight', '2.bias']);
  assert.equal(m.parameters()[1], before, 'weight_orig is the original Parameter object, so an existing optimizer keeps it');
  assert.equal(Array.from(mask.data).filter((v) => v === 0).length, 32, '25% of 128');
  const w = lin(m, 0).weight;
  for (let i = 0; i < w.size; i++) assert.equal(w.data[i], before.data[i] * mask.data[i]);
});

test('pruned weights stay exactly zero through forward, backward and 30 SGD steps with momentum and weight decay, pruned mid-training', () => {
  const m = mlp();
  const opt = new SGD(m.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 });
  trainSteps(m, opt, 5); // momentum buffers are nonzero everywhere before pruning
  const mask = l1Unstructured(lin(m, 0), 'weight', 0.5);
  const buf = opt.state.get(m.parameters()[1])!.momentum_buffer as Float32Array;
  assert.ok(Array.from(mask.data).some((k, i) => k === 0 && buf[i] !== 0), 'some pruned entry has momentum left');
  const { x, y } = batch();
  opt.zeroGrad();
  crossEntropy(m.call(x), y).backward();
  const g = getOrig(lin(m, 0), 'weight').grad!;
  assert.ok(zerosAt(g, mask), 'the gradient of a pruned entry is exactly zero');
  assert.ok(Array.from(g.data).some((v) => v !== 0));
  for (let s = 0; s < 30; s++) {
    trainSteps(m, opt, 1);
    assert.ok(zerosAt(lin(m, 0).weight, mask), `step ${s}: a pruned weight became nonzero`);
  }
  assert.equal(sparsityReport(m).layers[0].zeros, 64);
});

test('pruned weights stay exactly zero under Adam with L2 weight decay (moments built before pruning)', () => {
  const m = mlp();
  const opt = new Adam(m.parameters(), { lr: 0.05, weightDecay: 0.01 });
  trainSteps(m, opt, 3);
  const mask = randomUnstructured(lin(m, 2), 'weight', 0.7, new Generator(5));
  for (let s = 0; s < 20; s++) trainSteps(m, opt, 1);
  assert.ok(zerosAt(lin(m, 2).weight, mask));
  assert.equal(Array.from(lin(m, 2).weight.data).filter((v) => v === 0).length, Math.round(0.7 * 64));
});

test('checkpoint round trip: masks, orig values and momentum come back, and training continues identically with zeros kept', () => {
  const dir = tempDir('prune-ckpt');
  const a = mlp();
  const maskA = l1Unstructured(lin(a, 0), 'weight', 0.6);
  lnStructured(lin(a, 2), 'weight', 0.5, { n: 2, dim: 0 });
  const optA = new SGD(a.parameters(), { lr: 0.05, momentum: 0.9 });
  trainSteps(a, optA, 4);
  saveCheckpoint(join(dir, 'checkpoints'), 'epoch-0001', a, optA as never, { epoch: 1, step: 4, rng: [], history: [] }, ['last']);

  const b = nn.sequential(nn.linear(8, 16), nn.relu(), nn.linear(16, 4));
  const ck = loadCheckpoint(join(dir, 'checkpoints'));
  assert.ok('0.weight_mask' in ck.model && '2.weight_orig' in ck.model, 'the safetensors file holds the PyTorch names');
  assert.equal(applyMasksFromStateDict(b, ck.model), 2);
  b.loadStateDict(ck.model);
  const optB = new SGD(b.parameters(), { lr: 0.05, momentum: 0.9 });
  optB.loadStateDict(ck.optimizer);
  assert.deepEqual(Array.from(getMask(lin(b, 0), 'weight')!.data), Array.from(maskA.data));

  manualSeed(11); trainSteps(a, optA, 3);
  manualSeed(11); trainSteps(b, optB, 3);
  assert.deepEqual(Array.from(lin(b, 0).weight.data), Array.from(lin(a, 0).weight.data), 'same weights after resuming');
  assert.ok(zerosAt(lin(b, 0).weight, maskA));
  const rows = Array.from({ length: 4 }, (_, r) => Array.from(lin(b, 2).weight.data.slice(r * 16, r * 16 + 16)).every((v) => v === 0));
  assert.equal(rows.filter(Boolean).length, 2, 'structured pruning removed 2 of 4 output units, still zero after resuming');
});

test('removeMask bakes the mask in and restores a plain weight parameter (prune.remove)', () => {
  const m = mlp();
  const mask = l1Unstructured(lin(m, 0), 'weight', 0.5);
  const eff = Float32Array.from(lin(m, 0).weight.data);
  removeMask(lin(m, 0), 'weight');
  assert.ok(!isPruned(lin(m, 0), 'weight'));
  assert.deepEqual(Object.keys(m.stateDict()), ['0.bias', '0.weight', '2.weight', '2.bias']);
  assert.deepEqual(Array.from(lin(m, 0).weight.data), Array.from(eff));
  assert.ok(zerosAt(lin(m, 0).weight, mask));
  assert.throws(() => removeMask(lin(m, 0), 'weight'), /is not pruned/);
});

test('magnitude pruning: layer-wise removes the smallest |w|; repeated calls prune a fraction of what remains', () => {
  const l = new nn.Linear(5, 2, { bias: false });
  l.weight.data.set([0.5, -0.1, 0.9, -0.3, 0.05, 2, -0.7, 0.2, 0.01, -1]);
  l1Unstructured(l, 'weight', 0.4);
  assert.deepEqual(Array.from(getMask(l, 'weight')!.data), [1, 0, 1, 1, 0, 1, 1, 0, 0, 1]);
  l1Unstructured(l, 'weight', 0.5); // 3 of the 6 alive: 0.3, 0.5, 0.7
  assert.deepEqual(Array.from(getMask(l, 'weight')!.data), [0, 0, 1, 0, 0, 1, 0, 0, 0, 1]);
});

test('global magnitude uses one threshold across layers; layer-wise prunes each layer by the same fraction', () => {
  const small = new nn.Linear(4, 1, { bias: false }), big = new nn.Linear(4, 1, { bias: false });
  small.weight.data.set([0.1, 0.2, 0.3, 0.4]);
  big.weight.data.set([1, 2, 3, 4]);
  globalMagnitude([{ module: small, name: 'weight' }, { module: big, name: 'weight' }], 0.5);
  assert.deepEqual(Array.from(small.weight.data), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(big.weight.data), [1, 2, 3, 4]);
  const r = sparsityReport(nn.sequential(small, big));
  assert.deepEqual(r.layers.map((l) => [l.name, l.zeros, l.pruned]), [['0.weight', 4, 4], ['1.weight', 0, 0]]);
  assert.equal(r.remaining, 0.5);
});

test('structured pruning removes whole output units by L2 norm, and rejects a bad amount', () => {
  const l = new nn.Linear(3, 4);
  l.weight.data.set([1, 1, 1, /**/ 0.1, 0.1, 0.1, /**/ 3, 0, 0, /**/ 0, 0.2, 0]);
  lnStructured(l, 'weight', 0.5, { n: 2, dim: 0 });
  assert.deepEqual(Array.from(getMask(l, 'weight')!.data), [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
  assert.throws(() => l1Unstructured(l, 'weight', 1.5), /amount is the fraction/);
  assert.throws(() => applyMask(l, 'weight', new Tensor(new Float32Array(12).fill(0.5), [4, 3])), /only 0 and 1/);
  assert.throws(() => applyMask(l, 'nope', new Tensor(new Float32Array(1), [1])), /no parameter 'nope'/);
});
