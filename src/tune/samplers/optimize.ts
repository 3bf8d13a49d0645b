/**
 * Box-constrained minimization by projected L-BFGS (limited-memory BFGS two-loop recursion,
 * Nocedal & Wright 2006, Alg. 7.4) with an Armijo backtracking line search along the projected
 * path. Enough for the GP's hyperparameters and acquisition, where the bounds are loose guards.
 */

export type ValueAndGradient = (x: Float64Array) => { f: number; g: Float64Array };

export interface MinimizeOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  maxIter?: number;
  /** History length (default 8). */
  memory?: number;
  /** Stop when the projected gradient's largest entry is below this (default 1e-6). */
  gradTol?: number;
  /** Stop when f improves by less than ftol·(1 + |f|) (default 1e-10). */
  ftol?: number;
}

export function minimizeBox(fg: ValueAndGradient, x0: ArrayLike<number>, o: MinimizeOptions): { x: Float64Array; f: number } {
  const n = x0.length;
  const maxIter = o.maxIter ?? 100;
  const m = o.memory ?? 8;
  const gradTol = o.gradTol ?? 1e-6;
  const ftol = o.ftol ?? 1e-10;
  const clamp = (v: number, i: number): number => Math.min(o.upper[i], Math.max(o.lower[i], v));
  let x: Float64Array = Float64Array.from(x0, clamp);
  let g: Float64Array;
  let f: number;
  ({ f, g } = fg(x));

  if (!Number.isFinite(f)) return { x, f };
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const dot = (a: Float64Array, b: Float64Array): number => { let s = 0; for (let i = 0; i < n; i++) s += a[i] * b[i]; return s; };
  for (let iter = 0; iter < maxIter; iter++) {
    let pg = 0;
    for (let i = 0; i < n; i++) pg = Math.max(pg, Math.abs(clamp(x[i] - g[i], i) - x[i]));
    if (pg < gradTol) break;
    // Two-loop recursion: d = −H g.
    const q = Float64Array.from(g);
    const alpha = new Float64Array(S.length);
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = dot(S[k], q) / dot(Y[k], S[k]);
      for (let i = 0; i < n; i++) q[i] -= alpha[k] * Y[k][i];
    }
    const gammaScale = S.length ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1;
    for (let i = 0; i < n; i++) q[i] *= gammaScale;
    for (let k = 0; k < S.length; k++) {
      const beta = dot(Y[k], q) / dot(Y[k], S[k]);
      for (let i = 0; i < n; i++) q[i] += (alpha[k] - beta) * S[k][i];
    }
    const d = q.map((v) => -v);
    const freeze = (dir: Float64Array): void => {
      for (let i = 0; i < n; i++) if ((x[i] <= o.lower[i] && dir[i] < 0) || (x[i] >= o.upper[i] && dir[i] > 0)) dir[i] = 0;
    };
    freeze(d);
    if (dot(d, g) >= 0) {
      S.length = 0; Y.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      freeze(d);
      if (dot(d, g) >= 0) break;
    }
    let t = S.length === 0 ? Math.min(1, 1 / Math.max(...d.map(Math.abs))) : 1;
    let accepted: { x: Float64Array; f: number; g: Float64Array } | undefined;
    for (let ls = 0; ls < 30; ls++) {
      const xn = x.map((v, i) => clamp(v + t * d[i], i));
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += g[i] * (xn[i] - x[i]);
      const r = fg(xn);
      if (Number.isFinite(r.f) && r.f <= f + 1e-4 * decrease) { accepted = { x: xn, ...r }; break; }
      t *= 0.5;
    }
    if (!accepted) {
      if (S.length === 0) break;
      S.length = 0; Y.length = 0;
      continue;
    }
    const s = accepted.x.map((v, i) => v - x[i]);
    const y = accepted.g.map((v, i) => v - g[i]);
    if (dot(s, y) > 1e-12) {
      S.push(s); Y.push(y);
      if (S.length > m) { S.shift(); Y.shift(); }
    }
    const improvement = f - accepted.f;
    x = accepted.x; f = accepted.f; g = accepted.g;
    if (improvement < ftol * (1 + Math.abs(f))) break;
  }
  return { x, f };
}
