import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { manualSeed } from '../../src/tensor/random.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import * as nn from '../../src/nn/index.js';
import { Module } from '../../src/nn/module.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { gradientFlow, deadUnits, activationStats } from '../../src/diagnose/gradient-flow.js';
import { runDoctor } from '../../src/diagnose/doctor.js';
import { syntheticData, classificationExperiment, quick } from './fixtures.js';

/** Two linear layers, but forward only uses the first: `extra` is disconnected from the loss. */
class Disconnected extends Module {
  fc = new nn.Linear(8, 3);
  extra = new nn.Linear(8, 3);
  forward(x: Tensor): Tensor { return this.fc.call(x); }
}

/** An MLP whose middle layer starts with bias -100, so the ReLU after it never fires. */
function deadMlp(): nn.Sequential {
  const m = nn.sequential(nn.linear(8, 16), nn.relu(), nn.linear(16, 16), nn.relu(), nn.linear(16, 3));
  noGrad(() => { (m[2] as nn.Linear).bias!.fill_(-100); });
  return m;
}

function backwardOn(model: Module, n = 64): void {
  const d = syntheticData(n, 8, 3, 1);
  crossEntropy(model.call(d.x), d.cls).backward();
}

test("gradientFlow reports a parameter that forward never uses as 'no-grad'", () => {
  manualSeed(0);
  const model = new Disconnected();
  backwardOn(model);
  const byName = Object.fromEntries(gradientFlow(model).map((r) => [r.name, r]));
  assert.equal(byName['fc.weight'].status, 'ok');
  assert.ok(byName['fc.weight'].gradNorm > 0);
  assert.equal(byName['extra.weight'].status, 'no-grad');
  assert.equal(byName['extra.bias'].status, 'no-grad');
  assert.deepEqual(byName['extra.weight'].shape, [3, 8]);
});

test("gradientFlow reports frozen parameters as 'frozen'", () => {
  manualSeed(0);
  const model = nn.sequential(nn.linear(8, 4), nn.relu(), nn.linear(4, 3)).freeze('0');
  backwardOn(model);
  const status = Object.fromEntries(gradientFlow(model).map((r) => [r.name, r.status]));
  assert.deepEqual(status, { '0.weight': 'frozen', '0.bias': 'frozen', '2.weight': 'ok', '2.bias': 'ok' });
});

test('a dead ReLU layer (bias -100): every unit dead and a zero gradient into it', () => {
  manualSeed(0);
  const model = deadMlp();
  const d = syntheticData(128, 8, 3, 2);
  const layers = deadUnits(model, d.x);
  assert.equal(layers.length, 2);
  const [first, second] = layers;
  assert.equal(second.name, '3');
  assert.equal(second.after, '2');
  assert.deepEqual([second.units, second.dead, second.fraction], [16, 16, 1]);
  assert.ok(first.fraction < 0.5, `first ReLU should be mostly alive, got ${first.dead}/${first.units} dead`);

  crossEntropy(model.call(d.x), d.cls).backward();
  const status = Object.fromEntries(gradientFlow(model).map((r) => [r.name, r.status]));
  assert.equal(status['2.weight'], 'zero');
  assert.equal(status['2.bias'], 'zero');
  assert.equal(status['4.weight'], 'zero', 'the layer after the dead ReLU sees all-zero inputs');
  assert.equal(status['4.bias'], 'ok');
});

test('deadUnits counts conv channels, ignores LeakyReLU and leaves the model unchanged', () => {
  manualSeed(0);
  const conv = nn.sequential(nn.conv2d(1, 4, 3, { padding: 1 }), nn.batchNorm2d(4), nn.relu(), nn.conv2d(4, 2, 3), nn.leakyRelu());
  const x = new Tensor(Float32Array.from({ length: 8 * 36 }, (_, i) => Math.sin(i)), [8, 1, 6, 6]);
  const before = conv.stateDict()['1.running_mean'].toList();
  const layers = deadUnits(conv, x);
  assert.equal(layers.length, 1, 'only the ReLU is checked');
  assert.equal(layers[0].units, 4);
  assert.deepEqual(conv.stateDict()['1.running_mean'].toList(), before, 'BatchNorm running stats untouched');
  assert.equal(conv.training, true);
});

test('activationStats: per-layer stats with retained output gradients; a healthy MLP is not flagged', () => {
  manualSeed(0);
  const model = nn.sequential(nn.linear(8, 32), nn.relu(), nn.linear(32, 32), nn.relu(), nn.linear(32, 3));
  const d = syntheticData(64, 8, 3, 3);
  const st = activationStats(model, { x: d.x, y: d.cls }, { loss: (o, y) => crossEntropy(o, y) });
  assert.deepEqual(st.layers.map((l) => l.name), ['0', '2', '4']);
  assert.deepEqual(st.layers.map((l) => l.type), ['Linear', 'Linear', 'Linear']);
  for (const l of st.layers) {
    assert.ok(l.outputStd > 0 && l.gradStd !== null && l.gradStd > 0, `layer ${l.name} has stats`);
    assert.equal(l.outputTrend, 'ok');
    assert.equal(l.gradTrend, 'ok');
  }
  assert.equal(st.layers[0].outputRatio, 1);
  assert.equal(st.layers[2].gradRatio, 1);
  assert.deepEqual([st.vanishing, st.exploding, st.flags], [false, false, []]);
  // The backward pass left parameter gradients for gradientFlow.
  assert.ok(gradientFlow(model).every((r) => r.status === 'ok'));
});

test('activationStats flags the dead layer as vanishing and huge weights as exploding', () => {
  manualSeed(0);
  const d = syntheticData(64, 8, 3, 4);
  const dead = activationStats(deadMlp(), { x: d.x, y: d.cls }, { loss: (o, y) => crossEntropy(o, y) });
  assert.equal(dead.vanishing, true);
  assert.ok(dead.flags.some((f) => f.includes("'0'") && f.includes('vanishing')), dead.flags.join('\n'));

  manualSeed(0);
  const big = nn.sequential(nn.linear(8, 32), nn.tanh(), nn.linear(32, 32), nn.linear(32, 32), nn.linear(32, 3));
  noGrad(() => { for (const k of [2, 3, 4]) (big[k] as nn.Linear).weight.mul_(300); });
  const st = activationStats(big, d.x);
  assert.equal(st.exploding, true);
  assert.equal(st.layers[3].outputTrend, 'exploding');
});

test('the doctor fails gradient flow for a disconnected layer and dead relu for the bias -100 layer', () => {
  const disconnected = runDoctor(classificationExperiment('disconnected', () => new Disconnected()), { lr: 0.01, batchSize: 32, seed: 0 }, quick);
  const flow = disconnected.checks.find((c) => c.name === 'gradient flow')!;
  assert.equal(flow.status, 'fail');
  assert.match(flow.detail, /no gradient \(disconnected from the loss\): extra\.weight, extra\.bias/);
  assert.equal(disconnected.passed, false);

  const dead = runDoctor(classificationExperiment('dead', deadMlp), { lr: 0.01, batchSize: 32, seed: 0 }, quick);
  const relu = dead.checks.find((c) => c.name === 'dead relu')!;
  assert.equal(relu.status, 'fail');
  assert.match(relu.detail, /'3' 16\/16/);
  assert.match(relu.advice, /fed by '2'/);
  const deadFlow = dead.checks.find((c) => c.name === 'gradient flow')!;
  assert.equal(deadFlow.status, 'fail');
  assert.match(deadFlow.detail, /all-zero gradient \(dead\): .*2\.weight, 2\.bias/);
});
