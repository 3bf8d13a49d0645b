/**
 * Per-channel bias over tensors viewed as [n, c, inner] (a convolution's bias and its
 * gradient): plane by plane, so both loops stream contiguous memory.
 */
import type { F32 } from '../backend.js';

/** out[b, ch, i] = x[b, ch, i] + bias[ch]; out may be x. */
export function channelBias(x: F32, bias: F32, out: F32, n: number, c: number, inner: number): void {
  for (let p = 0; p < n * c; p++) {
    const s = bias[p % c];
    const end = (p + 1) * inner;
    for (let i = p * inner; i < end; i++) out[i] = x[i] + s;
  }
}

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
