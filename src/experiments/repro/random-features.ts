import { Tensor } from '../../tensor/tensor.js';
import { Generator } from '../../tensor/random.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { addGramBlock, ridgeSolve } from './float64-solve.js';

/**
 * Random ReLU features with a least-squares last layer, the model of Belkin et al. 2019
 * ("Reconciling modern machine-learning practice and the classical bias-variance trade-off",
 * random-features experiments: Fourier features in their Figure 2, ReLU features in the
 * supplement): phi(x) = max(0, x W) with W fixed, Gaussian N(0, 1/d), and the output
 * weights a (N x k) fitted by minimum-norm least squares to one-hot targets. Below the
 * interpolation threshold (N < n) that is ordinary least squares; above it, the interpolating
 * solution of smallest norm. Both are the limit lambda -> 0 of ridge regression, solved here
 * through whichever Gram matrix is smaller: (PhiT Phi + lambda I) a = PhiT Y for N <= n and
 * a = PhiT (Phi PhiT + lambda I)^-1 Y for N > n, in float64 (the matrices at N ~ n are nearly
 * singular; float32 would decide the peak's height by rounding).
 *
 * Widths are nested: width N uses the first N columns of one W (drawn once at the largest
 * width), so the n x n Gram is built up by adding column blocks and every width costs only its
 * new columns (the usual way to sweep N; each width is still an honest draw of N features).
 *
 * ```ts
 * const fit = fitRandomFeatures(trainX, trainY, testX, testY, { widths: [100, 1000, 10000], seed: 0 });
 * fit.map((w) => w.testError); // classification error on the clean test labels per width
 * ```
 */
export interface RandomFeaturesOptions {
  widths: number[];
  seed: number;
  /** Ridge lambda relative to the Gram matrix's mean diagonal (default 1e-10: "minimum norm"). */
  ridge?: number;
  classes?: number;
  onWidth?: (w: WidthResult) => void;
}

export interface WidthResult {
  width: number;
  /** Classification error and squared loss (sum over classes, mean over examples). */
  trainError: number; trainLoss: number;
  testError: number; testLoss: number;
  /** Euclidean norm of the output weights (it blows up at the threshold). */
  weightNorm: number;
  /** The absolute ridge lambda that was used (raised tenfold while Cholesky failed). */
  lambda: number;
}

/** Features max(0, X W) for the first `width` columns of W (d x maxWidth), as float64 rows. */
function features(x: Tensor, w: Tensor): Float64Array {
  return noGrad(() => Float64Array.from(x.matmul(w).relu().data));
}

/** The leading s x s block of a symmetric (lower-stored) matrix plus a ridge, as a full lower-stored s x s matrix. */
function leadingBlock(g: Float64Array, size: number, s: number): { a: Float64Array; meanDiag: number } {
  const a = new Float64Array(s * s);
  let tr = 0;
  for (let i = 0; i < s; i++) { for (let k = 0; k <= i; k++) a[i * s + k] = g[i * size + k]; tr += a[i * s + i]; }
  return { a, meanDiag: tr / s };
}

/** Predictions F[:, :width] a (F rows x cols, a width x k) in float64. */
function predict(f: Float64Array, rows: number, cols: number, width: number, a: Float64Array, k: number): Float64Array {
  const p = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) {
    const ri = i * cols, pi = i * k;
    for (let j = 0; j < width; j++) {
      const v = f[ri + j];
      if (v === 0) continue; // ReLU zeros: about half the features
      const aj = j * k;
      for (let c = 0; c < k; c++) p[pi + c] += v * a[aj + c];
    }
  }
  return p;
}

/** Classification error and squared loss (sum over classes, mean over rows) of predictions against one-hot labels. */
function score(p: ArrayLike<number>, y: Int32Array, k: number): { error: number; loss: number } {
  let wrong = 0, loss = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let c = 0; c < k; c++) { if (p[i * k + c] > p[i * k + best]) best = c; loss += (p[i * k + c] - (c === y[i] ? 1 : 0)) ** 2; }
    if (best !== y[i]) wrong++;
  }
  return { error: wrong / y.length, loss: loss / y.length };
}

export function fitRandomFeatures(trainX: Tensor, trainY: Int32Array, testX: Tensor, testY: Int32Array, o: RandomFeaturesOptions): WidthResult[] {
  const k = o.classes ?? 10, ridge = o.ridge ?? 1e-10;
  const n = trainX.shape[0], d = trainX.shape[1], m = testX.shape[0];
  const widths = [...o.widths].sort((a, b) => a - b);
  if (widths.length === 0 || widths.some((w) => !Number.isInteger(w) || w < 1)) throw new RangeError(`random features: widths must be positive integers, got ${o.widths.join(', ')}`);
  if (trainY.length !== n || testY.length !== m) throw new RangeError(`random features: ${n} training images but ${trainY.length} labels, ${m} test images but ${testY.length} labels`);
  const maxW = widths[widths.length - 1];
  const g = new Generator(o.seed);
  const std = 1 / Math.sqrt(d);
  const w = new Tensor(Float32Array.from({ length: d * maxW }, () => g.normal() * std), [d, maxW]);
  const f = features(trainX, w); // n x maxW
  const ft = noGrad(() => testX.matmul(w).relu()); // m x maxW, float32
  // Below the threshold: the Gram of feature columns, PhiT Phi, for the columns the widths <= n use.
  const small = Math.max(0, ...widths.filter((x) => x <= n));
  const fcols = new Float64Array(small * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < small; j++) fcols[j * n + i] = f[i * maxW + j];
  const colGram = new Float64Array(small * small);
  addGramBlock(colGram, fcols, small, n, 0, n);
  // Above it: the Gram of feature rows, Phi PhiT (n x n), grown block by block.
  const rowGram = new Float64Array(n * n);
  let built = 0;
  const out: WidthResult[] = [];
  for (const width of widths) {
    let a: Float64Array, lambda: number;
    if (width <= n) {
      const { a: gram, meanDiag } = leadingBlock(colGram, small, width);
      const b = new Float64Array(width * k); // PhiT Y with one-hot Y: per class, the sum of its rows
      for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) b[j * k + trainY[i]] += f[i * maxW + j];
      ({ x: a, lambda } = ridgeSolve(gram, width, b, k, ridge * meanDiag));
    } else {
      addGramBlock(rowGram, f, n, maxW, built, width);
      built = width;
      const { a: gram, meanDiag } = leadingBlock(rowGram, n, n);
      const y = new Float64Array(n * k);
      for (let i = 0; i < n; i++) y[i * k + trainY[i]] = 1;
      const sol = ridgeSolve(gram, n, y, k, ridge * meanDiag);
      lambda = sol.lambda;
      a = new Float64Array(width * k); // a = PhiT c
      for (let i = 0; i < n; i++) {
        const ri = i * maxW, ci = i * k;
        for (let j = 0; j < width; j++) { const v = f[ri + j]; if (v !== 0) for (let c = 0; c < k; c++) a[j * k + c] += v * sol.x[ci + c]; }
      }
    }
    let norm = 0;
    for (let i = 0; i < a.length; i++) norm += a[i] * a[i];
    // Test predictions by one float32 product with the weights zero-padded to maxW rows: their
    // rounding (~1e-7 relative) is far below what moves an argmax or the loss's third digit.
    const aPad = new Float32Array(maxW * k);
    aPad.set(a);
    const testPred = noGrad(() => ft.matmul(new Tensor(aPad, [maxW, k])).data);
    const tr = score(predict(f, n, maxW, width, a, k), trainY, k), te = score(testPred, testY, k);
    const r: WidthResult = { width, trainError: tr.error, trainLoss: tr.loss, testError: te.error, testLoss: te.loss, weightNorm: Math.sqrt(norm), lambda };
    o.onWidth?.(r);
    out.push(r);
  }
  return out;
}
