// The grid sampler: every point exactly once, even with concurrent askers; clear errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GridSampler, categorical, float, int, fixed, when, SearchSpaceExhaustedError } from '../../src/tune/index.js';
import { memoryContext, throwsWith } from './helpers.js';

describe('grid sampler', () => {
  const space = { lr: float(1e-3, 1e-1, { log: true }), units: int(16, 64, { step: 16 }), act: categorical(['relu', 'tanh']), epochs: fixed(2) };

  it('covers the cartesian product exactly once across 8 concurrent workers, then says it is exhausted', async () => {
    const grid = new GridSampler({ floatPoints: 3 });
    assert.equal(grid.size(space), 3 * 4 * 2);
    const ctx = memoryContext(0);
    const workers = Array.from({ length: 8 }, async () => {
      const got = [];
      for (let k = 0; k < 3; k++) got.push(await grid.sample(space, [], ctx));
      return got;
    });
    const all = (await Promise.all(workers)).flat();
    const keys = all.map((g) => JSON.stringify(g.params));
    assert.equal(new Set(keys).size, 24, 'no point twice');
    const lrs = [...new Set(all.map((g) => g.params.lr as number))].sort((a, b) => a - b);
    [1e-3, 1e-2, 1e-1].forEach((v, k) => assert.ok(Math.abs(lrs[k] / v - 1) < 1e-12, `log-spaced lr ${lrs[k]} ~ ${v}`));
    assert.deepEqual(new Set(all.map((g) => g.params.units)), new Set([16, 32, 48, 64]));
    assert.ok(all.every((g) => g.params.epochs === 2));
    await assert.rejects(grid.sample(space, [], ctx), (e: unknown) => e instanceof SearchSpaceExhaustedError && /all 24 grid points/.test((e as Error).message));
  });

  it('orders points with the first parameter slowest', () => {
    const g = new GridSampler();
    const s = { a: int(0, 1), b: categorical(['x', 'y', 'z']) };
    assert.deepEqual(Array.from({ length: 6 }, (_, i) => g.point(s, i)), [
      { a: 0, b: 'x' }, { a: 0, b: 'y' }, { a: 0, b: 'z' }, { a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 1, b: 'z' },
    ]);
  });

  it('needs a step or floatPoints for a float, and says so', () => {
    throwsWith(() => new GridSampler().size({ x: float(0, 1) }), ["float parameter 'x' has no step", 'floatPoints']);
    assert.deepEqual(Array.from({ length: 3 }, (_, i) => new GridSampler().point({ x: float(0, 1, { step: 0.5 }) }, i).x), [0, 0.5, 1]);
  });

  it('with conditional parameters, lists each distinct active configuration once', () => {
    const cs = { opt: categorical(['adam', 'sgd']), momentum: when('opt', 'sgd', float(0.5, 0.9, { step: 0.2 })) };
    const g = new GridSampler();
    assert.equal(g.size(cs), 1 + 3);
    const pts = Array.from({ length: 4 }, (_, i) => g.point(cs, i));
    assert.deepEqual(pts, [{ opt: 'adam' }, { opt: 'sgd', momentum: 0.5 }, { opt: 'sgd', momentum: 0.7 }, { opt: 'sgd', momentum: 0.9 }]);
  });
});

