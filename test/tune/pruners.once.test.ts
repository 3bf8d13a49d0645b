import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MedianPruner, percentile } from '../../src/tune/pruners/median.js';
import { AshaPruner, promotable } from '../../src/tune/pruners/asha.js';
import { HyperbandPruner, crc32 } from '../../src/tune/pruners/hyperband.js';
import type { FrozenTrial, TrialState } from '../../src/tune/types.js';

const trial = (number: number, intermediate: Record<number, number>, state: TrialState = 'complete'): FrozenTrial =>
  ({ number, state, params: {}, intermediate, value: state === 'complete' ? Object.values(intermediate).at(-1) : undefined });

test('percentile interpolates linearly between order statistics, as numpy does', () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([5, 1, 3], 50), 3);
  assert.ok(Math.abs(percentile([1, 2, 3, 4, 5], 25) - 2) < 1e-12);
  assert.ok(Math.abs(percentile([10, 20], 90) - 19) < 1e-12);
});

test('median pruner: Optuna defaults, 5 startup trials and no warmup, compares the best value so far with the median at this step', () => {
  const p = new MedianPruner();
  const done = [0.1, 0.2, 0.3, 0.4, 0.5].map((v, i) => trial(i, { 1: v, 2: v }));
  // Four complete trials are not enough.
  assert.equal(p.shouldPrune(trial(9, { 1: 0.01 }, 'running'), 1, done.slice(0, 4), 'maximize'), false);
  assert.equal(p.shouldPrune(trial(9, { 1: 0.25 }, 'running'), 1, done, 'maximize'), true, '0.25 < median 0.3');
  assert.equal(p.shouldPrune(trial(9, { 1: 0.35 }, 'running'), 1, done, 'maximize'), false);
  // The best value over its steps counts: 0.5 at step 1 keeps a trial that fell to 0.1 at step 2.
  assert.equal(p.shouldPrune(trial(9, { 1: 0.5, 2: 0.1 }, 'running'), 2, done, 'maximize'), false);
  // Minimizing mirrors it.
  assert.equal(p.shouldPrune(trial(9, { 1: 0.35 }, 'running'), 1, done, 'minimize'), true, '0.35 > median 0.3');
  assert.equal(p.shouldPrune(trial(9, { 1: 0.25 }, 'running'), 1, done, 'minimize'), false);
  assert.equal(p.shouldPrune(trial(9, { 1: NaN }, 'running'), 1, done, 'minimize'), true, 'NaN is pruned');
  // Running and pruned trials are not the reference.
  const others = [0.9, 0.9, 0.9, 0.9, 0.9].map((v, i) => trial(20 + i, { 1: v }, 'running'));
  assert.equal(p.shouldPrune(trial(9, { 1: 0.35 }, 'running'), 1, [...done, ...others], 'maximize'), false);
  assert.equal(new MedianPruner({ warmupSteps: 3 }).shouldPrune(trial(9, { 1: 0.01 }, 'running'), 1, done, 'maximize'), false);
});

test('ASHA: reduction factor 4, grace 1 epoch; rungs at epochs 1, 4, 16; top quarter promoted', () => {
  const p = new AshaPruner();
  assert.deepEqual([0, 1, 2].map((r) => p.rungStep(r)), [1, 4, 16]);
  assert.equal(p.shouldPrune(trial(0, { 1: 0.1 }, 'running'), 1, [], 'maximize'), false, 'the first trial at a rung is promoted');
  const rung = [1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => trial(i, { 1: v }, 'running'));
  // 9 values at rung 0: index floor(9/4)-1 = 1 of the descending list is the bar.
  assert.equal(p.shouldPrune(trial(9, { 1: 7.5 }, 'running'), 1, rung, 'maximize'), false);
  assert.equal(p.shouldPrune(trial(9, { 1: 6.5 }, 'running'), 1, rung, 'maximize'), true);
  assert.equal(p.shouldPrune(trial(9, { 1: 1.5 }, 'running'), 1, rung, 'minimize'), false);
  assert.equal(p.shouldPrune(trial(9, { 1: 2.5 }, 'running'), 1, rung, 'minimize'), true);
  // Between rungs nothing new is decided; at epoch 4 the trial meets rung 1's competitors.
  assert.equal(p.shouldPrune(trial(9, { 1: 7.5, 2: 0, 3: 0 }, 'running'), 3, rung, 'maximize'), false);
  assert.equal(promotable(5, [5], 4, 'maximize'), true);
  assert.equal(promotable(1, [1, 9, 8, 7], 4, 'maximize'), false);
});

test('Hyperband: reduction factor 3, floor(log3(max/min)) + 1 brackets with budgets ceil(n·3^s/(s+1)), trials hashed to brackets with CRC-32', () => {
  assert.equal(crc32('123456789'), 0xcbf43926, 'the CRC-32 check value');
  const h = new HyperbandPruner({ maxResource: 9, studyName: 's' });
  assert.equal(h.brackets, 3);
  assert.deepEqual(h.budgets, [9, 5, 3]);
  assert.equal(new HyperbandPruner({ maxResource: 27 }).brackets, 4);
  assert.equal(new HyperbandPruner({ maxResource: 3 }).brackets, 2);
  const counts = [0, 0, 0];
  for (let n = 0; n < 1700; n++) counts[h.bracketOf(n)]++;
  // The hash spreads trials in proportion to the budgets 9:5:3 (within a few percent).
  assert.ok(Math.abs(counts[0] / 1700 - 9 / 17) < 0.05 && Math.abs(counts[2] / 1700 - 3 / 17) < 0.05, `bracket counts ${counts}`);
  // A trial competes only inside its bracket: bracket 2 starts at rung step 9, so nothing before is pruned.
  const b2 = [...Array(200).keys()].find((n) => h.bracketOf(n) === 2)!;
  const rivals = [...Array(50).keys()].map((n) => trial(1000 + n, { 1: 100, 3: 100, 9: 100 }, 'running'));
  assert.equal(h.shouldPrune(trial(b2, { 1: 0, 3: 0 }, 'running'), 3, rivals, 'maximize'), false);
});
