import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LossFn } from '../train/evaluate.js';
import { takeRows } from '../data/dataset.js';
import { snapshotTraining } from './state-snapshot.js';

/**
 * The gradient noise scale of McCandlish, Kaplan, Amodei et al. 2018 ("An Empirical Model of
 * Large-Batch Training", appendix A.1). With G the true gradient and Σ the per-example gradient
 * covariance, a batch of B examples has E|G_B|² = |G|² + tr(Σ)/B. Measuring |G_B|² at two batch
 * sizes gives unbiased estimates of both terms:
 *
 *   |G|²  ≈ (B_big |G_big|² - B_small |G_small|²) / (B_big - B_small)
 *   tr(Σ) ≈ (|G_small|² - |G_big|²) / (1/B_small - 1/B_big)
 *
 * and the simple noise scale B_simple = tr(Σ) / |G|². The ratio of unbiased estimates is biased
 * and very noisy, so (as in the paper) the two terms are averaged separately and divided last.
 */
export interface NoiseSample {
  bSmall: number;
  bBig: number;
  /** Mean over the small batches of |G_small|². */
  smallSq: number;
  /** |G_big|², the gradient of the whole big batch. */
  bigSq: number;
  /** Unbiased estimate of |G|². */
  gradSq: number;
  /** Unbiased estimate of tr(Σ). */
  trace: number;
}

/** The two unbiased estimators from squared gradient norms at batch sizes bSmall < bBig. */
export function twoBatchEstimates(smallSq: number, bSmall: number, bigSq: number, bBig: number): { gradSq: number; trace: number } {
  if (!(bBig > bSmall && bSmall >= 1)) throw new RangeError(`noise scale: need 1 <= bSmall < bBig, got ${bSmall} and ${bBig}`);
  return {
    gradSq: (bBig * bigSq - bSmall * smallSq) / (bBig - bSmall),
    trace: (smallSq - bigSq) / (1 / bSmall - 1 / bBig),
  };
}

/**
 * Measures one noise sample on a batch: splits it into k = floor(B / smallBatch) >= 2 chunks
 * of smallBatch examples, takes each chunk's gradient (the mean loss over the chunk), and uses
 * their mean |G_small|² and the squared norm of their average (the gradient of all k·smallBatch
 * examples). Model weights, buffers (batch-norm statistics), gradients and the global generator
 * are restored afterwards, so measuring does not change training.
 */
export function measureGradientNoise(model: Module, loss: LossFn, batch: { x: Tensor; y: Tensor }, smallBatch: number): NoiseSample {
  const n = batch.x.shape[0];
  if (!Number.isInteger(smallBatch) || smallBatch < 1) throw new RangeError(`measureGradientNoise: smallBatch must be a positive integer, got ${smallBatch}`);
  const k = Math.floor(n / smallBatch);
  if (k < 2) throw new RangeError(`measureGradientNoise: a batch of ${n} holds fewer than two small batches of ${smallBatch}; use a larger batch or a smaller small batch`);
  const params = model.parameters().filter((p) => p.requiresGrad);
  const snap = snapshotTraining(model);
  const sizes = params.map((p) => p.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const sum = new Float64Array(total);
  let smallSqSum = 0;
  try {
    for (let c = 0; c < k; c++) {
      const rows = Array.from({ length: smallBatch }, (_, i) => c * smallBatch + i);
      for (const p of params) p.grad = null;
      loss(model.call(takeRows(batch.x, rows)), takeRows(batch.y, rows)).backward();
      let sq = 0, off = 0;
      params.forEach((p, pi) => {
        const g = p.grad?.data;
        if (g) for (let i = 0; i < g.length; i++) { sq += g[i] * g[i]; sum[off + i] += g[i]; }
        off += sizes[pi];
      });
      smallSqSum += sq;
    }
  } finally {
    snap.restore();
  }
  let bigSq = 0;
  for (let i = 0; i < total; i++) bigSq += (sum[i] / k) ** 2;
  const smallSq = smallSqSum / k;
  const bBig = k * smallBatch;
  return { bSmall: smallBatch, bBig, smallSq, bigSq, ...twoBatchEstimates(smallSq, smallBatch, bigSq, bBig) };
}

/**
 * Exponential moving averages of |G|² and tr(Σ), kept separately (bias-corrected), and their
 * ratio: the smoothed B_simple the paper plots.
 */
export class NoiseScaleEma {
  private g = 0;
  private s = 0;
  private n = 0;

  constructor(readonly beta = 0.9) {
    if (!(beta >= 0 && beta < 1)) throw new RangeError(`NoiseScaleEma: beta must be in [0, 1), got ${beta}`);
  }

  update(sample: { gradSq: number; trace: number }): void {
    this.g = this.beta * this.g + (1 - this.beta) * sample.gradSq;
    this.s = this.beta * this.s + (1 - this.beta) * sample.trace;
    this.n++;
  }

  get count(): number { return this.n; }
  get gradSq(): number { return this.n ? this.g / (1 - this.beta ** this.n) : NaN; }
  get trace(): number { return this.n ? this.s / (1 - this.beta ** this.n) : NaN; }
  /** tr(Σ)/|G|² from the averages; NaN until the averaged |G|² is positive. */
  get bSimple(): number { return this.gradSq > 0 ? this.trace / this.gradSq : NaN; }

  state(): { g: number; s: number; n: number } { return { g: this.g, s: this.s, n: this.n }; }
  load(st: { g: number; s: number; n: number }): void { this.g = st.g; this.s = st.s; this.n = st.n; }
}

/** B_simple as the ratio of the means of paired samples (used for intervals over repeated estimates). */
export function noiseScaleOf(samples: ReadonlyArray<{ gradSq: number; trace: number }>): number {
  let g = 0, s = 0;
  for (const x of samples) { g += x.gradSq; s += x.trace; }
  return g > 0 ? s / g : NaN;
}
