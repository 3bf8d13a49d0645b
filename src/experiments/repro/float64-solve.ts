import { cholesky, choleskySolve } from '../../tune/linalg.js';

/**
 * The float64 dense kernels behind the random-features reproduction: Gram matrices built block
 * by block, a Cholesky factorization and a ridge solve. Plain loops, register-blocked because the
 * default run spends most of its time here (n = 1000, widths up to 10n).
 */

/**
 * Lower triangle (and diagonal) of the rows' Gram, G[i][k] += sum_{j in [from, to)} F[i][j] F[k][j]
 * for F rows x cols. Two rows against four at a time (eight sums in registers, six loads per
 * eight products instead of two per one) over column chunks that stay in cache while every
 * pair of rows uses them: about 4x faster than one dot product per pair at n = 1000.
 */
export function addGramBlock(g: Float64Array, f: Float64Array, rows: number, cols: number, from: number, to: number): void {
  const CHUNK = 512, last = rows - 1;
  for (let c0 = from; c0 < to; c0 += CHUNK) {
    const c1 = Math.min(to, c0 + CHUNK);
    for (let i0 = 0; i0 < rows; i0 += 2) {
      const i1 = Math.min(i0 + 1, last); // an odd last row pairs with itself (its sums are dropped)
      const a0 = i0 * cols, a1 = i1 * cols, r0 = i0 * rows, r1 = i1 * rows;
      for (let k0 = 0; k0 <= i1; k0 += 4) {
        const b0 = k0 * cols, b1 = Math.min(k0 + 1, last) * cols, b2 = Math.min(k0 + 2, last) * cols, b3 = Math.min(k0 + 3, last) * cols;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (let j = c0; j < c1; j++) {
          const x0 = f[a0 + j], x1 = f[a1 + j], y0 = f[b0 + j], y1 = f[b1 + j], y2 = f[b2 + j], y3 = f[b3 + j];
          s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
          s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        }
        // Only the lower triangle (k <= i) is kept; sums past it or past the last row are dropped.
        if (k0 <= i0) g[r0 + k0] += s00;
        if (k0 + 1 <= i0) g[r0 + k0 + 1] += s01;
        if (k0 + 2 <= i0) g[r0 + k0 + 2] += s02;
        if (k0 + 3 <= i0) g[r0 + k0 + 3] += s03;
        if (i1 === i0) continue;
        if (k0 <= i1) g[r1 + k0] += s10;
        if (k0 + 1 <= i1) g[r1 + k0 + 1] += s11;
        if (k0 + 2 <= i1) g[r1 + k0 + 2] += s12;
        if (k0 + 3 <= i1) g[r1 + k0 + 3] += s13;
      }
    }
  }
}


/** Solves (A + lambda I) X = B for k right-hand sides (B, X: s x k row-major), raising lambda tenfold until Cholesky succeeds. */
export function ridgeSolve(a: Float64Array, s: number, b: Float64Array, k: number, lambda: number): { x: Float64Array; lambda: number } {
  if (!(lambda > 0)) throw new RangeError(`ridgeSolve: lambda must be positive (it is raised tenfold until Cholesky succeeds), got ${lambda}`);
  for (let tries = 0; tries < 12; tries++, lambda *= 10) {
    const m = Float64Array.from(a);
    for (let i = 0; i < s; i++) m[i * s + i] += lambda;
    const l = cholesky(m, s);
    if (!l) continue;
    const x = new Float64Array(s * k);
    for (let c = 0; c < k; c++) {
      const col = choleskySolve(l, s, Float64Array.from({ length: s }, (_, i) => b[i * k + c]));
      for (let i = 0; i < s; i++) x[i * k + c] = col[i];
    }
    return { x, lambda };
  }
  throw new Error(`random features: the ${s} x ${s} Gram matrix stayed singular up to lambda ${lambda}`);
}

