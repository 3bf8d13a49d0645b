import { erfc, normalCdf } from '../../stats/normal.js';

/**
 * Log expected improvement, computed without underflow (Ament, Daulton, Eriksson, Balandat &
 * Bakshy 2023, "Unexpected Improvements to Expected Improvement for Bayesian Optimization",
 * eq. 9). For minimization with posterior N(mu, sigma²) and incumbent `best`:
 *   EI = sigma · h(z),  h(z) = φ(z) + z Φ(z),  z = (best − mu) / sigma,
 * and log h is evaluated in three regimes so it stays accurate where EI itself is 1e-300 or 0.
 */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_SQRT_HALF_PI = 0.5 * Math.log(Math.PI / 2);

/** Scaled complementary error function erfcx(x) = exp(x²) erfc(x), for x >= 0. */
export function erfcx(x: number): number {
  if (x < 26) return Math.exp(x * x) * erfc(x);
  // Asymptotic series 1/(x√π) Σ (−1)^k (2k−1)!! / (2x²)^k; at x >= 26 the omitted term is < 1e-15.
  const t = 1 / (2 * x * x);
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= 6; k++) {
    term *= -(2 * k - 1) * t;
    sum += term;
  }
  return sum / (x * Math.sqrt(Math.PI));
}

/** log(1 − eˣ) for x < 0, accurate at both ends (Mächler 2012). */
export function log1mexp(x: number): number {
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** log h(z), h(z) = φ(z) + z Φ(z). */
export function logH(z: number): number {
  if (z > -1) return Math.log(Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) + z * normalCdf(z));
  if (z > -100) {
    // h(z) = φ(z) (1 − |z| √(π/2) erfcx(|z|/√2)): the bracket is formed in log space.
    return -0.5 * z * z - LOG_SQRT_2PI + log1mexp(Math.log(erfcx(-z / Math.SQRT2) * -z) + LOG_SQRT_HALF_PI);
  }
  // h(z) ~ φ(z)/z² (1 − 3/z² + 15/z⁴ − 105/z⁶): exact to double precision for |z| >= 100.
  const w = 1 / (z * z);
  return -0.5 * z * z - LOG_SQRT_2PI + Math.log(w) + Math.log1p(w * (-3 + w * (15 - 105 * w)));
}

/**
 * log EI for minimization.
 * @example logExpectedImprovement(0, 1, 0) // log(φ(0)) = −0.9189385332046727
 */
export function logExpectedImprovement(mu: number, sigma: number, best: number): number {
  if (!(sigma > 0)) return mu < best ? Math.log(best - mu) : -Infinity;
  return logH((best - mu) / sigma) + Math.log(sigma);
}

/** log Φ(z), accurate in the lower tail: log Φ(z) = log(erfcx(−z/√2) / 2) − z²/2 for z < −5. */
export function logNormalCdf(z: number): number {
  if (z > -5) return Math.log(normalCdf(z));
  return Math.log(0.5 * erfcx(-z / Math.SQRT2)) - 0.5 * z * z;
}

/**
 * log EI and its partial derivatives in the posterior mean and sd. With h'(z) = Φ(z) and
 * ρ = Φ(z)/h(z) (formed in log space, finite where h underflows):
 *   ∂/∂mu = −ρ/sigma,  ∂/∂sigma = (1 − zρ)/sigma.
 * @example logExpectedImprovementWithGradient(0, 1, 0).dMu // −Φ(0)/φ(0) = −1.2533141373155
 */
export function logExpectedImprovementWithGradient(mu: number, sigma: number, best: number): { value: number; dMu: number; dSigma: number } {
  if (!(sigma > 0)) return { value: logExpectedImprovement(mu, sigma, best), dMu: 0, dSigma: 0 };
  const z = (best - mu) / sigma;
  const lh = logH(z);
  const rho = Math.exp(logNormalCdf(z) - lh);
  return { value: lh + Math.log(sigma), dMu: -rho / sigma, dSigma: (1 - z * rho) / sigma };
}
