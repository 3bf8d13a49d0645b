// Smoothing as TensorBoard does it, but on the full-resolution series: TensorBoard smooths the
// points it sampled, so the curve depends on the sampling (tensorboard#1518).

/**
 * Debiased exponential moving average: s_n = w*s_{n-1} + (1-w)*y_n with s_0 = 0, reported as
 * s_n / (1 - w^n) so the first points are not pulled toward zero (Adam's bias correction;
 * TensorBoard's scalar smoothing). Non-finite values are passed through and do not enter the
 * average, as TensorBoard skips them. w = 0 returns the series unchanged.
 * @example debiasedEma([1, 1, 1], 0.9) // [1, 1, 1]  (a plain EMA from 0 would give 0.1, 0.19, 0.271)
 */
export function debiasedEma(values: ArrayLike<number>, weight: number): Float64Array {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  const out = new Float64Array(values.length);
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    n++;
    s = weight * s + (1 - weight) * y;
    out[i] = weight === 0 ? y : s / (1 - Math.pow(weight, n));
  }
  return out;
}

/**
 * Trailing-window mean and variance (population, over the last `window` finite values), for a
 * noisy signal such as the gradient norm: the band mean ± sd shows when it settles or grows.
 */
export function runningMeanVar(values: ArrayLike<number>, window: number): { mean: Float64Array; variance: Float64Array } {
  if (!(Number.isInteger(window) && window >= 1)) throw new RangeError(`window must be a positive integer, got ${window}`);
  const mean = new Float64Array(values.length);
  const variance = new Float64Array(values.length);
  const ring = new Float64Array(window);
  let count = 0, head = 0, sum = 0, sumSq = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (Number.isFinite(y)) {
      if (count === window) {
        const old = ring[head];
        sum -= old;
        sumSq -= old * old;
      } else count++;
      ring[head] = y;
      head = (head + 1) % window;
      sum += y;
      sumSq += y * y;
    }
    const m = count ? sum / count : NaN;
    mean[i] = m;
    variance[i] = count ? Math.max(0, sumSq / count - m * m) : NaN;
  }
  return { mean, variance };
}

/** The p-th percentile (0..100, linear interpolation) of the finite values; NaN if there are none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  if (finite.length === 0) return NaN;
  finite.sort((a, b) => a - b);
  const pos = (p / 100) * (finite.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return finite[lo] + (finite[hi] - finite[lo]) * (pos - lo);
}
