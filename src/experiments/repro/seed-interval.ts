import { studentTQuantile } from '../../stats/student-t.js';

export interface SeedSummary { n: number; mean: number; sd: number; lo: number; hi: number }

/**
 * Mean over seeds with a 95% Student-t interval (mean +- t_{0.975, n-1} sd / sqrt(n)); with one
 * seed the interval is the point itself (there is nothing to estimate the spread from).
 */
export function overSeeds(values: number[], level = 0.95): SeedSummary {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, lo: NaN, hi: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, sd: 0, lo: mean, hi: mean };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const h = studentTQuantile(1 - (1 - level) / 2, n - 1) * sd / Math.sqrt(n);
  return { n, mean, sd, lo: mean - h, hi: mean + h };
}
