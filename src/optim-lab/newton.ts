import type { Tensor } from '../tensor/tensor.js';
import { exactHessian, flatGradient, getFlat, setFlat, type LossClosure } from './hessian.js';

export interface NewtonOptions {
  /** Added to the Hessian's diagonal (Levenberg-Marquardt damping): (H + damping I) d = g. */
  damping?: number;
  /** Fraction of the Newton step taken (1 = full step). */
  stepSize?: number;
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is small and dense). */
export function solveLinear(A: number[][], b: ArrayLike<number>): Float64Array {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    if (Math.abs(M[piv][c]) < 1e-14) throw new Error('newtonStep: the damped Hessian is singular; increase damping');
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = c + 1; r < n; r++) { const f = M[r][c] / M[c][c]; for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k]; }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) { let s = M[r][n]; for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k]; x[r] = s / M[r][r]; }
  return x;
}

/**
 * One damped Newton step for a small model: p <- p - stepSize (H + damping I)^{-1} g with the
 * exact Hessian from double backward. Returns the loss before the step and the step's length.
 *
 * ```ts
 * for (let i = 0; i < 10; i++) newtonStep(() => F.mseLoss(model.call(x), y), model.parameters(), { damping: 1e-3 });
 * ```
 */
export function newtonStep(loss: LossClosure, params: Tensor[], o: NewtonOptions = {}): { loss: number; stepNorm: number } {
  const damping = o.damping ?? 0, stepSize = o.stepSize ?? 1;
  if (!(damping >= 0)) throw new RangeError(`newtonStep: damping must be >= 0, got ${damping}`);
  if (!(stepSize > 0)) throw new RangeError(`newtonStep: stepSize must be > 0, got ${stepSize}`);
  const before = loss().item();
  const g = flatGradient(loss, params);
  const H = exactHessian(loss, params);
  for (let i = 0; i < H.length; i++) H[i][i] += damping;
  const d = solveLinear(H, g);
  const p = getFlat(params);
  let s = 0;
  for (let i = 0; i < p.length; i++) { p[i] -= stepSize * d[i]; s += (stepSize * d[i]) ** 2; }
  setFlat(params, p);
  return { loss: before, stepNorm: Math.sqrt(s) };
}
