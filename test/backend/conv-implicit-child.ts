// Child process of native-conv-implicit.once.test.ts: runs the native convolutions under the
// TRADECRAFT_ISA / TRADECRAFT_THREADS it was started with and compares them bit for bit with the
// explicit formulation they replace: im2col (here, in TypeScript: a pure copy, so exact) followed
// by the addon's own GEMM, called exactly as conv.cc called it (serial GEMMs per image when
// there are at least as many images as threads, threaded GEMMs otherwise, the same split of
// the weight gradient's batch into partial sums). Prints one JSON line: the backend and the
// mismatches found.
import type { Conv2dGeometry, Pool2dGeometry } from '../../src/backend/backend.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { firstBitDifference, randomArray, convSpecGeometry, type ConvSpec } from '../helpers.js';

export const IMPLICIT_CASES: ConvSpec[] = [
  { n: 64, c: 32, h: 14, w: 14, oc: 64, kh: 3, kw: 3, p: [1, 1] },           // the CNN's conv2: depth 288 > KC
  { n: 1, c: 32, h: 14, w: 14, oc: 64, kh: 3, kw: 3, p: [1, 1] },            // batch 1
  { n: 3, c: 5, h: 9, w: 11, oc: 7, kh: 3, kw: 3 },                           // odd sizes, no padding
  { n: 2, c: 3, h: 13, w: 10, oc: 6, kh: 3, kw: 3, s: [2, 2], p: [1, 1] },   // stride 2
  { n: 4, c: 7, h: 17, w: 19, oc: 10, kh: 5, kw: 3, s: [2, 1], p: [2, 1] },  // stride 2 down, 1 across
  { n: 9, c: 2, h: 30, w: 29, oc: 5, kh: 3, kw: 3, p: [1, 1] },              // output rows longer than 16
  { n: 2, c: 4, h: 9, w: 11, oc: 6, kh: 3, kw: 3, d: [2, 3], p: [2, 1] },    // dilation
  { n: 3, c: 6, h: 8, w: 8, oc: 4, kh: 3, kw: 3, groups: 2, s: [2, 2] },     // groups
  { n: 2, c: 1, h: 28, w: 28, oc: 32, kh: 3, kw: 3, p: [1, 1] },             // the CNN's conv1
  { n: 5, c: 3, h: 6, w: 7, oc: 1, kh: 3, kw: 3, p: [1, 1] },                // one output channel
  { n: 2, c: 64, h: 7, w: 7, oc: 16, kh: 3, kw: 3, p: [1, 1] },              // depth 576: three KC blocks, OW < 8
  { n: 2, c: 3, h: 5, w: 1, oc: 4, kh: 3, kw: 1, p: [1, 0] },                // one-pixel-wide output
  { n: 2, c: 3, h: 48, w: 48, oc: 8, kh: 3, kw: 3, p: [1, 1] },              // 2304 pixels: several NC blocks
  { n: 2, c: 2, h: 5, w: 5, oc: 3, kh: 5, kw: 5, p: [4, 4], s: [3, 1] },     // windows mostly in padding
];

type Native = NonNullable<ReturnType<typeof loadNativeBackend>>;

function im2col(x: Float32Array, xOff: number, channels: number, g: Conv2dGeometry): Float32Array {
  const ohw = g.oh * g.ow, col = new Float32Array(channels * g.kh * g.kw * ohw);
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < g.kh; ky++) {
      for (let kx = 0; kx < g.kw; kx++) {
        const row = ((c * g.kh + ky) * g.kw + kx) * ohw;
        for (let oy = 0; oy < g.oh; oy++) {
          const iy = oy * g.strideH - g.padH + ky * g.dilationH;
          if (iy < 0 || iy >= g.h) continue;
          for (let ox = 0; ox < g.ow; ox++) {
            const ix = ox * g.strideW - g.padW + kx * g.dilationW;
            if (ix >= 0 && ix < g.w) col[row + oy * g.ow + ox] = x[xOff + (c * g.h + iy) * g.w + ix];
          }
        }
      }
    }
  }
  return col;
}

/** C (m x n at cOff) = op(A) op(B) + beta C through sgemm_serial: a batch of `threads` identical
 * items takes the addon's one-serial-GEMM-per-item path (one thread: sgemm is sgemm_serial). */
function serialGemm(nb: Native, threads: number, tB: boolean, m: number, n: number, k: number, a: Float32Array,
  aOff: number, b: Float32Array, beta: number, c: Float32Array, cOff: number): void {
  const items = new Float32Array(threads * m * n);
  for (let i = 0; i < threads; i++) items.set(c.subarray(cOff, cOff + m * n), i * m * n);
  nb.gemm(false, tB, m, n, k, 1, a, aOff, b, 0, beta, items, 0, threads, 0, 0, m * n);
  c.set(items.subarray(0, m * n), cOff);
}

/** The same product through sgemm (threaded when large enough), as conv.cc ran it with fewer images than threads. */
function threadedGemm(nb: Native, tB: boolean, m: number, n: number, k: number, a: Float32Array, aOff: number,
  b: Float32Array, beta: number, c: Float32Array, cOff: number): void {
  const out = c.subarray(cOff, cOff + m * n);
  nb.gemm(false, tB, m, n, k, 1, a, aOff, b, 0, beta, out, 0, 1, 0, 0, 0);
}

function referenceForward(nb: Native, threads: number, x: Float32Array, w: Float32Array, bias: Float32Array | null,
  relu: boolean, g: Conv2dGeometry): Float32Array {
  const cg = g.c / g.groups, ocg = g.oc / g.groups, ohw = g.oh * g.ow, ckk = cg * g.kh * g.kw;
  const out = new Float32Array(g.n * g.oc * ohw);
  for (let b = 0; b < g.n; b++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const col = im2col(x, (b * g.c + gr * cg) * g.h * g.w, cg, g);
      const cOff = (b * g.oc + gr * ocg) * ohw;
      if (g.n >= threads) serialGemm(nb, threads, false, ocg, ohw, ckk, w, gr * ocg * ckk, col, 0, out, cOff);
      else threadedGemm(nb, false, ocg, ohw, ckk, w, gr * ocg * ckk, col, 0, out, cOff);
    }
  }
  if (bias !== null || relu) {
    const v = new Float32Array(1);
    for (let i = 0; i < out.length; i++) {
      v[0] = bias !== null ? out[i] + bias[Math.floor(i / ohw) % g.oc] : out[i];
      out[i] = relu && v[0] < 0 ? 0 : v[0];
    }
  }
  return out;
}

function referenceBackwardWeight(nb: Native, threads: number, x: Float32Array, gy: Float32Array,
  g: Conv2dGeometry): Float32Array {
  const cg = g.c / g.groups, ocg = g.oc / g.groups, ohw = g.oh * g.ow, ckk = cg * g.kh * g.kw;
  const wsize = g.oc * ckk;
  const accumulate = (b0: number, b1: number, dst: Float32Array, serial: boolean): void => {
    for (let b = b0; b < b1; b++) {
      for (let gr = 0; gr < g.groups; gr++) {
        const col = im2col(x, (b * g.c + gr * cg) * g.h * g.w, cg, g);
        const aOff = (b * g.oc + gr * ocg) * ohw, beta = b === b0 ? 0 : 1;
        if (serial) serialGemm(nb, threads, true, ocg, ckk, ohw, gy, aOff, col, beta, dst, gr * ocg * ckk);
        else threadedGemm(nb, true, ocg, ckk, ohw, gy, aOff, col, beta, dst, gr * ocg * ckk);
      }
    }
  };
  const gw = new Float32Array(wsize);
  if (threads === 1 || g.n < threads) {
    accumulate(0, g.n, gw, false);
    return gw;
  }
  const tasks = Math.min(g.n, 4 * threads);
  const parts: Float32Array[] = [];
  for (let t = 0; t < tasks; t++) {
    const b0 = Math.floor((g.n * t) / tasks), b1 = Math.floor((g.n * (t + 1)) / tasks);
    const dst = t === 0 ? gw : new Float32Array(wsize);
    accumulate(b0, b1, dst, true);
    if (t > 0) parts.push(dst);
  }
  for (const p of parts) for (let i = 0; i < wsize; i++) gw[i] = Math.fround(gw[i] + p[i]);
  return gw;
}


function main(): void {
  const nb = loadNativeBackend();
  if (nb === null) {
    console.log(JSON.stringify({ backend: null, failures: [] }));
    return;
  }
  const threads = Number(/(\d+) threads?\)$/.exec(nb.describe())![1]);
  const failures: string[] = [];
  let seed = 7;
  for (const cs of IMPLICIT_CASES) {
    const g = convSpecGeometry(cs);
    const what = JSON.stringify(cs);
    const ckk = (g.c / g.groups) * g.kh * g.kw, ohw = g.oh * g.ow;
    const x = randomArray(g.n * g.c * g.h * g.w, seed++), w = randomArray(g.oc * ckk, seed++);
    const bias = randomArray(g.oc, seed++), gy = randomArray(g.n * g.oc * ohw, seed++);
    const check = (name: string, got: Float32Array | Int32Array, want: Float32Array | Int32Array): void => {
      const d = firstBitDifference(got, want);
      if (d !== null) failures.push(`${name} ${what}: ${d}`);
    };
    for (const [b, relu] of [[null, false], [bias, false], [bias, true]] as const) {
      const got = new Float32Array(g.n * g.oc * ohw).fill(NaN);
      nb.conv2d(x, w, got, g, b, relu);
      check(`conv2d bias=${b !== null} relu=${relu}`, got, referenceForward(nb, threads, x, w, b, relu, g));
    }
    if (nb.conv2dReluMaxPool2x2 && g.oh >= 2 && g.ow >= 2) {
      const ph = Math.floor(g.oh / 2), pw = Math.floor(g.ow / 2), ps = g.n * g.oc * ph * pw;
      const pool: Pool2dGeometry = { n: g.n, c: g.oc, h: g.oh, w: g.ow, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0,
        padW: 0, oh: ph, ow: pw, countIncludePad: true };
      const want = new Float32Array(ps), wantIdx = new Int32Array(ps);
      nb.maxPool2d(referenceForward(nb, threads, x, w, bias, true, g), want, wantIdx, pool);
      const got = new Float32Array(ps).fill(NaN), gotIdx = new Int32Array(ps);
      nb.conv2dReluMaxPool2x2(x, w, bias, got, gotIdx, g);
      check('conv2dReluMaxPool2x2', got, want);
      check('conv2dReluMaxPool2x2 indices', gotIdx, wantIdx);
    }
    const gw = new Float32Array(g.oc * ckk).fill(NaN);
    nb.conv2dBackwardWeight(x, gy, gw, g);
    check('conv2dBackwardWeight', gw, referenceBackwardWeight(nb, threads, x, gy, g));
  }
  console.log(JSON.stringify({ backend: nb.describe(), failures }));
}

main();
