import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nn from '../../src/nn/index.js';
import { mseLoss, crossEntropy } from '../../src/ops/loss.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { SGD } from '../../src/optim/sgd.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { Trainer } from '../../src/train/trainer.js';
import { Run } from '../../src/track/run-store.js';
import { measureGradientNoise, NoiseScaleEma, twoBatchEstimates, noiseScaleOf } from '../../src/tune/noise-scale.js';
import { NoiseScaleCallback } from '../../src/tune/noise-scale-callback.js';
import { tempDir } from '../helpers.js';

/*
 * Linear regression y = w*·x + ε with x ~ N(0, I_d), ε ~ N(0, σ²), model w = w* + δ and loss
 * mean (w·x - y)². The per-example gradient is g = 2x(x·δ - ε), so G = E g = 2δ and, by
 * Isserlis' theorem, E g gᵀ = 4(|δ|² I + 2δδᵀ + σ² I). Hence
 *   |G|² = 4|δ|²,   tr(Σ) = 4((d + 1)|δ|² + d σ²),   B_simple = (d + 1) + d σ² / |δ|².
 */
const d = 16, sigma = 0.5;

function problem(seed: number) {
  const g = new Generator(seed);
  const wStar = Float32Array.from({ length: d }, () => g.normal());
  const delta = Float32Array.from({ length: d }, () => g.normal() * 0.3);
  const deltaSq = delta.reduce((a, v) => a + v * v, 0);
  manualSeed(seed);
  const model = nn.linear(d, 1, { bias: false });
  model.weight.f32.set(wStar.map((w, i) => w + delta[i]));
  const batch = (n: number) => {
    const x = new Float32Array(n * d), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) { const v = g.normal(); x[i * d + j] = v; dot += v * wStar[j]; }
      y[i] = dot + sigma * g.normal();
    }
    return { x: new Tensor(x, [n, d]), y: new Tensor(y, [n, 1]) };
  };
  return { model, batch, gradSq: 4 * deltaSq, trace: 4 * ((d + 1) * deltaSq + d * sigma * sigma) };
}

test('the two-batch estimators are within 10% of the closed-form |G|², tr(Σ) and B_simple over repeated estimates', () => {
  const p = problem(11);
  const samples: ReturnType<typeof measureGradientNoise>[] = [];
  for (let r = 0; r < 150; r++) samples.push(measureGradientNoise(p.model, mseLoss, p.batch(256), 16));
  const mean = (k: 'gradSq' | 'trace') => samples.reduce((a, s) => a + s[k], 0) / samples.length;
  const rel = (a: number, b: number) => Math.abs(a / b - 1);
  assert.ok(rel(mean('gradSq'), p.gradSq) < 0.1, `|G|² ${mean('gradSq')} vs ${p.gradSq}`);
  assert.ok(rel(mean('trace'), p.trace) < 0.1, `tr(Σ) ${mean('trace')} vs ${p.trace}`);
  const exact = p.trace / p.gradSq;
  assert.ok(rel(noiseScaleOf(samples), exact) < 0.1, `B_simple ${noiseScaleOf(samples)} vs ${exact}`);
  // The paper's smoothing (separate EMAs, ratio last) lands within 10% too.
  const ema = new NoiseScaleEma(0.98);
  for (const s of samples) ema.update(s);
  assert.ok(rel(ema.bSimple, exact) < 0.1, `EMA B_simple ${ema.bSimple} vs ${exact}`);
  // Each sample used 16 small batches of 16.
  assert.equal(samples[0].bBig, 256);
});

test('twoBatchEstimates inverts E|G_B|² = |G|² + tr(Σ)/B exactly', () => {
  const G = 3, S = 120;
  const e = twoBatchEstimates(G + S / 8, 8, G + S / 128, 128);
  assert.ok(Math.abs(e.gradSq - G) < 1e-12 && Math.abs(e.trace - S) < 1e-9, JSON.stringify(e));
  assert.throws(() => twoBatchEstimates(1, 64, 1, 64), /bSmall < bBig/);
});

test('measuring leaves weights and gradients alone; the callback logs noise_scale without changing training', () => {
  const p = problem(3);
  const before = [...p.model.weight.data];
  measureGradientNoise(p.model, mseLoss, p.batch(64), 8);
  assert.deepEqual([...p.model.weight.data], before);
  assert.equal(p.model.weight.grad, null);
  assert.throws(() => measureGradientNoise(p.model, mseLoss, p.batch(10), 8), /fewer than two small batches/);

  const g = new Generator(5);
  const n = 512;
  const x = new Float32Array(n * 6).map(() => g.normal());
  const y = Int32Array.from({ length: n }, (_, i) => (x[i * 6] + x[i * 6 + 1] > 0 ? 1 : 0));
  const ds = new TensorDataset(new Tensor(x, [n, 6]), new Tensor(y, [n]));
  const fit = (withNoise: boolean) => {
    manualSeed(0);
    const model = nn.sequential(nn.linear(6, 8), nn.relu(), nn.dropout(0.1), nn.linear(8, 2));
    const run = Run.create(tempDir('tc-noise-'), { experiment: 'toy', hparams: {}, seed: 0, backend: 'x', versions: {} });
    new Trainer({ model, optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: crossEntropy, run, callbacks: withNoise ? [new NoiseScaleCallback({ every: 2, smallBatch: 8 })] : [] })
      .fit({ train: ds, val: ds }, { epochs: 1, batchSize: 32, seed: 0 });
    run.close();
    return { weights: [...model.parameters()[0].data], noise: run.metrics().filter((m) => m.name === 'noise_scale') };
  };
  const plain = fit(false), tracked = fit(true);
  assert.deepEqual(tracked.weights, plain.weights);
  assert.equal(tracked.noise.length, 8);
  assert.ok(tracked.noise.every((m) => Number.isFinite(m.value) && m.step % 2 === 0));
});
