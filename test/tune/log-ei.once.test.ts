// Log expected improvement: equal to log(EI) wherever EI is representable, and finite (with the
// right asymptote) far beyond where EI underflows to zero.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { logExpectedImprovement } from '../../src/tune/index.js';
import { normalCdf } from '../../src/stats/index.js';

const phi = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** h(z) = ∫_{-∞}^{z} Φ(t) dt by composite Simpson on [z − 12, z] (Φ(z−12)/Φ(z) < e^{-12|z|}). */
function hByQuadrature(z: number): number {
  const n = 20000;
  const a = z - 12;
  const step = 12 / n;
  let s = normalCdf(a) + normalCdf(z);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * normalCdf(a + i * step);
  return (s * step) / 3;
}

describe('logEI', () => {
  it('equals log(σ(φ(z) + zΦ(z))) computed directly where that is accurate (z in [-3, 8])', () => {
    for (const sigma of [0.1, 1, 7]) {
      for (let z = -3; z <= 8; z += 0.25) {
        const mu = 1 - z * sigma; // best = 1
        const direct = Math.log(sigma * (phi(z) + z * normalCdf(z)));
        const got = logExpectedImprovement(mu, sigma, 1);
        assert.ok(Math.abs(got - direct) < 1e-9 * Math.max(1, Math.abs(direct)), `z=${z}, sigma=${sigma}: ${got} vs ${direct}`);
      }
    }
  });
  it('matches log of EI integrated numerically down to z = -35 (EI ~ 1e-270), where the direct formula cancels', () => {
    for (const z of [-1, -2.5, -5, -8, -12, -20, -35]) {
      const ref = Math.log(hByQuadrature(z));
      const got = logExpectedImprovement(-z, 1, 0);
      assert.ok(Math.abs(got - ref) < 1e-7 * Math.abs(ref), `z=${z}: ${got} vs ${ref}`);
    }
    // Where the direct formula has lost every digit, logEI has not.
    const z = -40;
    assert.equal(phi(z) + z * normalCdf(z), 0);
    assert.ok(Number.isFinite(logExpectedImprovement(-z, 1, 0)));
  });
  it('follows the asymptote −z²/2 − log√(2π) − 2 log|z| far in the tail and stays monotone', () => {
    for (const z of [-150, -1e3, -1e5]) {
      const asym = -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - 2 * Math.log(-z);
      assert.ok(Math.abs(logExpectedImprovement(-z, 1, 0) - asym) < 1e-3, `z=${z}`);
    }
    let prev = -Infinity;
    for (let z = -200; z <= 20; z += 0.37) {
      const v = logExpectedImprovement(-z, 1, 0);
      assert.ok(v > prev, `increasing at z=${z}`);
      prev = v;
    }
  });
  it('handles zero variance as the plain improvement', () => {
    assert.equal(logExpectedImprovement(0.5, 0, 1.5), 0);
    assert.equal(logExpectedImprovement(2, 0, 1), -Infinity);
  });
});
