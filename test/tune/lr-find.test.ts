import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import { Adam } from '../../src/optim/adam.js';
import { SGD } from '../../src/optim/sgd.js';
import { crossEntropy } from '../../src/ops/loss.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { manualSeed, defaultGenerator } from '../../src/tensor/random.js';
import { randn } from '../../src/tensor/create.js';
import { defineExperiment } from '../../src/experiments/define.js';
import { lrFind, rangeTestLr, suggestLearningRates, lrFindSvg, type LrFindPoint } from '../../src/tune/lr-find.js';

/** A separable 3-class problem: the class is the argmax of three fixed projections of the input. */
function toyData(n: number, seed: number): TensorDataset {
  manualSeed(seed);
  const x = randn([n, 8]);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = x.f32.subarray(i * 8, i * 8 + 8);
    const s = [r[0] + r[1], r[2] - r[3], r[4] + r[5] - r[6]];
    y[i] = s.indexOf(Math.max(...s));
  }
  return new TensorDataset(x, new Tensor(y, [n]));
}

function toyModel(): nn.Sequential {
  return nn.sequential(nn.linear(8, 16), nn.batchNorm1d(16), nn.relu(), nn.dropout(0.2), nn.linear(16, 3));
}

/** Every float of the model, its gradients, and the optimizer's state and hyperparameters, in a fixed order. */
function everything(model: nn.Module, opt: Adam | SGD): unknown[] {
  const out: unknown[] = [];
  for (const [k, t] of Object.entries(model.stateDict())) { out.push(k); out.push(...t.data); out.push(t.grad === null ? 'no grad' : [...t.grad.data]); }
  for (const g of opt.paramGroups) for (const [k, v] of Object.entries(g)) if (k !== 'params') out.push(k, JSON.stringify(v));
  for (const g of opt.paramGroups) for (const p of g.params) {
    const st = opt.state.get(p);
    out.push(st ? Object.keys(st).join(',') : 'no state');
    if (st) for (const v of Object.values(st)) out.push(...(typeof v === 'number' ? [v] : v));
  }
  out.push(...defaultGenerator.getState(), model.training);
  return out;
}

function assertBitIdentical(before: unknown[], after: unknown[]): void {
  assert.equal(after.length, before.length);
  for (let i = 0; i < before.length; i++) {
    const a = before[i], b = after[i];
    const same = Array.isArray(a) ? JSON.stringify(a) === JSON.stringify(b) && (a as number[]).every((v, j) => Object.is(v, (b as number[])[j])) : Object.is(a, b);
    if (!same) assert.fail(`value ${i} changed: ${String(a).slice(0, 60)} -> ${String(b).slice(0, 60)}`);
  }
}

for (const kind of ['adam', 'sgd'] as const) {
  test(`lrFind leaves weights, buffers, gradients and ${kind} state bit-identical`, () => {
    const data = toyData(512, 1);
    manualSeed(3);
    const model = toyModel();
    const opt = kind === 'adam' ? new Adam(model.parameters(), { lr: 1e-3 }) : new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    // A few real steps first, so the optimizer has moment buffers and step counts to protect.
    for (let i = 0; i < 3; i++) {
      const b = data.rows(Array.from({ length: 32 }, (_, j) => i * 32 + j));
      opt.zeroGrad(); crossEntropy(model.call(b.x), b.y).backward(); opt.step();
    }
    model.eval(); // a probe must put the mode back too
    const before = everything(model, opt);
    const r = lrFind({ model, optimizer: opt, loss: crossEntropy, data, batchSize: 32 }, { minLr: 1e-5, maxLr: 100, steps: 60 });
    assert.ok(r.curve.length >= 10, `recorded ${r.curve.length} points`);
    assertBitIdentical(before, everything(model, opt));
    assert.equal(opt.lr, kind === 'adam' ? 1e-3 : 0.05);
  });
}

test('the curve follows the exponential ramp, the bias-corrected average and the 4x stopping rule', () => {
  manualSeed(0);
  const model = toyModel();
  const r = lrFind({ model, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: crossEntropy, data: toyData(256, 2), batchSize: 16 },
    { minLr: 1e-4, maxLr: 1e4, steps: 80, smooth: 0.9 });
  r.curve.forEach((p, i) => assert.ok(Math.abs(p.lr / rangeTestLr(i, 80, 1e-4, 1e4) - 1) < 1e-12));
  assert.ok(Math.abs(r.curve[1].lr / r.curve[0].lr - 10 ** (8 / 79)) < 1e-9);
  // Bias correction: the first smoothed value is the first loss itself, the second a 0.9-weighted mix.
  assert.ok(Math.abs(r.curve[0].smoothed - r.curve[0].loss) < 1e-12);
  const avg2 = 0.9 * (0.1 * r.curve[0].loss) + 0.1 * r.curve[1].loss;
  assert.ok(Math.abs(r.curve[1].smoothed - avg2 / (1 - 0.81)) < 1e-12);
  // SGD at lr 1e4 diverges, so the test stops: the last smoothed loss is above 4x the minimum before it.
  assert.ok(r.stoppedEarly, r.stopReason);
  const last = r.curve[r.curve.length - 1];
  const minBefore = Math.min(...r.curve.slice(0, -1).map((p) => p.smoothed));
  assert.ok(last.smoothed > 4 * minBefore || !Number.isFinite(last.loss), r.stopReason);
  assert.ok(r.curve.length < 80);
  assert.match(lrFindSvg(r), /^<svg[\s\S]*polyline[\s\S]*<\/svg>\n$/);
});

test('suggestions: min/10 is a tenth of the argmin, steepest is the largest drop per decade before it', () => {
  // Smoothed loss 2 until lr 1e-3, then falling, steepest between 1e-2 and 1e-1, minimum at 1, rising after.
  const lrs = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
  const sm = [2, 1.98, 1.9, 1.2, 1.0, 5];
  const curve: LrFindPoint[] = lrs.map((lr, i) => ({ step: i + 1, lr, loss: sm[i], smoothed: sm[i] }));
  const s = suggestLearningRates(curve);
  assert.equal(s.suggestions['min/10']!.lr, 0.1);
  // Central differences: at 1e-2 (1.2 - 1.98) / 2 = -0.39, at 1e-1 (1.0 - 1.9) / 2 = -0.45: steepest at 1e-1.
  assert.equal(s.suggestions.steepest!.lr, 1e-1);
  assert.equal(s.recommended, 'min/10');
  assert.equal(s.suggestedLr, 0.1);
  const flat = suggestLearningRates(curve.map((p, i) => ({ ...p, smoothed: 1 + i })));
  assert.equal(flat.suggestedLr, null);
  assert.match(flat.reason, /never fell below its first value/);
});

test('lrFind on an experiment reads only the training split', () => {
  class Sealed extends TensorDataset {
    override rows(): { x: Tensor; y: Tensor } { throw new Error(`${this.name} was read`); }
  }
  const train = toyData(256, 4);
  const exp = defineExperiment({
    name: 'toy', hparams: { lr: 1e-2, batchSize: 32, seed: 5 },
    data: () => ({ train, val: new Sealed(train.x, train.y, 'validation'), test: new Sealed(train.x, train.y, 'test') }),
    model: () => toyModel(),
    optimizer: (p, hp) => new Adam(p, { lr: Number(hp.lr) }),
    loss: crossEntropy,
  });
  const r = lrFind(exp, { steps: 40, minLr: 1e-5, maxLr: 10 });
  assert.ok(r.curve.length > 5);
  assert.ok(r.suggestedLr !== null && r.suggestedLr > 1e-5 && r.suggestedLr < 10, `suggested ${r.suggestedLr}`);
  assert.equal(r.settings.batchSize, 32);
  assert.equal(r.settings.seed, 5);
});
