import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/tensor/random.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { isAnomalyEnabled } from '../../src/autograd/anomaly.js';
import * as nn from '../../src/nn/index.js';
import { nllLoss, crossEntropy } from '../../src/ops/loss.js';
import { SGD } from '../../src/optim/sgd.js';
import { nanTriage } from '../../src/diagnose/nan-triage.js';
import { runDoctor } from '../../src/diagnose/doctor.js';
import { syntheticData, classificationExperiment, quick } from './fixtures.js';

/** Softmax output with huge logits: probabilities underflow to exactly 0, so log(probs) is -Infinity. */
function saturatedSoftmax(): nn.Sequential {
  const m = nn.sequential(nn.linear(8, 3), nn.softmax(-1));
  noGrad(() => { (m[0] as nn.Linear).weight.mul_(1e4); });
  return m;
}
const logOfSoftmax = (probs: Parameters<typeof nllLoss>[0], y: Parameters<typeof nllLoss>[1]) => nllLoss(probs.log(), y);

test("nanTriage names 'log' when log(softmax) hits log(0) in the forward pass", () => {
  manualSeed(0);
  const d = syntheticData(32, 8, 3, 5);
  const r = nanTriage(saturatedSoftmax(), { x: d.x, y: d.cls }, logOfSoftmax);
  assert.equal(r.ok, false);
  assert.equal(r.stage, 'forward');
  assert.equal(r.op, 'log');
  assert.match(r.message!, /'log' produced -Infinity/);
  assert.equal(isAnomalyEnabled(), false, 'anomaly mode is switched off again');
});

test('nanTriage passes a healthy model and reports NaN already in the data', () => {
  manualSeed(0);
  const d = syntheticData(32, 8, 3, 5);
  const model = nn.sequential(nn.linear(8, 16), nn.relu(), nn.linear(16, 3));
  const opt = new SGD(model.parameters(), { lr: 1e-12 });
  const ok = nanTriage(model, { x: d.x, y: d.cls }, (o, y) => crossEntropy(o, y), opt);
  assert.equal(ok.ok, true);
  assert.ok(Math.abs(ok.loss - Math.log(3)) < 1);
  assert.ok(model.parameters().every((p) => p.grad !== null), 'gradients are left in .grad');

  d.x.data[17] = NaN;
  const bad = nanTriage(model, { x: d.x, y: d.cls }, (o, y) => crossEntropy(o, y));
  assert.equal(bad.ok, false);
  assert.equal(bad.stage, 'data');
  assert.match(bad.message!, /inputs hold NaN at flat index 17/);
});

test("the doctor's NaN triage fails and names 'log' for a model that takes log(0)", () => {
  const exp = classificationExperiment('log-of-zero', saturatedSoftmax, logOfSoftmax);
  const report = runDoctor(exp, { lr: 0.01, batchSize: 32, seed: 0 }, quick);
  const triage = report.checks.find((c) => c.name === 'nan triage')!;
  assert.equal(triage.status, 'fail');
  assert.match(triage.detail, /forward: 'log' produced NaN\/Inf/);
  assert.match(triage.detail, /nan-triage\.test\.(js|ts):\d+/, 'names the line that called log');
  assert.match(triage.advice, /logSoftmax/);
  assert.equal(report.checks.find((c) => c.name === 'initial loss')!.status, 'fail');
  assert.equal(report.passed, false);
});
