import { Tensor } from '../tensor/tensor.js';
import { grad } from '../autograd/engine.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Generator } from '../tensor/random.js';

/**
 * Second-order tools for any model, through double backward (our gradient rules are
 * differentiable tensor ops): Hessian-vector products (Pearlmutter 1994), the top Hessian
 * eigenvalue by power iteration, Lanczos for both ends of the spectrum and a condition-number
 * estimate, and the exact Hessian of a small model. `loss` recomputes the loss from the current
 * parameter values (a closure over a fixed batch), as torch.optim.LBFGS's closure does.
 *
 * ```ts
 * const loss = () => F.crossEntropy(model.call(x), y);
 * const { value } = topHessianEigenvalue(loss, model.parameters()); // the "sharpness"
 * ```
 */
export type LossClosure = () => Tensor;

/** Parameters flattened into one vector (the order of `params`, each row-major). */
export const flatSize = (params: Tensor[]): number => params.reduce((n, p) => n + p.size, 0);

function split(v: Float32Array | Float64Array, params: Tensor[]): Tensor[] {
  let o = 0;
  return params.map((p) => { const t = new Tensor(Float32Array.from(v.subarray(o, o + p.size)), [...p.shape]); o += p.size; return t; });
}

function concat(ts: Array<Tensor | null>, params: Tensor[]): Float64Array {
  const out = new Float64Array(flatSize(params));
  let o = 0;
  ts.forEach((t, i) => { if (t) for (let j = 0; j < t.size; j++) out[o + j] = t.data[j]; o += params[i].size; });
  return out;
}

/** The gradient of the loss as one flat vector. */
export function flatGradient(loss: LossClosure, params: Tensor[]): Float64Array {
  return concat(grad([loss()], params, { allowUnused: true }), params);
}

/** H v for the Hessian of the loss at the current parameters: the gradient of (grad . v). */
export function hessianVectorProduct(loss: LossClosure, params: Tensor[], v: ArrayLike<number>): Float64Array {
  if (v.length !== flatSize(params)) throw new Error(`hessianVectorProduct: v has ${v.length} entries, the parameters have ${flatSize(params)}`);
  const gs = grad([loss()], params, { createGraph: true, allowUnused: true });
  const vs = split(Float64Array.from(v), params);
  let dot: Tensor | null = null;
  gs.forEach((g, i) => { if (g) { const term = g.mul(vs[i]).sum(); dot = dot ? dot.add(term) : term; } });
  if (!dot) throw new Error('hessianVectorProduct: the loss does not depend on the parameters');
  return concat(grad([dot], params, { allowUnused: true }), params);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

function randomUnit(n: number, seed: number): Float64Array {
  const g = new Generator(seed), v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = g.normal();
  const s = norm(v);
  for (let i = 0; i < n; i++) v[i] /= s;
  return v;
}

export interface PowerIterationResult { value: number; vector: Float64Array; iterations: number; converged: boolean }

/**
 * The Hessian eigenvalue of largest magnitude by power iteration on HVPs (near a minimum that
 * is the top, positive eigenvalue: the sharpness). Stops when the Rayleigh quotient changes by
 * less than `tol` relative. `start` warm-starts from a vector; with `shift` s it iterates on
 * H - sI and reports the eigenvalue of H (s = the negative value found first gives the top one).
 */
export function topHessianEigenvalue(loss: LossClosure, params: Tensor[], o: { maxIterations?: number; tol?: number; seed?: number; start?: ArrayLike<number>; shift?: number } = {}): PowerIterationResult {
  const maxIt = o.maxIterations ?? 100, tol = o.tol ?? 1e-4, shift = o.shift ?? 0;
  const n = flatSize(params);
  if (o.start && o.start.length !== n) throw new Error(`topHessianEigenvalue: start has ${o.start.length} entries, the parameters have ${n}`);
  // A warm start (the previous eigenvector, during training) converges in a few HVPs instead of tens.
  const startNorm = o.start ? norm(o.start) : 0;
  let v = o.start && startNorm > 0 ? Float64Array.from(o.start, (x) => x / startNorm) : randomUnit(n, o.seed ?? 0);
  let value = 0;
  for (let it = 1; it <= maxIt; it++) {
    const hv = hessianVectorProduct(loss, params, v);
    // Iterating on H - shift*I finds the top eigenvalue when the one of largest magnitude is negative.
    if (shift !== 0) for (let i = 0; i < n; i++) hv[i] -= shift * v[i];
    const next = dot(v, hv) + shift;
    const s = norm(hv);
    if (s === 0) return { value: shift, vector: v, iterations: it, converged: true };
    v = hv.map((x) => x / s);
    if (it > 1 && Math.abs(next - value) <= tol * Math.abs(next)) return { value: next, vector: v, iterations: it, converged: true };
    value = next;
  }
  return { value, vector: v, iterations: maxIt, converged: false };
}

export interface LanczosResult { ritzValues: number[]; max: number; min: number; condition: number; steps: number }

/**
 * Lanczos with full reorthogonalization for `steps` HVPs: the Ritz values approximate the ends
 * of the Hessian spectrum (Ghorbani et al. 2019 use it for the same purpose). `condition` is
 * max / min when min > 0, else Infinity (the Hessian is not positive definite there).
 */
export function lanczos(loss: LossClosure, params: Tensor[], o: { steps?: number; seed?: number } = {}): LanczosResult {
  const n = flatSize(params);
  const m = Math.min(o.steps ?? 30, n);
  const Q: Float64Array[] = [randomUnit(n, o.seed ?? 0)];
  const alpha: number[] = [], beta: number[] = [];
  for (let j = 0; j < m; j++) {
    const w = hessianVectorProduct(loss, params, Q[j]);
    alpha.push(dot(w, Q[j]));
    for (const q of Q) { const c = dot(w, q); for (let i = 0; i < n; i++) w[i] -= c * q[i]; } // full reorthogonalization
    const b = norm(w);
    if (j === m - 1 || b < 1e-10) break;
    beta.push(b);
    Q.push(w.map((x) => x / b));
  }
  const k = alpha.length;
  const T = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? alpha[i] : Math.abs(i - j) === 1 ? beta[Math.min(i, j)] : 0)));
  const ritzValues = symmetricEigenvalues(T).sort((a, b) => b - a);
  const max = ritzValues[0], min = ritzValues[ritzValues.length - 1];
  return { ritzValues, max, min, condition: min > 0 ? max / min : Infinity, steps: k };
}

/** The exact Hessian (n x n, row i = H e_i) of a small model: n HVPs. */
export function exactHessian(loss: LossClosure, params: Tensor[], o: { maxSize?: number } = {}): number[][] {
  const n = flatSize(params);
  if (n > (o.maxSize ?? 2000)) throw new Error(`exactHessian: ${n} parameters make a ${n}x${n} matrix; use hessianVectorProduct or lanczos for models this size`);
  return Array.from({ length: n }, (_, i) => { const e = new Float64Array(n); e[i] = 1; return Array.from(hessianVectorProduct(loss, params, e)); });
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (small matrices only). */
export function symmetricEigenvalues(matrix: number[][]): number[] {
  const n = matrix.length;
  const a = matrix.map((r) => r.slice());
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) { const akp = a[k][p], akq = a[k][q]; a[k][p] = c * akp - s * akq; a[k][q] = s * akp + c * akq; }
        for (let k = 0; k < n; k++) { const apk = a[p][k], aqk = a[q][k]; a[p][k] = c * apk - s * aqk; a[q][k] = s * apk + c * aqk; }
      }
    }
  }
  return a.map((r, i) => r[i]);
}

/** Writes a flat vector back into the parameters (in place, no graph). */
export function setFlat(params: Tensor[], v: ArrayLike<number>): void {
  noGrad(() => { let o = 0; for (const p of params) { for (let j = 0; j < p.size; j++) p.data[j] = v[o + j]; o += p.size; } });
}

export function getFlat(params: Tensor[]): Float64Array {
  return concat(params, params);
}
