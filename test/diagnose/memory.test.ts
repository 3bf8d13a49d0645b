import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/tensor.js';
import { zeros, randn } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { getGraphLeakMode, setGraphLeakMode } from '../../src/autograd/graph-leak.js';
import * as nn from '../../src/nn/index.js';
import { Module } from '../../src/nn/module.js';
import { SGD } from '../../src/optim/sgd.js';
import { memoryGrowth } from '../../src/diagnose/memory.js';
import { runDoctor } from '../../src/diagnose/doctor.js';
import { classificationExperiment, quick } from './fixtures.js';

/** A training step on fresh (1024, 128) inputs; the activations are ~0.5 MB each. */
function setup(): { step: () => Tensor; model: Module } {
  manualSeed(0);
  const model = nn.sequential(nn.linear(128, 128), nn.relu(), nn.linear(128, 1));
  const opt = new SGD(model.parameters(), { lr: 1e-3 });
  const step = (): Tensor => {
    opt.zeroGrad();
    const loss = model.call(randn([1024, 128])).square().mean();
    loss.backward();
    opt.step();
    return loss;
  };
  return { step, model };
}

test('memoryGrowth catches running = running.add(loss): a graph-leak warning and steady growth', () => {
  const { step } = setup();
  let running: Tensor = zeros([]);
  const r = memoryGrowth(() => { running = running.add(step()); }, 14);
  assert.ok(r.leaks.length >= 1, 'a graph-leak warning was captured');
  assert.match(r.leaks[0], /'add' uses the result of 'add', whose graph was built 1 optimizer step ago/);
  assert.match(r.leaks[0], /loss\.item\(\)/);
  assert.equal(r.verdict, 'growing', `slope ${r.slopeMBPerStep} MB/step, r2 ${r.r2}`);
  assert.ok(r.slopeMBPerStep > 0.5);
  assert.equal(r.samples.length, 13);
  assert.equal(r.gc, 'full');
  assert.equal(getGraphLeakMode(), 'warn', 'the graph-leak mode is restored');
});

test('memoryGrowth: accumulating loss.item() is stable with no leak', () => {
  const { step } = setup();
  let running = 0;
  const r = memoryGrowth(() => { running += step().item(); }, 14);
  assert.deepEqual(r.leaks, []);
  assert.equal(r.verdict, 'stable', `slope ${r.slopeMBPerStep} MB/step, r2 ${r.r2}`);
  assert.ok(Number.isFinite(running));
});

test("memoryGrowth captures leaks even when the graph-leak mode is 'off' or 'error', and restores it", () => {
  for (const mode of ['off', 'error'] as const) {
    setGraphLeakMode(mode);
    const { step } = setup();
    let running: Tensor = zeros([]);
    const r = memoryGrowth(() => { running = running.add(step()); }, 6);
    assert.ok(r.leaks.length >= 1, `mode ${mode}`);
    assert.equal(getGraphLeakMode(), mode);
  }
  setGraphLeakMode('warn');
  assert.throws(() => memoryGrowth(() => undefined, 3), /at least warmup \+ 3 = 5/);
});

/** A ReLU that sums its mean activation for logging but forgets to detach: every step's graph hangs off `total`. */
class LoggedRelu extends Module {
  total: Tensor = zeros([]);
  forward(x: Tensor): Tensor {
    const y = x.relu();
    this.total = this.total.add(y.mean());
    return y;
  }
}

test("the doctor's graph-leak check fails for a layer that keeps a tensor with its graph across steps", () => {
  const exp = classificationExperiment('leaky-layer', () => nn.sequential(nn.linear(8, 16), new LoggedRelu(), nn.linear(16, 3)));
  const report = runDoctor(exp, { lr: 0.01, batchSize: 32, seed: 0 }, quick);
  const leak = report.checks.find((c) => c.name === 'graph leak')!;
  assert.equal(leak.status, 'fail');
  assert.match(leak.detail, /'add' uses the result of 'add', whose graph was built \d+ optimizer steps? ago/);
  assert.match(leak.advice, /detach\(\)/);
  assert.equal(report.passed, false);

  const healthy = runDoctor(classificationExperiment('healthy', () => nn.sequential(nn.linear(8, 16), nn.relu(), nn.linear(16, 3))), { lr: 0.01, batchSize: 32, seed: 0 }, quick);
  const rows = Object.fromEntries(healthy.checks.map((c) => [c.name, c]));
  assert.equal(rows['graph leak'].status, 'pass');
  assert.notEqual(rows['memory growth'].status, 'fail');
});
