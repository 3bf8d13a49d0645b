import { Tensor } from '../../tensor/tensor.js';
import { Generator } from '../../tensor/random.js';
import { avgPool2d } from '../../ops/pool.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { mnist } from '../../data/mnist.js';
import { fitRandomFeatures, type WidthResult } from './random-features.js';
import { overSeeds, type SeedSummary } from './seed-interval.js';
import { lineChartSvg } from './svg-chart.js';
import type { ReproContext, ReproResult } from './types.js';

/**
 * Double descent (Belkin et al. 2019, "Reconciling modern machine-learning practice and the
 * classical bias-variance trade-off", the random-features experiments of Figure 2 and the
 * supplement; Nakkiran et al. 2019, "Deep double descent", for the label noise): on n MNIST training images with a fraction of their labels
 * replaced by a wrong class, random ReLU features of width N with a minimum-norm least-squares
 * last layer (random-features.ts) have a test error on the clean test labels that falls, rises
 * to a peak where the model can just interpolate the training set (N = n, one weight per
 * example and class), and falls again as N grows past it.
 */
export interface DoubleDescentOptions {
  /** Training images (the interpolation threshold is N = n). */
  n?: number;
  /** Test images (clean labels). */
  test?: number;
  /** Fraction of training labels replaced by a different, random class. */
  noise?: number;
  seeds?: number;
  /** Largest width as a multiple of n (the width grid is fixed multiples of n up to this). */
  maxRatio?: number;
  /** Ridge lambda relative to the Gram matrix's mean diagonal ("minimum norm" as it goes to 0). */
  ridge?: number;
  /** 1: 2x2 average pooling of the images (196 inputs instead of 784) for quick runs. */
  pool?: number;
}

/** Widths as multiples of n: dense around the threshold, where the peak is narrow. */
const RATIOS = [0.1, 0.2, 0.25, 0.35, 0.5, 0.7, 0.85, 0.95, 1, 1.05, 1.15, 1.3, 1.5, 2, 3, 5, 10, 20, 50];

/** Replaces exactly round(noise * n) labels, chosen at random, by a different random class. */
export function noisyLabels(y: Int32Array, noise: number, g: Generator, classes = 10): { labels: Int32Array; flipped: number } {
  const out = Int32Array.from(y);
  const order = Int32Array.from({ length: y.length }, (_, i) => i);
  g.shuffle(order);
  const flipped = Math.round(noise * y.length);
  for (let t = 0; t < flipped; t++) { const i = order[t]; out[i] = (y[i] + 1 + g.below(classes - 1)) % classes; }
  return { labels: out, flipped };
}

export interface WidthSummary { width: number; ratio: number; testError: SeedSummary; testLoss: SeedSummary; trainError: SeedSummary; trainLoss: SeedSummary; weightNorm: SeedSummary }

export function runDoubleDescent(o: DoubleDescentOptions = {}, ctx: ReproContext = {}): ReproResult {
  const n = o.n ?? 1000, nTest = o.test ?? 2000, noise = o.noise ?? 0.2, seeds = o.seeds ?? 3;
  const maxRatio = o.maxRatio ?? 10, ridge = o.ridge ?? 1e-10, pool = Boolean(o.pool);
  if (!Number.isInteger(n) || n < 20) throw new RangeError(`double-descent: n must be an integer >= 20, got ${n}`);
  if (!Number.isInteger(nTest) || nTest < 1 || nTest > 10000) throw new RangeError(`double-descent: test must be an integer in [1, 10000], got ${nTest}`);
  if (!(noise >= 0 && noise < 1)) throw new RangeError(`double-descent: noise must be in [0, 1), got ${noise}`);
  if (!Number.isInteger(seeds) || seeds < 1) throw new RangeError(`double-descent: seeds must be a positive integer, got ${seeds}`);
  if (!(maxRatio >= 2)) throw new RangeError(`double-descent: maxRatio must be >= 2 (the descent past the threshold), got ${maxRatio}`);
  if (!(ridge > 0 && ridge < 1)) throw new RangeError(`double-descent: ridge must be in (0, 1), got ${ridge}`);
  // The features are held in memory as float64 (n x the largest width) plus float32 for the test set.
  if (n * n * maxRatio > 1e8) throw new RangeError(`double-descent: n = ${n} with maxRatio = ${maxRatio} needs n x ${maxRatio}n = ${(n * n * maxRatio).toExponential(1)} float64 features (over 800 MB); lower n or maxRatio`);
  const widths = [...new Set(RATIOS.filter((r) => r <= maxRatio).map((r) => Math.max(1, Math.round(r * n))))];
  const d = mnist({ dataDir: ctx.dataDir, limitTrain: n, valSize: 0, limitTest: nTest });
  const flat = (x: Tensor): Tensor => noGrad(() => (pool ? avgPool2d(x, 2) : x).reshape(x.shape[0], -1));
  const trainX = flat(d.train.x), testX = flat(d.test.x);
  const cleanY = d.train.y.data as Int32Array, testY = d.test.y.data as Int32Array;
  const perSeed: WidthResult[][] = [];
  for (let s = 0; s < seeds; s++) {
    const t0 = performance.now();
    // The seed draws both the noisy labels and the features: the interval covers both.
    const { labels } = noisyLabels(cleanY, noise, new Generator(1000 + s));
    perSeed.push(fitRandomFeatures(trainX, labels, testX, testY, { widths, seed: s, ridge }));
    ctx.log?.(`seed ${s}: ${widths.length} widths in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const rows: WidthSummary[] = widths.map((width, i) => {
    const at = (key: keyof WidthResult) => overSeeds(perSeed.map((r) => r[i][key]));
    return { width, ratio: width / n, testError: at('testError'), testLoss: at('testLoss'), trainError: at('trainError'), trainLoss: at('trainLoss'), weightNorm: at('weightNorm') };
  });
  // The verdict, on the mean over seeds: the peak of test error, and the widths it is compared with.
  const peak = rows.reduce((a, b) => (b.testError.mean > a.testError.mean ? b : a));
  const nearest = (ratio: number) => rows.reduce((a, b) => (Math.abs(Math.log(b.ratio / ratio)) < Math.abs(Math.log(a.ratio / ratio)) ? b : a));
  const under = nearest(0.25), over = rows[rows.length - 1];
  const margin = 0.05;
  const peakNearN = peak.ratio >= 1 / 1.5 && peak.ratio <= 1.5;
  const aboveUnder = peak.testError.mean - under.testError.mean >= margin;
  const aboveOver = peak.testError.mean - over.testError.mean >= margin;
  const lossPeak = rows.reduce((a, b) => (b.testLoss.mean > a.testLoss.mean ? b : a));
  const interpolates = rows.filter((r) => r.width > n).every((r) => r.trainError.mean === 0);
  const bestUnder = rows.filter((r) => r.width < peak.width).reduce((a, b) => (b.testError.mean < a.testError.mean ? b : a), rows[0]);
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const ci = (s: SeedSummary, f = pct) => `${f(s.mean)} [${f(s.lo)}, ${f(s.hi)}]`;
  const num = (v: number) => (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2 ? v.toExponential(2) : v.toFixed(3));
  const title = `${n} MNIST images${pool ? ' (14x14)' : ''}, ${Number((100 * noise).toPrecision(3))}% label noise, ${seeds} seed${seeds > 1 ? 's' : ''}`;
  return {
    name: 'double-descent',
    claim: `random ReLU features with a minimum-norm least-squares fit: test error peaks at a width within a factor 1.5 of the interpolation threshold N = n and the peak exceeds the error at N ~ n/4 and at N = ${maxRatio}n by at least ${100 * margin} points`,
    held: peakNearN && aboveUnder && aboveOver,
    evidence: [
      `peak test error ${ci(peak.testError)} at N = ${peak.width} (${num(peak.ratio)} n; within a factor 1.5 of n: ${peakNearN ? 'yes' : 'no'})`,
      `at N = ${under.width} (n/4): ${ci(under.testError)}, ${(100 * (peak.testError.mean - under.testError.mean)).toFixed(1)} points below the peak (>= ${100 * margin}: ${aboveUnder ? 'yes' : 'no'})`,
      `at N = ${over.width} (${maxRatio}n): ${ci(over.testError)}, ${(100 * (peak.testError.mean - over.testError.mean)).toFixed(1)} points below the peak (>= ${100 * margin}: ${aboveOver ? 'yes' : 'no'})`,
      `best below the peak: ${pct(bestUnder.testError.mean)} at N = ${bestUnder.width}; at ${maxRatio}n the error is ${over.testError.mean < bestUnder.testError.mean ? 'lower' : 'not lower'} (${pct(over.testError.mean)})`,
      `test squared loss peaks at N = ${lossPeak.width} (${num(lossPeak.testLoss.mean)}; ${num(under.testLoss.mean)} at n/4, ${num(over.testLoss.mean)} at ${maxRatio}n); output-weight norm at the peak ${num(peak.weightNorm.mean)}`,
      `training error on the training labels (${Number((100 * noise).toPrecision(3))}% flipped) is 0 at every width above n: ${interpolates ? 'yes' : 'no'} (at n/4: ${pct(under.trainError.mean)})`,
    ],
    table: [
      `width  N/n    test error % [95% CI]      test sq. loss   train error %  weight norm`,
      ...rows.map((r) => `${String(r.width).padStart(5)}  ${r.ratio.toFixed(2).padStart(5)}  ${ci(r.testError).padEnd(25)}  ${num(r.testLoss.mean).padStart(13)}  ${pct(r.trainError.mean).padStart(13)}  ${num(r.weightNorm.mean).padStart(11)}`),
    ],
    plots: {
      'test-error.svg': lineChartSvg({
        title: `Double descent: random ReLU features, ${title}`, xLabel: 'width N (random features)', yLabel: 'error (%)', logX: true,
        series: [
          { name: 'test error', points: rows.map((r) => ({ x: r.width, y: 100 * r.testError.mean, lo: 100 * r.testError.lo, hi: 100 * r.testError.hi })) },
          { name: noise > 0 ? 'train error (noisy labels)' : 'train error', dashed: true, points: rows.map((r) => ({ x: r.width, y: 100 * r.trainError.mean })) },
        ],
        markersX: [{ x: n, label: `N = n = ${n}` }],
      }),
      'test-loss.svg': lineChartSvg({
        title: `Double descent (squared loss): ${title}`, xLabel: 'width N (random features)', yLabel: 'test squared loss', logX: true, logY: true,
        // Means only: at the peak the seeds differ by orders of magnitude, so a t interval there reaches below zero (no log).
        series: [{ name: 'test loss (mean)', points: rows.map((r) => ({ x: r.width, y: r.testLoss.mean })) }],
        markersX: [{ x: n, label: `N = n = ${n}` }],
      }),
    },
    data: { options: { n, test: nTest, noise, seeds, maxRatio, ridge, pool }, widths, rows, perSeed },
  };
}
