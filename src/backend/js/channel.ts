/** A convolution's bias gradient over a tensor viewed as [n, c, inner], plane by plane. */
import type { F32 } from '../backend.js';

/** out[ch] = sum over b and i of x[b, ch, i], accumulated in float64. */
export function channelSum(x: F32, out: F32, n: number, c: number, inner: number): void {
  for (let ch = 0; ch < c; ch++) {
    let total = 0;
    for (let b = 0; b < n; b++) {
      const start = (b * c + ch) * inner, end = start + inner;
      for (let i = start; i < end; i++) total += x[i];
    }
    out[ch] = total;
  }
}
