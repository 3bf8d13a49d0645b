// Sobol points against scipy's qmc.Sobol(d, scramble=False) (fixture: scripts/fixtures/sobol.py,
// Debian python3-scipy), and the Owen-scrambled variant's defining properties.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sobolPoint, SobolSampler, float, int, SOBOL_MAX_DIM } from '../../src/tune/index.js';
import { memoryContext } from './helpers.js';

// dist/test/tune -> repository root
const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../../test/fixtures/sobol.json', import.meta.url)), 'utf8')) as {
  n: number; points: Record<string, number[][]>;
};

describe('unscrambled Sobol = scipy', () => {
  for (let d = 1; d <= 10; d++) {
    it(`first ${fixture.n} points, d = ${d}, exactly`, () => {
      const expected = fixture.points[String(d)];
      assert.equal(expected.length, fixture.n);
      expected.forEach((row, i) => assert.deepEqual([...sobolPoint(i, d)], row, `point ${i}`));
    });
  }
  it('supports 64 dimensions and refuses more', () => {
    assert.equal(SOBOL_MAX_DIM, 64);
    assert.equal(sobolPoint(3, 64).length, 64);
    assert.throws(() => sobolPoint(0, 65), /dimension must be an integer in 1\.\.64/);
  });
});

describe('Owen-scrambled Sobol', () => {
  it('keeps the net property: each 1-D projection of the first 2^m points has one point per 1/2^m cell', () => {
    for (const seed of [1, 2, 99]) {
      for (const m of [3, 6]) {
        const n = 2 ** m;
        for (let dim = 0; dim < 5; dim++) {
          const cells = new Set<number>();
          for (let i = 0; i < n; i++) cells.add(Math.floor(sobolPoint(i, 5, seed)[dim] * n));
          assert.equal(cells.size, n, `seed ${seed}, 2^${m} points, dim ${dim}`);
        }
      }
    }
  });
  it('is a function of (seed, index): the same seed repeats, another seed differs, and point 0 is no longer the origin', () => {
    assert.deepEqual([...sobolPoint(17, 3, 5)], [...sobolPoint(17, 3, 5)]);
    assert.notDeepEqual([...sobolPoint(17, 3, 5)], [...sobolPoint(17, 3, 6)]);
    assert.ok(sobolPoint(0, 3, 5).every((v) => v > 0 && v < 1));
  });
  it('two-dimensional stratification of the first 16 points: one per cell of a 4×4 grid', () => {
    const cells = new Set<number>();
    for (let i = 0; i < 16; i++) {
      const p = sobolPoint(i, 2, 123);
      cells.add(Math.floor(p[0] * 4) * 4 + Math.floor(p[1] * 4));
    }
    assert.equal(cells.size, 16);
  });
});

describe('SobolSampler', () => {
  it('takes point i from the store index and maps it into the space', async () => {
    const space = { lr: float(1e-4, 1e-2, { log: true }), units: int(1, 8) };
    const ctx = memoryContext(0);
    const s = new SobolSampler();
    const got = [];
    for (let k = 0; k < 4; k++) got.push(await s.sample(space, [], ctx));
    assert.deepEqual(got.map((g) => g.sequenceIndex), [0, 1, 2, 3]);
    // Points (0,0), (.5,.5), (.75,.25), (.25,.75).
    assert.deepEqual(got.map((g) => g.params.units), [1, 5, 3, 7]);
    assert.ok(Math.abs((got[1].params.lr as number) - 1e-3) < 1e-15);
    assert.equal(got[0].params.lr, 1e-4);
  });
});
