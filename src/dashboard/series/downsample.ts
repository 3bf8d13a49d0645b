// Downsampling that keeps peaks and dips: in each x bucket the points where any series is at its
// minimum or maximum survive (as W&B does), instead of a reservoir sample (TensorBoard), which
// drops exactly the spikes a practitioner is looking for.

/** First index i in the sorted array `x` with x[i] >= v (x.length if none). */
export function lowerBound(x: ArrayLike<number>, v: number): number {
  let lo = 0, hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i in the sorted array `x` with x[i] > v. */
export function upperBound(x: ArrayLike<number>, v: number): number {
  let lo = 0, hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Indices to draw of the points with from <= x <= to (x sorted ascending): all of them when there
 * are at most `maxPoints`, else, for each of the `maxPoints / (2 * ys.length)` equal-width x
 * buckets, the index of each series' minimum and maximum, plus the first and last point, in
 * order. Every extreme of every series in the range is therefore drawn.
 * @example minMaxIndices([0, 1, 2, 3], [[5, 9, 1, 5]], 0, 3, 4) // [0, 1, 2, 3]
 */
export function minMaxIndices(x: ArrayLike<number>, ys: ArrayLike<number>[], from: number, to: number, maxPoints: number): number[] {
  const i0 = lowerBound(x, from), i1 = upperBound(x, to);
  const n = i1 - i0;
  const all = (): number[] => Array.from({ length: Math.max(0, n) }, (_, k) => i0 + k);
  if (n <= maxPoints) return all();
  const buckets = Math.max(1, Math.floor(maxPoints / (2 * Math.max(1, ys.length))));
  const x0 = x[i0], span = x[i1 - 1] - x0;
  if (!(span > 0)) return [i0, i1 - 1];
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  for (const y of ys) {
    let bucket = -1, minI = -1, maxI = -1;
    const flush = (): void => {
      if (minI >= 0) keep[minI - i0] = 1;
      if (maxI >= 0) keep[maxI - i0] = 1;
    };
    for (let i = i0; i < i1; i++) {
      const b = Math.min(buckets - 1, Math.floor(((x[i] - x0) / span) * buckets));
      if (b !== bucket) {
        flush();
        bucket = b;
        minI = maxI = -1;
      }
      const v = y[i];
      if (!Number.isFinite(v)) continue;
      if (minI < 0 || v < y[minI]) minI = i;
      if (maxI < 0 || v > y[maxI]) maxI = i;
    }
    flush();
  }
  const out: number[] = [];
  for (let k = 0; k < n; k++) if (keep[k]) out.push(i0 + k);
  return out;
}

/** The values of `y` at `indices`. */
export function pick(y: ArrayLike<number>, indices: readonly number[]): number[] {
  return indices.map((i) => y[i]);
}

/**
 * Means of `y` over `buckets` equal-width x buckets spanning [from, to] (NaN for an empty bucket):
 * how runs with different step counts are put on one x grid to be averaged across seeds.
 */
export function bucketMeans(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number, buckets: number): Float64Array {
  const sum = new Float64Array(buckets), count = new Float64Array(buckets);
  const span = to - from;
  const i0 = lowerBound(x, from), i1 = upperBound(x, to);
  for (let i = i0; i < i1; i++) {
    if (!Number.isFinite(y[i])) continue;
    const b = span > 0 ? Math.min(buckets - 1, Math.floor(((x[i] - from) / span) * buckets)) : 0;
    sum[b] += y[i];
    count[b]++;
  }
  return sum.map((s, b) => (count[b] ? s / count[b] : NaN));
}
