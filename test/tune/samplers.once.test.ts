// Model-based samplers against random search on a 2-D quadratic (deterministic seeds), TPE on
// conditional spaces, constant liars, and the sampler factory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createSampler, sampleLoop, float, int, categorical, when, AutoSampler, TpeSampler, GpSampler,
  type FrozenTrial, type Params,
} from '../../src/tune/index.js';
import { defaultGamma, defaultWeights, splitTrials } from '../../src/tune/samplers/tpe.js';
import { memoryContext, median } from './helpers.js';

const space = { x: float(-5, 5), y: float(-5, 5) };
const quadratic = (p: Params): number => ((p.x as number) - 1.3) ** 2 + ((p.y as number) + 0.7) ** 2;

async function medianBest(name: string, trials: number, seeds: number[]): Promise<number> {
  const bests = [];
  for (const seed of seeds) bests.push((await sampleLoop(createSampler(name), space, quadratic, { trials, seed })).best.value!);
  return median(bests);
}

describe('model-based samplers beat random search on a 2-D quadratic', () => {
  const seeds = [1, 2, 3, 4, 5];
  it('tpe, 30 trials', async () => {
    const random = await medianBest('random', 30, seeds);
    const tpe = await medianBest('tpe', 30, seeds);
    assert.ok(tpe < random, `tpe median best ${tpe} should be below random's ${random}`);
  });
  it('gp, 20 trials, and gets close to the minimum', async () => {
    const random = await medianBest('random', 20, seeds);
    const gp = await medianBest('gp', 20, seeds);
    assert.ok(gp < random / 10, `gp median best ${gp} should be far below random's ${random}`);
    assert.ok(gp < 1e-3, `gp median best ${gp}`);
  });
  it('maximize works the same way round', async () => {
    const { best } = await sampleLoop(createSampler('gp'), space, (p) => -quadratic(p), { trials: 20, seed: 1, direction: 'maximize' });
    assert.ok(best.value! > -1e-2, `best ${best.value}`);
  });
});

describe('TPE', () => {
  it('has Optuna’s gamma and weights', () => {
    assert.deepEqual([1, 10, 11, 100, 250, 1000].map(defaultGamma), [1, 1, 2, 10, 25, 25]);
    assert.deepEqual(defaultWeights(3), [1, 1, 1]);
    const w = defaultWeights(30);
    assert.equal(w.length, 30);
    assert.ok(Math.abs(w[0] - 1 / 30) < 1e-15 && w[4] === 1 && w[29] === 1);
  });
  it('splits as Optuna: complete by value, then pruned by depth and last value; running trials always above', () => {
    const t = (number: number, state: FrozenTrial['state'], value?: number, intermediate: Record<number, number> = {}): FrozenTrial =>
      ({ number, state, params: {}, intermediate, ...(value !== undefined ? { value } : {}) });
    const trials = [t(0, 'complete', 5), t(1, 'pruned', undefined, { 1: 0.1 }), t(2, 'pruned', undefined, { 1: 0.5, 3: 2 }),
      t(3, 'running'), t(4, 'complete', 1), t(5, 'pruned')];
    const ids = (xs: FrozenTrial[]): number[] => xs.map((x) => x.number);
    assert.deepEqual(ids(splitTrials(trials, 1, 1).below), [4]);
    assert.deepEqual(ids(splitTrials(trials, 3, 1).below), [0, 2, 4]); // the deeper pruned trial first
    assert.deepEqual(ids(splitTrials(trials, 5, 1).below), [0, 1, 2, 4, 5]);
    assert.deepEqual(ids(splitTrials(trials, 6, 1).above), [3]);
    assert.deepEqual(ids(splitTrials(trials, 1, -1).below), [0]); // maximize
  });
  it('samples conditional parameters only when active, and learns which branch is better', async () => {
    const cs = {
      branch: categorical(['flat', 'bowl']),
      a: when('branch', 'flat', float(0, 1)),
      b: when('branch', 'bowl', float(-2, 2)),
      k: int(1, 4),
    };
    // The bowl branch reaches 0; the flat branch never goes below 1.
    const f = (p: Params): number => (p.branch === 'flat' ? 1 + (p.a as number) : (p.b as number) ** 2) + ((p.k as number) - 3) ** 2;
    const { trials } = await sampleLoop(new TpeSampler(), cs, f, { trials: 40, seed: 3 });
    for (const t of trials) {
      assert.equal('a' in t.params, t.params.branch === 'flat');
      assert.equal('b' in t.params, t.params.branch === 'bowl');
    }
    const late = trials.slice(20);
    assert.ok(late.filter((t) => t.params.branch === 'bowl').length >= 15, 'later trials prefer the better branch');
    assert.ok(Math.min(...trials.map((t) => t.value!)) < 0.05);
  });
  it('with a constant liar, spreads parallel suggestions away from running trials', async () => {
    // 20 finished trials; 6 running ones at the best point: the liar makes them look bad.
    const ctx = memoryContext(7);
    const done: FrozenTrial[] = [];
    const { trials } = await sampleLoop(createSampler('random'), space, quadratic, { trials: 20, seed: 11 });
    done.push(...trials);
    const bestParams = trials.reduce((b, t) => (t.value! < b.value! ? t : b)).params;
    const running = Array.from({ length: 6 }, (_, k): FrozenTrial => ({ number: 20 + k, state: 'running', params: bestParams, intermediate: {} }));
    const dist = async (liar: boolean): Promise<number> => {
      const s = new TpeSampler({ constantLiar: liar });
      const ds = [];
      for (let r = 0; r < 15; r++) {
        const p = (await s.sample(space, [...done, ...running], ctx)).params;
        ds.push(Math.hypot((p.x as number) - (bestParams.x as number), (p.y as number) - (bestParams.y as number)));
      }
      return median(ds);
    };
    const withLiar = await dist(true);
    const without = await dist(false);
    assert.ok(withLiar > without, `median distance from the running point: liar ${withLiar}, none ${without}`);
  });
});

describe('GP constant liar', () => {
  it('does not suggest the point a running trial already evaluates', async () => {
    const ctx = memoryContext(5);
    const { trials } = await sampleLoop(createSampler('gp'), space, quadratic, { trials: 15, seed: 4 });
    const s = new GpSampler();
    const first = (await s.sample(space, trials, ctx)).params;
    const running: FrozenTrial = { number: 15, state: 'running', params: first, intermediate: {} };
    const second = (await s.sample(space, [...trials, running], ctx)).params;
    const gap = Math.hypot((first.x as number) - (second.x as number), (first.y as number) - (second.y as number));
    // Without the liar the same call returns the same point. With it the log-EI search moves
    // away, though not far: after 15 trials the GP has located this quadratic's minimum to ~1e-2,
    // and the best remaining spot is a few 1e-4 away (the local search resolves ~1e-6).
    const again = (await new GpSampler().sample(space, trials, memoryContext(5))).params;
    assert.ok(Math.hypot((first.x as number) - (again.x as number), (first.y as number) - (again.y as number)) < 1e-9);
    assert.ok(gap > 1e-4, `second suggestion ${JSON.stringify(second)} too close to the running ${JSON.stringify(first)}`);
  });
});

describe('GP on mixed spaces', () => {
  it('returns values of the right kind inside the space (log float, stepped int, categorical)', async () => {
    const mixed = { lr: float(1e-4, 1, { log: true }), units: int(8, 64, { step: 8 }), act: categorical(['relu', 'tanh', 'gelu']) };
    const f = (p: Params): number => (Math.log10(p.lr as number) + 2) ** 2 + ((p.units as number) - 32) ** 2 / 100 + (p.act === 'gelu' ? 0 : 1);
    const { trials, best } = await sampleLoop(createSampler('gp'), mixed, f, { trials: 20, seed: 9 });
    for (const t of trials) {
      const lr = t.params.lr as number;
      const units = t.params.units as number;
      assert.ok(lr >= 1e-4 && lr <= 1 && units >= 8 && units <= 64 && units % 8 === 0, JSON.stringify(t.params));
      assert.ok(['relu', 'tanh', 'gelu'].includes(t.params.act as string));
    }
    assert.ok(best.value! < 0.5, `best ${best.value} (${JSON.stringify(best.params)})`);
  });
});

describe('auto and the factory', () => {
  it('starts with max(5, 2d) Sobol points, then GP for numeric spaces and TPE for categorical ones', async () => {
    assert.equal(AutoSampler.startupCount(space), 5);
    assert.equal(AutoSampler.startupCount({ a: float(0, 1), b: float(0, 1), c: float(0, 1), d: int(0, 3) }), 8);
    assert.equal(AutoSampler.modelFor(space), 'gp');
    assert.equal(AutoSampler.modelFor({ ...space, act: categorical(['relu', 'gelu']) }), 'tpe');
    assert.equal(AutoSampler.modelFor({ o: categorical(['a']), m: when('o', 'a', float(0, 1)) }), 'tpe');
    const { trials, best } = await sampleLoop(createSampler('auto', { seed: 2 }), space, quadratic, { trials: 20, seed: 2 });
    assert.deepEqual(trials.map((t) => t.sequenceIndex), [0, 1, 2, 3, 4, ...new Array(15).fill(undefined)]);
    assert.ok(best.value! < 1e-2, `auto best ${best.value}`);
  });
  it('knows every name and rejects others', () => {
    for (const n of ['auto', 'grid', 'random', 'sobol', 'tpe', 'gp']) assert.equal(createSampler(n).name, n);
    assert.throws(() => createSampler('cmaes'), /unknown sampler 'cmaes'; use one of auto, grid, random, sobol, tpe, gp/);
  });
});
