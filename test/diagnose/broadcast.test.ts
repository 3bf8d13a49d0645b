import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { getBroadcastMode } from '../../src/tensor/broadcast-mode.js';
import * as nn from '../../src/nn/index.js';
import { collectBroadcastWarnings } from '../../src/diagnose/broadcast-check.js';
import { runDoctor } from '../../src/diagnose/doctor.js';
import { regressionExperiment, quick } from './fixtures.js';

/** The bug: predictions (N, 1) minus targets (N) broadcast to (N, N). */
const buggyMse = (out: Tensor, y: Tensor): Tensor => out.sub(y).square().mean();
/** The fix: make the shapes equal. */
const fixedMse = (out: Tensor, y: Tensor): Tensor => out.squeeze(1).sub(y).square().mean();
const regressor = (): nn.Sequential => nn.sequential(nn.linear(8, 16), nn.relu(), nn.linear(16, 1));

test('collectBroadcastWarnings catches (N, 1) - (N) -> (N, N) and restores the mode', () => {
  const { result, warnings } = collectBroadcastWarnings(() => new Tensor(new Float32Array(4), [4, 1]).sub(new Tensor(new Float32Array(4), [4])));
  assert.deepEqual(result.shape, [4, 4]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /sub of shapes \(4, 1\) and \(4,?\) gives \(4, 4\)/);
  assert.equal(getBroadcastMode(), 'off');
  assert.deepEqual(collectBroadcastWarnings(() => new Tensor(new Float32Array(4), [4]).mul(2)).warnings, []);
});

test('the doctor fails the broadcasting check for predictions (N, 1) minus targets (N)', () => {
  const report = runDoctor(regressionExperiment('broadcast-bug', regressor, buggyMse), { lr: 0.01, batchSize: 32, seed: 0 }, quick);
  const check = report.checks.find((c) => c.name === 'broadcasting')!;
  assert.equal(check.status, 'fail');
  assert.match(check.detail, /sub of shapes \(32, 1\) and \(32,?\) gives \(32, 32\)/);
  assert.match(check.advice, /squeeze/);
  assert.equal(report.passed, false);
  assert.equal(getBroadcastMode(), 'off');
});

test('with the shapes fixed the broadcasting check passes', () => {
  const report = runDoctor(regressionExperiment('broadcast-fixed', regressor, fixedMse), { lr: 0.01, batchSize: 32, seed: 0 }, quick);
  const check = report.checks.find((c) => c.name === 'broadcasting')!;
  assert.equal(check.status, 'pass', check.detail);
  assert.equal(report.checks.find((c) => c.name === 'labels')!.detail, 'float targets, all finite');
});
