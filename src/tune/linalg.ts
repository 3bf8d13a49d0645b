/**
 * The few dense linear-algebra routines the Gaussian-process sampler needs, on row-major
 * Float64Arrays of n×n. Small n (at most a few hundred trials), so plain loops suffice.
 */

/**
 * Lower Cholesky factor L of a symmetric positive-definite A (A = L Lᵀ), or null when A is not
 * numerically positive definite. Only the lower triangle of A is read. Row-oriented, with four
 * rows updated against row j at once (each entry's sum runs in the same order as the one-row
 * loop, so the numbers are the same): 2-3x faster at n = 1000 (the double-descent reproduction
 * factors one n x n matrix per width).
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= l[rj + k] * l[rj + k];
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    let i = j + 1;
    for (; i + 3 < n; i += 4) {
      const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = a[r0 + j], s1 = a[r1 + j], s2 = a[r2 + j], s3 = a[r3 + j];
      for (let k = 0; k < j; k++) {
        const v = l[rj + k];
        s0 -= l[r0 + k] * v; s1 -= l[r1 + k] * v; s2 -= l[r2 + k] * v; s3 -= l[r3 + k] * v;
      }
      l[r0 + j] = s0 / ljj; l[r1 + j] = s1 / ljj; l[r2 + j] = s2 / ljj; l[r3 + j] = s3 / ljj;
    }
    for (; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      l[ri + j] = s / ljj;
    }
  }
  return l;
}

/** Solves L x = b for lower-triangular L (forward substitution). */
export function solveLower(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * x[k];
    x[i] = s / l[ri + i];
  }
  return x;
}

/** Solves Lᵀ x = b for lower-triangular L (back substitution, by rows of L so the loops run over contiguous memory). */
export function solveLowerTransposed(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b);
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = x[i] / l[ri + i];
    x[i] = xi;
    for (let k = 0; k < i; k++) x[k] -= l[ri + k] * xi;
  }
  return x;
}

/** Solves A x = b given A's Cholesky factor L. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return solveLowerTransposed(l, n, solveLower(l, n, b));
}

/** A⁻¹ (full symmetric matrix) from A's Cholesky factor L: A⁻¹ = L⁻ᵀ L⁻¹ (row-wise, contiguous loops). */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // M = L⁻¹ by rows: M_i = (e_i − Σ_{k<i} L_ik M_k) / L_ii, each M_k nonzero only in columns 0..k.
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    m[ri + i] = 1;
    for (let k = 0; k < i; k++) {
      const c = l[ri + k];
      if (c === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) m[ri + j] -= c * m[rk + j];
    }
    const inv = 1 / l[ri + i];
    for (let j = 0; j <= i; j++) m[ri + j] *= inv;
  }
  // A⁻¹ = Mᵀ M = Σ_k (row k of M)ᵀ (row k of M): accumulate the lower triangle, then mirror.
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const a = m[rk + i];
      if (a === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) out[ri + j] += a * m[rk + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j];
  return out;
}
