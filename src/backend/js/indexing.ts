/**
 * Indexing along the middle axis of x viewed as [outer, size, inner]: indexSelect / indexAdd
 * (one index list shared by every outer slice, e.g. embedding lookup and its gradient) and
 * gather / scatterAdd (an index per output element, torch.gather / scatter_add_). The add variants
 * accumulate, so repeated indices sum their contributions. Indices are trusted (validated in ops/).
 */
import type { F32, I32 } from '../backend.js';

export function indexSelect(x: F32, outer: number, size: number, inner: number, idx: I32, out: F32): void {
  const k = idx.length;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const xb = o * size, ob = o * k;
      for (let j = 0; j < k; j++) out[ob + j] = x[xb + idx[j]];
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const xb = o * size * inner;
    let ob = o * k * inner;
    for (let j = 0; j < k; j++, ob += inner) {
      const src = xb + idx[j] * inner;
      if (inner >= 32) out.set(x.subarray(src, src + inner), ob);
      else for (let i = 0; i < inner; i++) out[ob + i] = x[src + i];
    }
  }
}

export function indexAdd(g: F32, outer: number, size: number, inner: number, idx: I32, gx: F32): void {
  const k = idx.length;
  for (let o = 0; o < outer; o++) {
    const xb = o * size * inner;
    let gb = o * k * inner;
    for (let j = 0; j < k; j++, gb += inner) {
      const dst = xb + idx[j] * inner;
      for (let i = 0; i < inner; i++) gx[dst + i] += g[gb + i];
    }
  }
}

export function gather(x: F32, outer: number, size: number, inner: number, idx: I32, k: number, out: F32): void {
  for (let o = 0; o < outer; o++) {
    const xb = o * size * inner;
    let p = o * k * inner;
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < inner; i++, p++) out[p] = x[xb + idx[p] * inner + i];
    }
  }
}

export function scatterAdd(g: F32, outer: number, size: number, inner: number, idx: I32, k: number, gx: F32): void {
  for (let o = 0; o < outer; o++) {
    const xb = o * size * inner;
    let p = o * k * inner;
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < inner; i++, p++) gx[xb + idx[p] * inner + i] += g[p];
    }
  }
}
