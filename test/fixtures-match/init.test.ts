import { selectBackend } from '../../src/backend/select.js';
await selectBackend();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import {
  calculateGain, fanInAndFanOut, xavierUniform_, xavierNormal_, kaimingUniform_, kaimingNormal_, type Nonlinearity,
} from '../../src/nn/init.js';
import { zeros } from '../../src/tensor/create.js';
import { manualSeed } from '../../src/tensor/random.js';
import { loadFixture, expectNumber } from './fixture.js';

/**
 * Initializer parity with torch.nn.init (1.13). Gains and fans are formulas, so they must match
 * exactly. Random draws come from different generators, so those are compared by distribution:
 * the support (±bound) exactly, and the empirical standard deviation against the theoretical
 * one that PyTorch's formulas give (PyTorch's own draw in the fixture passes the same check).
 */

interface Stats { numel: number; min: number; max: number; mean: number; std: number; bound?: number; theoretical_std?: number }
interface InitFixture {
  calculate_gain: Array<{ nonlinearity: Nonlinearity; param: number | null; gain: number }>;
  fan_in_and_fan_out: Array<{ shape: number[]; fan_in: number; fan_out: number }>;
  default_init: Array<{ module: 'Linear' | 'Conv2d'; args: Record<string, number>; weight_shape: number[]; fan_in: number; fan_out: number; weight: Stats; bias: Stats }>;
  explicit_init: Array<{
    name: string; fn: string; kwargs: { a?: number; mode?: 'fan_in' | 'fan_out'; nonlinearity?: Nonlinearity };
    shape: number[]; fan_in: number; fan_out: number; gain: number; theoretical_std: number; theoretical_bound?: number; empirical: Stats;
  }>;
}
const fixture = loadFixture<InitFixture>('init.json');

/** Population statistics (as the fixture's, unbiased=False), in float64. */
function stats(d: ArrayLike<number>): Stats {
  let min = Infinity, max = -Infinity, s = 0;
  for (let i = 0; i < d.length; i++) { const v = d[i]; s += v; if (v < min) min = v; if (v > max) max = v; }
  const mean = s / d.length;
  let ss = 0;
  for (let i = 0; i < d.length; i++) ss += (d[i] - mean) ** 2;
  return { numel: d.length, min, max, mean, std: Math.sqrt(ss / d.length) };
}

/** |std/expected - 1| <= rel, and the mean is within 5 standard errors of 0. */
function expectDistribution(s: Stats, expectedStd: number, rel: number, what: string): void {
  const ratio = s.std / expectedStd;
  assert.ok(Math.abs(ratio - 1) <= rel, `${what}: empirical std ${s.std} is ${((ratio - 1) * 100).toFixed(2)}% off the theoretical ${expectedStd} (allowed ${rel * 100}%)`);
  const se = expectedStd / Math.sqrt(s.numel);
  assert.ok(Math.abs(s.mean) <= 5 * se, `${what}: mean ${s.mean} is more than 5 standard errors (${se}) from 0`);
}

function expectWithin(s: Stats, bound: number, what: string): void {
  // Values are float32, so one rounding step past the bound is allowed.
  const lim = bound * (1 + 2 ** -24);
  assert.ok(s.min >= -lim && s.max <= lim, `${what}: values span [${s.min}, ${s.max}], outside ±${bound}`);
  // ... and fill the interval (P(max |value| of n uniform draws < bound*(1 - 10/n)) ~ e^-10).
  assert.ok(Math.max(-s.min, s.max) >= bound * (1 - 10 / s.numel), `${what}: max |value| ${Math.max(-s.min, s.max)} does not reach ±${bound}`);
}

test('calculateGain matches torch.nn.init.calculate_gain for every nonlinearity (exactly, up to 1 ulp)', () => {
  for (const g of fixture.calculate_gain) {
    const ours = calculateGain(g.nonlinearity, g.param ?? undefined);
    expectNumber(ours, g.gain, { atol: 0, rtol: 2.3e-16 }, `calculateGain('${g.nonlinearity}', ${g.param})`);
  }
});

test('fanInAndFanOut matches torch.nn.init._calculate_fan_in_and_fan_out', () => {
  for (const f of fixture.fan_in_and_fan_out) {
    assert.deepEqual(fanInAndFanOut(f.shape), { fanIn: f.fan_in, fanOut: f.fan_out }, `shape [${f.shape}]`);
  }
});

for (const d of fixture.default_init) {
  test(`default ${d.module}(${Object.values(d.args).join(', ')}) init: U(±1/sqrt(fan_in)) for weight and bias, like torch`, () => {
    manualSeed(20240601);
    const make = () => (d.module === 'Linear'
      ? new nn.Linear(d.args.in_features, d.args.out_features)
      : new nn.Conv2d(d.args.in_channels, d.args.out_channels, d.args.kernel_size));
    const m = make();
    assert.deepEqual([...m.weight.shape], d.weight_shape);
    const { fanIn, fanOut } = fanInAndFanOut(m.weight.shape);
    assert.deepEqual([fanIn, fanOut], [d.fan_in, d.fan_out]);
    const bound = 1 / Math.sqrt(fanIn);
    expectNumber(bound, d.weight.bound!, { atol: 0, rtol: 1e-15 }, 'weight bound');
    expectNumber(bound, d.bias.bound!, { atol: 0, rtol: 1e-15 }, 'bias bound');

    // Weight: ~5000 draws, so the std's relative standard error is ~0.45/sqrt(n) < 0.7%; allow 3%.
    const w = stats(m.weight.data);
    expectWithin(w, bound, `${d.module}.weight`);
    expectDistribution(w, d.weight.theoretical_std!, 0.03, `${d.module}.weight`);
    // PyTorch's own draw is within the same tolerance (a check of the fixture and the formula).
    expectDistribution(d.weight, d.weight.theoretical_std!, 0.03, `torch ${d.module}.weight`);

    // Bias: one layer has only 32-50 values, too few for a 3% std check, so pool 100 layers' biases.
    const biases: number[] = [];
    for (let i = 0; i < 100; i++) {
      const b = make().bias!;
      const s = stats(b.data);
      assert.ok(s.min >= -bound * (1 + 2 ** -24) && s.max <= bound * (1 + 2 ** -24), `${d.module}.bias: values outside ±${bound}`);
      biases.push(...b.data);
    }
    expectWithin(stats(biases), bound, `${d.module}.bias (100 layers)`);
    expectDistribution(stats(biases), d.bias.theoretical_std!, 0.03, `${d.module}.bias (100 layers)`);
    assert.ok(d.bias.min >= -bound && d.bias.max <= bound, `torch ${d.module}.bias within ±${bound}`);
  });
}

for (const e of fixture.explicit_init) {
  test(`${e.name} on a (${e.shape.join(', ')}) tensor: std within 2% of torch's theoretical ${e.theoretical_std.toPrecision(4)}`, () => {
    manualSeed(7);
    const t = zeros(e.shape);
    const k = e.kwargs;
    const opts = { ...(k.a !== undefined ? { a: k.a } : {}), mode: k.mode, nonlinearity: k.nonlinearity };
    switch (e.fn) {
      case 'xavier_uniform_': xavierUniform_(t); break;
      case 'xavier_normal_': xavierNormal_(t); break;
      case 'kaiming_uniform_': kaimingUniform_(t, opts); break;
      case 'kaiming_normal_': kaimingNormal_(t, opts); break;
      default: throw new Error(`no translation for torch.nn.init.${e.fn}`);
    }
    // The formula's ingredients match torch's exactly.
    assert.deepEqual(fanInAndFanOut(t.shape), { fanIn: e.fan_in, fanOut: e.fan_out });
    if (e.fn.startsWith('kaiming')) {
      expectNumber(calculateGain(k.nonlinearity!, k.a ?? 0), e.gain, { atol: 0, rtol: 2.3e-16 }, 'gain');
    }
    // 131072 draws: the std's relative standard error is 0.2% (normal) or 0.12% (uniform); 2% is ~10 SE.
    const s = stats(t.data);
    expectDistribution(s, e.theoretical_std, 0.02, `ours ${e.name}`);
    expectDistribution(e.empirical, e.theoretical_std, 0.02, `torch ${e.name}`);
    if (e.theoretical_bound !== undefined) expectWithin(s, e.theoretical_bound, `ours ${e.name}`);
  });
}
