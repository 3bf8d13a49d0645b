import { selectBackend } from '../../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runEdgeOfStability } from '../../../src/experiments/repro/edge-of-stability.js';

test('edge-of-stability at 500 steps, lr 0.1: the sharpness reaches 2/lr = 20 and hovers near it; the verdict is read from the measured run', () => {
  const r = runEdgeOfStability({ lrs: [0.1], steps: 500, every: 20 });
  type Run = { limit: number; initial: number; crossStep: number | null; peak: number; low: number | null; lossAtCross: number | null; finalLoss: number };
  const [run] = (r.data as { runs: Run[] }).runs;
  assert.equal(run.limit, 20);
  assert.ok(run.initial < 6, `starts far below 2/lr: ${run.initial}`);
  assert.ok(run.crossStep !== null && run.crossStep > 100, `sharpens over time, reaching 16 at step ${run.crossStep}`);
  // Measured: peak 22.8 (1.14 x 2/lr), low 17.7 after reaching 16; loss 0.23 -> 0.03.
  assert.ok(run.peak >= 20 && run.peak <= 26, `peak ${run.peak}`);
  assert.ok(run.low! >= 13, `low ${run.low}`);
  assert.ok(run.finalLoss < run.lossAtCross!, 'the loss keeps falling');
  assert.equal(r.held, true, r.evidence.join('\n'));
  assert.ok(r.plots['sharpness.svg'].startsWith('<svg') && r.plots['sharpness.svg'].includes('2/lr = 20.00'));
});
