// The GP's acquisition search and the gradients it climbs: the local search must find the global
// maximum of a known multimodal function to high precision, and the analytic gradients of the GP
// posterior and of log EI must agree with central differences.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maximizeAcquisition, logExpectedImprovementWithGradient } from '../../src/tune/index.js';
import { GaussianProcess } from '../../src/tune/samplers/gp-model.js';
import { SeededRandom } from '../../src/stats/random.js';

/** Three Gaussian bumps; the tallest (height 2) is the narrowest (width 0.05, about 1% of the square within one width) and at (0.83, 0.27). */
const peaks = [
  { c: [0.2, 0.7], h: 1, w: 0.15 },
  { c: [0.6, 0.6], h: 1.1, w: 0.1 },
  { c: [0.83, 0.27], h: 2, w: 0.05 },
];
const bumps = (u: Float64Array): number => peaks.reduce((s, p) => s + p.h * Math.exp(-((u[0] - p.c[0]) ** 2 + (u[1] - p.c[1]) ** 2) / (2 * p.w * p.w)), 0);

describe('acquisition search', () => {
  it('finds the narrow global maximum of three bumps, with or without gradients', () => {
    // The sum's maximum is a hair off the tallest bump's centre (the others' tails tilt it): take
    // it from a 1000 x 1000 grid around that centre.
    let gridMax = -Infinity;
    for (let i = 0; i <= 1000; i++) for (let j = 0; j <= 1000; j++) gridMax = Math.max(gridMax, bumps(Float64Array.from([0.825 + i * 1e-5, 0.265 + j * 1e-5])));
    const gradient = (u: Float64Array): Float64Array => {
      const g = new Float64Array(2);
      for (const p of peaks) {
        const e = p.h * Math.exp(-((u[0] - p.c[0]) ** 2 + (u[1] - p.c[1]) ** 2) / (2 * p.w * p.w));
        for (let j = 0; j < 2; j++) g[j] -= (e * (u[j] - p.c[j])) / (p.w * p.w);
      }
      return g;
    };
    for (const withGradient of [false, true]) {
      for (const seed of [1, 2, 3]) {
        const rng = new SeededRandom(seed);
        const acq = withGradient ? { value: bumps, withGradient: (u: Float64Array) => ({ value: bumps(u), gradient: gradient(u) }) } : { value: bumps };
        // The incumbent sits on the wide bump: the search must still leave it for the narrow one.
        const { u, a } = maximizeAcquisition(acq, { dim: 2, free: [true, true], categorical: [false, false], incumbents: [Float64Array.from([0.2, 0.7])], random: () => rng.uniform() });
        assert.ok(Math.abs(u[0] - 0.83) < 1e-3 && Math.abs(u[1] - 0.27) < 1e-3, `seed ${seed}, gradient ${withGradient}: found (${u[0]}, ${u[1]})`);
        assert.ok(a >= gridMax - 1e-9 && Math.abs(a - bumps(u)) < 1e-15, `seed ${seed}, gradient ${withGradient}: ${a} below the grid's ${gridMax}`);
      }
    }
  });

  it('refines from the incumbent to the exact maximum when candidates miss it', () => {
    // A spike of width 2e-3 next to the incumbent: too narrow for 64 uniform candidates to see.
    const spike = (u: Float64Array): number => Math.exp(-((u[0] - 0.501) ** 2 + (u[1] - 0.5) ** 2) / 2e-6);
    const rng = new SeededRandom(4);
    const { u } = maximizeAcquisition({ value: spike }, { dim: 2, free: [true, true], categorical: [false, false], incumbents: [Float64Array.from([0.5, 0.5])], nCandidates: 64, random: () => rng.uniform() });
    assert.ok(Math.abs(u[0] - 0.501) < 1e-6 && Math.abs(u[1] - 0.5) < 1e-6, `found (${u[0]}, ${u[1]})`);
  });
});

describe('gradients for the acquisition search', () => {
  const h = 1e-6;
  it('GP posterior mean and variance: analytic gradients match central differences', () => {
    const rng = new SeededRandom(7);
    const x = Array.from({ length: 25 }, () => Float64Array.from({ length: 3 }, () => rng.uniform()));
    const y = Float64Array.from(x, (u) => Math.sin(5 * u[0]) + u[1] * u[1]);
    const gp = GaussianProcess.fit(x, y, [false, false, false], { random: () => rng.uniform() });
    for (const u of [[0.3, 0.7, 0.5], [0.05, 0.95, 0.2], Array.from(x[3], (v) => v + 0.01)]) {
      const p = gp.predictWithGradient(u);
      for (let j = 0; j < 3; j++) {
        const up = [...u]; up[j] += h;
        const um = [...u]; um[j] -= h;
        const dm = (gp.predict(up).mean - gp.predict(um).mean) / (2 * h);
        const dv = (gp.predict(up).variance - gp.predict(um).variance) / (2 * h);
        assert.ok(Math.abs(p.dMean[j] - dm) < 1e-6 * Math.max(1, Math.abs(dm)), `dMean[${j}] ${p.dMean[j]} vs ${dm}`);
        assert.ok(Math.abs(p.dVariance[j] - dv) < 1e-6 * Math.max(1, Math.abs(dv)), `dVariance[${j}] ${p.dVariance[j]} vs ${dv}`);
      }
    }
  });

  it('log EI: analytic derivatives match central differences, also where EI underflows', () => {
    // z = (best − mu)/sigma from 3 down to −40 (EI ~ 1e-350 there, log EI still finite).
    for (const [mu, sigma] of [[-3, 1], [0, 1], [3, 0.5], [40, 1], [12, 0.3]]) {
      const e = logExpectedImprovementWithGradient(mu, sigma, 0);
      const dMu = (logExpectedImprovementWithGradient(mu + h, sigma, 0).value - logExpectedImprovementWithGradient(mu - h, sigma, 0).value) / (2 * h);
      const dSigma = (logExpectedImprovementWithGradient(mu, sigma + h, 0).value - logExpectedImprovementWithGradient(mu, sigma - h, 0).value) / (2 * h);
      assert.ok(Number.isFinite(e.value));
      assert.ok(Math.abs(e.dMu - dMu) < 1e-5 * Math.max(1, Math.abs(dMu)), `mu ${mu}: dMu ${e.dMu} vs ${dMu}`);
      assert.ok(Math.abs(e.dSigma - dSigma) < 1e-5 * Math.max(1, Math.abs(dSigma)), `mu ${mu}: dSigma ${e.dSigma} vs ${dSigma}`);
    }
    // At z = 0: ∂/∂mu = −Φ(0)/φ(0) = −√(π/2).
    assert.ok(Math.abs(logExpectedImprovementWithGradient(0, 1, 0).dMu + Math.sqrt(Math.PI / 2)) < 1e-12);
  });
});
