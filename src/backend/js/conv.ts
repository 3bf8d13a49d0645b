/**
 * 2-D convolution (PyTorch's cross-correlation) over NCHW input via im2col + GEMM, per sample and
 * per group. For group g of sample b, with Cg = C/groups input channels, OCg = OC/groups outputs,
 * K = Cg*KH*KW and P = OH*OW:
 *   forward          out_bg (OCg x P)  = W_g (OCg x K) @ col_bg (K x P)
 *   grad input       gcol   (K x P)    = W_g^T @ gy_bg, then col2im scatters gcol into gx
 *   grad weight      gW_g   (OCg x K) += gy_bg @ col_bg^T, summed over the batch
 * A 1x1 kernel with stride 1 and no padding needs no im2col: the input plane block is the column
 * matrix itself.
 *
 * The kernels are built over a GEMM (makeConvKernels) so another backend can reuse the im2col
 * logic with its own GEMM; this backend's exports are the kernels over the TypeScript GEMM.
 */
import type { Backend, Conv2dGeometry, F32 } from '../backend.js';
import { gemm as jsGemm } from './gemm.js';

let colScratch = new Float32Array(1024);
function colBuffer(n: number): F32 {
  if (colScratch.length < n) colScratch = new Float32Array(Math.max(n, colScratch.length * 2));
  return colScratch;
}

function isPointwise(g: Conv2dGeometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0;
}

/** Output columns ox in [lo, hi) read input column ox*sw + xs inside [0, w). */
function validRange(xs: number, sw: number, w: number, ow: number): [number, number] {
  let lo = xs >= 0 ? 0 : Math.ceil(-xs / sw);
  if (lo > ow) lo = ow;
  let hi = w - 1 - xs < 0 ? 0 : Math.floor((w - 1 - xs) / sw) + 1;
  if (hi > ow) hi = ow;
  if (hi < lo) hi = lo;
  return [lo, hi];
}

/** col (Cg*KH*KW x OH*OW) from the Cg input planes starting at x[xOff]; padding reads as 0. */
export function im2col(x: F32, xOff: number, cg: number, g: Conv2dGeometry, col: F32): void {
  const { h, w, kh, kw, strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw, oh, ow } = g;
  let d = 0;
  for (let c = 0; c < cg; c++) {
    const xc = xOff + c * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const xs = kj * dw - pw;
        const [lo, hi] = validRange(xs, sw, w, ow);
        for (let oy = 0; oy < oh; oy++, d += ow) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) { col.fill(0, d, d + ow); continue; }
          const xr = xc + iy * w + xs;
          for (let ox = 0; ox < lo; ox++) col[d + ox] = 0;
          if (sw === 1) for (let ox = lo; ox < hi; ox++) col[d + ox] = x[xr + ox];
          else for (let ox = lo, xi = xr + lo * sw; ox < hi; ox++, xi += sw) col[d + ox] = x[xi];
          for (let ox = hi; ox < ow; ox++) col[d + ox] = 0;
        }
      }
    }
  }
}

/** Adjoint of im2col: gx[xOff + ...] += the column entries that were read from each input element. */
export function col2im(col: F32, cg: number, g: Conv2dGeometry, gx: F32, xOff: number): void {
  const { h, w, kh, kw, strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw, oh, ow } = g;
  let d = 0;
  for (let c = 0; c < cg; c++) {
    const xc = xOff + c * h * w;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const xs = kj * dw - pw;
        const [lo, hi] = validRange(xs, sw, w, ow);
        for (let oy = 0; oy < oh; oy++, d += ow) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) continue;
          const xr = xc + iy * w + xs;
          if (sw === 1) for (let ox = lo; ox < hi; ox++) gx[xr + ox] += col[d + ox];
          else for (let ox = lo, xi = xr + lo * sw; ox < hi; ox++, xi += sw) gx[xi] += col[d + ox];
        }
      }
    }
  }
}

export type ConvKernels = Pick<Backend, 'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardWeight'>;

/** out[off + ch*P + i] += bias[ch] for one image's (oc, P) output. */
function addChannelBias(out: F32, off: number, bias: F32, oc: number, P: number): void {
  for (let ch = 0; ch < oc; ch++) {
    const s = bias[ch], start = off + ch * P, end = start + P;
    for (let i = start; i < end; i++) out[i] += s;
  }
}

/** relu over out[off, off + len); NaN < 0 is false, so NaN passes as in the relu op. */
function reluInPlace(out: F32, off: number, len: number): void {
  for (let i = off, end = off + len; i < end; i++) if (out[i] < 0) out[i] = 0;
}

/** conv2d and its two backward kernels, each a loop of im2col/col2im around calls to `gemm`. */
export function makeConvKernels(gemm: Backend['gemm']): ConvKernels {
  function conv2d(x: F32, w: F32, out: F32, g: Conv2dGeometry, bias?: F32 | null, relu = false): void {
    const groups = g.groups, cg = g.c / groups, ocg = g.oc / groups;
    const K = cg * g.kh * g.kw, P = g.oh * g.ow, HW = g.h * g.w;
    const pointwise = isPointwise(g);
    const col = pointwise ? x : colBuffer(K * P);
    for (let b = 0; b < g.n; b++) {
      for (let gi = 0; gi < groups; gi++) {
        const xOff = (b * g.c + gi * cg) * HW;
        if (!pointwise) im2col(x, xOff, cg, g, col);
        gemm(false, false, ocg, P, K, 1, w, gi * ocg * K, col, pointwise ? xOff : 0,
          0, out, (b * g.oc + gi * ocg) * P, 1, 0, 0, 0);
      }
      if (bias) addChannelBias(out, b * g.oc * P, bias, g.oc, P);
      if (relu) reluInPlace(out, b * g.oc * P, g.oc * P);
    }
  }

  function conv2dBackwardInput(gy: F32, w: F32, gx: F32, g: Conv2dGeometry): void {
    const groups = g.groups, cg = g.c / groups, ocg = g.oc / groups;
    const K = cg * g.kh * g.kw, P = g.oh * g.ow, HW = g.h * g.w;
    if (isPointwise(g)) {
      for (let b = 0; b < g.n; b++) {
        for (let gi = 0; gi < groups; gi++) {
          gemm(true, false, K, P, ocg, 1, w, gi * ocg * K, gy, (b * g.oc + gi * ocg) * P,
            0, gx, (b * g.c + gi * cg) * HW, 1, 0, 0, 0);
        }
      }
      return;
    }
    gx.fill(0, 0, g.n * g.c * HW);
    const col = colBuffer(K * P);
    for (let b = 0; b < g.n; b++) {
      for (let gi = 0; gi < groups; gi++) {
        gemm(true, false, K, P, ocg, 1, w, gi * ocg * K, gy, (b * g.oc + gi * ocg) * P,
          0, col, 0, 1, 0, 0, 0);
        col2im(col, cg, g, gx, (b * g.c + gi * cg) * HW);
      }
    }
  }

  function conv2dBackwardWeight(x: F32, gy: F32, gw: F32, g: Conv2dGeometry): void {
    const groups = g.groups, cg = g.c / groups, ocg = g.oc / groups;
    const K = cg * g.kh * g.kw, P = g.oh * g.ow, HW = g.h * g.w;
    if (g.n === 0) { gw.fill(0, 0, g.oc * K); return; }
    const pointwise = isPointwise(g);
    const col = pointwise ? x : colBuffer(K * P);
    for (let b = 0; b < g.n; b++) {
      for (let gi = 0; gi < groups; gi++) {
        const xOff = (b * g.c + gi * cg) * HW;
        if (!pointwise) im2col(x, xOff, cg, g, col);
        gemm(false, true, ocg, K, P, 1, gy, (b * g.oc + gi * ocg) * P, col, pointwise ? xOff : 0,
          b === 0 ? 0 : 1, gw, gi * ocg * K, 1, 0, 0, 0);
      }
    }
  }

  return { conv2d, conv2dBackwardInput, conv2dBackwardWeight };
}

export const { conv2d, conv2dBackwardInput, conv2dBackwardWeight } = makeConvKernels(jsGemm);
