import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pedAnovaImportance, pearsonDivergence, type ImportanceTrial } from '../../src/tune/importance.js';
import type { SearchSpace } from '../../src/tune/types.js';

/** mulberry32: a seeded uniform generator so the synthetic studies are the same every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('pearson divergence: 0 for equal distributions, Σ q (p/q - 1)² otherwise', () => {
  assert.ok(pearsonDivergence([0.25, 0.75], [0.25, 0.75]) < 1e-9);
  // q = (0.5, 0.5), p = (1, 0): 0.5·(2-1)² + 0.5·(0-1)² = 1.
  assert.ok(Math.abs(pearsonDivergence([1, 0], [0.5, 0.5]) - 1) < 1e-9);
});

test('importance: the objective depends on x only, so x gets almost all of it (log x, uniform y)', () => {
  const space: SearchSpace = { x: { type: 'float', low: 1e-4, high: 1, log: true }, y: { type: 'float', low: -5, high: 5 } };
  const r = rng(7);
  const trials: ImportanceTrial[] = [];
  for (let i = 0; i < 200; i++) {
    const lx = -4 + 4 * r();
    const y = -5 + 10 * r();
    trials.push({ params: { x: 10 ** lx, y }, value: (lx + 2.5) ** 2 });
  }
  const res = pedAnovaImportance(trials, space, { direction: 'minimize' });
  assert.equal(res.reason, null);
  assert.equal(res.trials, 200);
  assert.ok(res.importances.x > 0.8, `importance(x) = ${res.importances.x}`);
  assert.ok(res.importances.x > res.importances.y);
  assert.ok(Math.abs(res.importances.x + res.importances.y - 1) < 1e-12);
  // Maximizing the same values puts the top trials at the ends of x: x still matters most.
  const max = pedAnovaImportance(trials, space, { direction: 'maximize' });
  assert.ok(max.importances.x > 0.8, `importance(x) when maximizing = ${max.importances.x}`);
  // Swapping the roles swaps the ranking.
  const swapped = trials.map((t) => ({ params: t.params, value: ((t.params.y as number) - 1) ** 2 }));
  const s = pedAnovaImportance(swapped, space, { direction: 'minimize' });
  assert.ok(s.importances.y > 0.8, `importance(y) = ${s.importances.y}`);
});

test('importance: a categorical that decides the objective ranks above an irrelevant int and float', () => {
  const space: SearchSpace = {
    act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
    layers: { type: 'int', low: 1, high: 4 },
    wd: { type: 'float', low: 0, high: 1 },
    seed: { type: 'fixed', value: 0 },
  };
  const r = rng(11);
  const trials: ImportanceTrial[] = [];
  for (let i = 0; i < 150; i++) {
    const act = ['relu', 'tanh', 'gelu'][Math.floor(3 * r())];
    trials.push({ params: { act, layers: 1 + Math.floor(4 * r()), wd: r(), seed: 0 }, value: (act === 'gelu' ? 0.9 : 0.5) + 0.05 * r() });
  }
  const res = pedAnovaImportance(trials, space, { direction: 'maximize' });
  assert.deepEqual(Object.keys(res.importances), ['act', 'layers', 'wd'], 'fixed parameters have no importance');
  assert.ok(res.importances.act > 0.8, `importance(act) = ${res.importances.act}`);
  assert.ok(res.importances.act > res.importances.layers && res.importances.act > res.importances.wd);
});

test('importance: too few trials is said, not a NaN; pruned/unfinished values are ignored; bad gamma is refused', () => {
  const space: SearchSpace = { x: { type: 'float', low: 0, high: 1 } };
  const two = pedAnovaImportance([{ params: { x: 0.1 }, value: 1 }, { params: { x: 0.2 }, value: 2 }, { params: { x: 0.3 }, value: null }], space, { direction: 'minimize' });
  assert.deepEqual(two.importances, {});
  assert.equal(two.trials, 2);
  assert.match(two.reason ?? '', /too few/);
  assert.throws(() => pedAnovaImportance([], space, { direction: 'minimize', gamma: 0 }), /gamma/);
});
