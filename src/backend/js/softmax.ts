/**
 * Row-wise softmax / log-softmax, numerically stable: the row max is subtracted before exp, and
 * the normaliser is accumulated in float64. A NaN anywhere in a row makes the whole row NaN; an
 * all -Infinity row gives NaN (as in PyTorch). x and out may be the same array.
 */
import type { F32 } from '../backend.js';

export function softmax(x: F32, rows: number, cols: number, out: F32, log: boolean): void {
  if (cols === 0) return;
  for (let r = 0; r < rows; r++) {
    const b = r * cols, e = b + cols;
    let m = x[b];
    for (let j = b + 1; j < e; j++) { const v = x[j]; if (v > m || v !== v) m = v; }
    if (log) {
      let s = 0;
      for (let j = b; j < e; j++) s += Math.exp(x[j] - m);
      const shift = m + Math.log(s);
      for (let j = b; j < e; j++) out[j] = x[j] - shift;
    } else {
      let s = 0;
      for (let j = b; j < e; j++) { const v = Math.exp(x[j] - m); out[j] = v; s += v; }
      const inv = 1 / s;
      for (let j = b; j < e; j++) out[j] *= inv;
    }
  }
}
