/**
 * 2-D max and average pooling over NCHW, following PyTorch's CPU kernels window by window:
 *  - max: padding acts as -Infinity (it is never selected); the first maximum wins, a NaN is always
 *    taken (so the last NaN in the window wins, as in PyTorch); idx is the flat h*w position of the
 *    chosen input inside its (n, c) plane (return_indices).
 *  - avg: the window is clipped to the padded input [-pad, size + pad) for the count_include_pad
 *    divisor and to the real input for the sum and for the exclusive divisor.
 */
import type { F32, I32, Pool2dGeometry } from '../backend.js';

export function maxPool2d(x: F32, out: F32, idx: I32, g: Pool2dGeometry): void {
  const { h, w, kh, kw, strideH: sh, strideW: sw, padH: ph, padW: pw, oh, ow } = g;
  const planes = g.n * g.c, HW = h * w;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const xb = p * HW;
    for (let oy = 0; oy < oh; oy++) {
      let y0 = oy * sh - ph;
      const y1 = Math.min(y0 + kh, h);
      if (y0 < 0) y0 = 0;
      for (let ox = 0; ox < ow; ox++, o++) {
        let x0 = ox * sw - pw;
        const x1 = Math.min(x0 + kw, w);
        if (x0 < 0) x0 = 0;
        let best = -Infinity, bi = y0 * w + x0;
        for (let iy = y0; iy < y1; iy++) {
          const row = iy * w;
          for (let ix = x0; ix < x1; ix++) {
            const v = x[xb + row + ix];
            if (v > best || v !== v) { best = v; bi = row + ix; }
          }
        }
        out[o] = best;
        idx[o] = bi;
      }
    }
  }
}

export function maxPool2dBackward(gy: F32, idx: I32, gx: F32, g: Pool2dGeometry): void {
  const planes = g.n * g.c, HW = g.h * g.w, OHW = g.oh * g.ow;
  gx.fill(0, 0, planes * HW);
  for (let p = 0, o = 0; p < planes; p++) {
    const xb = p * HW;
    for (let q = 0; q < OHW; q++, o++) gx[xb + idx[o]] += gy[o];
  }
}

/** The window of output (oy, ox) clipped to the input, and its divisor; written into `win`. */
function avgWindow(
  oy: number, ox: number, g: Pool2dGeometry, win: Int32Array,
): number {
  let y0 = oy * g.strideH - g.padH, x0 = ox * g.strideW - g.padW;
  let y1 = Math.min(y0 + g.kh, g.h + g.padH), x1 = Math.min(x0 + g.kw, g.w + g.padW);
  const poolSize = (y1 - y0) * (x1 - x0);
  if (y0 < 0) y0 = 0;
  if (x0 < 0) x0 = 0;
  if (y1 > g.h) y1 = g.h;
  if (x1 > g.w) x1 = g.w;
  win[0] = y0; win[1] = y1; win[2] = x0; win[3] = x1;
  if (y0 >= y1 || x0 >= x1) return 0;
  return g.countIncludePad ? poolSize : (y1 - y0) * (x1 - x0);
}

export function avgPool2d(x: F32, out: F32, g: Pool2dGeometry): void {
  const { h, w, oh, ow } = g;
  const planes = g.n * g.c, HW = h * w, OHW = oh * ow;
  // Window bounds and divisors are the same for every plane: compute them once.
  const bounds = new Int32Array(OHW * 4);
  const divs = new Float64Array(OHW);
  const win = new Int32Array(4);
  for (let oy = 0, q = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++, q++) {
      divs[q] = avgWindow(oy, ox, g, win);
      bounds.set(win, q * 4);
    }
  }
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const xb = p * HW;
    for (let q = 0; q < OHW; q++, o++) {
      const div = divs[q];
      if (div === 0) { out[o] = 0; continue; }
      const y0 = bounds[q * 4], y1 = bounds[q * 4 + 1], x0 = bounds[q * 4 + 2], x1 = bounds[q * 4 + 3];
      let s = 0;
      for (let iy = y0; iy < y1; iy++) {
        const row = xb + iy * w;
        for (let ix = x0; ix < x1; ix++) s += x[row + ix];
      }
      out[o] = s / div;
    }
  }
}

export function avgPool2dBackward(gy: F32, gx: F32, g: Pool2dGeometry): void {
  const { h, w, oh, ow } = g;
  const planes = g.n * g.c, HW = h * w, OHW = oh * ow;
  gx.fill(0, 0, planes * HW);
  const bounds = new Int32Array(OHW * 4);
  const divs = new Float64Array(OHW);
  const win = new Int32Array(4);
  for (let oy = 0, q = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++, q++) {
      divs[q] = avgWindow(oy, ox, g, win);
      bounds.set(win, q * 4);
    }
  }
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const xb = p * HW;
    for (let q = 0; q < OHW; q++, o++) {
      const div = divs[q];
      if (div === 0) continue;
      const v = gy[o] / div;
      const y0 = bounds[q * 4], y1 = bounds[q * 4 + 1], x0 = bounds[q * 4 + 2], x1 = bounds[q * 4 + 3];
      for (let iy = y0; iy < y1; iy++) {
        const row = xb + iy * w;
        for (let ix = x0; ix < x1; ix++) gx[row + ix] += v;
      }
    }
  }
}
