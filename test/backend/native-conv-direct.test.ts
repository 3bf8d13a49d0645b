// The native direct convolution (native/conv_direct.h: stride 1, shallow windows) against the
// im2col + GEMM formulation it replaced, bit for bit: the reference here lays the windows out
// with a TypeScript im2col and multiplies with the addon's own GEMM, adding bias, relu, the 2x2
// max pool and the weight gradient's per-image and per-thread partial sums in the order
// conv.cc did. Every instruction set this CPU runs, on one and two threads (child processes).
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Backend, Conv2dGeometry } from '../../src/backend/backend.js';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeAddon, loadNativeBackend } from '../../src/backend/native.js';
import { randomArray, convSpecGeometry, expectBits, type ConvSpec } from '../helpers.js';
import { rerunPerIsaAndThreads } from './isa-children.js';

const native = loadNativeBackend();
const addon = loadNativeAddon();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

// The GEMM's KC (gemm_kernels.h: fixed per instruction set, 256 for all three), which
// gemm_depth_block splits a depth into blocks by: the weight gradient's sums over pixels are
// rounded at their boundaries.
const KC = 256;
// gemm_depth_block (native/gemm.h): the depth of each of the GEMM's KC blocks for depth k.
function depthBlock(k: number): number {
  const cap = KC + KC / 8;
  if (k <= cap) return k;
  const blocks = Math.ceil(k / cap);
  return Math.ceil(Math.ceil(k / blocks) / 8) * 8;
}

// `special`: inputs on a grid of quarters (ties) with NaN and infinities; NaNs then compare
// as NaN whatever their sign and payload (those depend on which NaN operand an instruction
// propagates: the GEMM's own register allocation, which varies even within one tile).
const CASES: Array<ConvSpec & { special?: boolean }> = [
  { n: 64, c: 1, h: 28, w: 28, oc: 32, kh: 3, kw: 3, p: [1, 1] },  // the benchmark CNN's conv1
  { n: 1, c: 1, h: 28, w: 28, oc: 32, kh: 3, kw: 3, p: [1, 1] },   // one image: fewer images than threads
  { n: 3, c: 3, h: 13, w: 11, oc: 6, kh: 3, kw: 3 },               // RGB, odd sizes, no padding
  { n: 2, c: 3, h: 17, w: 19, oc: 8, kh: 5, kw: 5, p: [2, 2] },    // 5x5, depth 75
  { n: 5, c: 1, h: 9, w: 31, oc: 16, kh: 1, kw: 3, p: [0, 1] },    // 1x3
  { n: 2, c: 1, h: 7, w: 5, oc: 4, kh: 3, kw: 3, p: [2, 2] },      // rows narrower than a vector, deep padding
  { n: 3, c: 1, h: 6, w: 3, oc: 3, kh: 3, kw: 3, p: [0, 1] },      // 3-pixel rows: too narrow to spill a vector
  { n: 2, c: 3, h: 9, w: 45, oc: 12, kh: 3, kw: 3, p: [1, 0] },    // rows of several tiles
  { n: 2, c: 4, h: 10, w: 10, oc: 6, kh: 3, kw: 3, p: [1, 1], groups: 2 },  // groups
  { n: 1, c: 3, h: 70, w: 66, oc: 32, kh: 3, kw: 3, p: [1, 1] },   // one large image: the pool splits its channels
  // One image, 5 (AVX2's 4-row tile + 1) and 7 (generic's 6 + 1) channels: a threaded weight
  // gradient GEMM would end in a one-row block, which it sums as a dot product (GEMM path).
  { n: 1, c: 8, h: 72, w: 72, oc: 5, kh: 1, kw: 3, p: [0, 1] },
  { n: 1, c: 2, h: 100, w: 100, oc: 7, kh: 2, kw: 2 },
  { n: 2, c: 4, h: 9, w: 9, oc: 8, kh: 5, kw: 5, p: [2, 2] },      // depth 100: beyond the direct bound (GEMM path)
  { n: 2, c: 3, h: 40, w: 40, oc: 16, kh: 2, kw: 2 },              // even window, odd output
  { n: 4, c: 1, h: 28, w: 28, oc: 32, kh: 3, kw: 3, p: [1, 1], special: true },  // pooling ties and NaN
  { n: 3, c: 3, h: 11, w: 21, oc: 6, kh: 3, kw: 3, special: true },
];

// Random values with exact zeros of both signs (the sign of a zero sum depends on the order).
function inputs(n: number, seed: number, special = false): Float32Array {
  const a = randomArray(n, seed);
  for (let i = 0; i < n; i += 7) a[i] = i % 2 === 0 ? 0 : -0;
  if (special) {
    for (let i = 0; i < n; i++) a[i] = Math.round(a[i] * 4) / 4;
    for (let i = 3; i < n; i += 97) a[i] = NaN;
    for (let i = 5; i < n; i += 181) a[i] = i % 2 === 0 ? Infinity : -Infinity;
  }
  return a;
}

// col (ckk x oh*ow) of one group of one image, as native im2col lays it out.
function im2col(x: Float32Array, xOff: number, cg: number, g: Conv2dGeometry): Float32Array {
  const ohw = g.oh * g.ow, col = new Float32Array(cg * g.kh * g.kw * ohw);
  for (let c = 0; c < cg; c++)
    for (let ky = 0; ky < g.kh; ky++)
      for (let kx = 0; kx < g.kw; kx++) {
        const row = ((c * g.kh + ky) * g.kw + kx) * ohw;
        for (let oy = 0; oy < g.oh; oy++)
          for (let ox = 0; ox < g.ow; ox++) {
            const iy = oy * g.strideH - g.padH + ky * g.dilationH, ix = ox * g.strideW - g.padW + kx * g.dilationW;
            const inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
            col[row + oy * g.ow + ox] = inside ? x[xOff + (c * g.h + iy) * g.w + ix] : 0;
          }
      }
  return col;
}

// One GEMM per image and group, as conv.cc runs them (the cases keep the product under the
// threading threshold where conv.cc's would run serially, so the two split alike).
function referenceForward(nb: Backend, x: Float32Array, w: Float32Array, bias: Float32Array | null, relu: boolean,
  g: Conv2dGeometry): Float32Array {
  const cg = g.c / g.groups, ocg = g.oc / g.groups, ckk = cg * g.kh * g.kw, ohw = g.oh * g.ow;
  const y = new Float32Array(g.n * g.oc * ohw);
  for (let b = 0; b < g.n; b++)
    for (let gr = 0; gr < g.groups; gr++) {
      const col = im2col(x, (b * g.c + gr * cg) * g.h * g.w, cg, g);
      nb.gemm(false, false, ocg, ohw, ckk, 1, w, gr * ocg * ckk, col, 0, 0, y, (b * g.oc + gr * ocg) * ohw, 1, 0, 0, 0);
    }
  for (let i = 0; i < y.length; i++) {
    let v = y[i];
    if (bias !== null) v = Math.fround(v + bias[Math.floor(i / ohw) % g.oc]);
    if (relu) v = v < 0 ? 0 : v;
    y[i] = v;
  }
  return y;
}

// conv.cc's weight gradient. With fewer images than threads (or one thread) it runs one GEMM
// per image, as the addon's gemm entry does (threaded, so a one-row or one-column block is a
// dot product): the same call here. Otherwise min(n, 4*threads) contiguous ranges of images
// are summed on their own, each image by a serial GEMM (here one GEMM per depth block, too
// small to thread, added to the running sum), and the ranges' sums added in order.
function referenceWeight(nb: Backend, x: Float32Array, gy: Float32Array, g: Conv2dGeometry, threads: number): Float32Array {
  const cg = g.c / g.groups, ocg = g.oc / g.groups, ckk = cg * g.kh * g.kw, ohw = g.oh * g.ow;
  const size = g.oc * ckk;
  const serial = threads > 1 && g.n >= threads;
  const tasks = serial ? Math.min(g.n, 4 * threads) : 1;
  const total = new Float32Array(size);
  for (let t = 0; t < tasks; t++) {
    const b0 = Math.floor((g.n * t) / tasks), b1 = Math.floor((g.n * (t + 1)) / tasks);
    const part = new Float32Array(size);
    for (let b = b0; b < b1; b++)
      for (let gr = 0; gr < g.groups; gr++) {
        const col = im2col(x, (b * g.c + gr * cg) * g.h * g.w, cg, g);
        const gyOff = (b * g.oc + gr * ocg) * ohw;
        if (!serial) {
          nb.gemm(false, true, ocg, ckk, ohw, 1, gy, gyOff, col, 0, b === b0 ? 0 : 1, part, gr * ocg * ckk, 1, 0, 0, 0);
          continue;
        }
        const depth = depthBlock(ohw);
        for (let pc = 0; pc < ohw; pc += depth) {
          const kc = Math.min(depth, ohw - pc);
          const gyBlock = new Float32Array(ocg * kc), colBlock = new Float32Array(ckk * kc);
          for (let o = 0; o < ocg; o++) gyBlock.set(gy.subarray(gyOff + o * ohw + pc, gyOff + o * ohw + pc + kc), o * kc);
          for (let p = 0; p < ckk; p++) colBlock.set(col.subarray(p * ohw + pc, p * ohw + pc + kc), p * kc);
          const block = new Float32Array(ocg * ckk);
          nb.gemm(false, true, ocg, ckk, kc, 1, gyBlock, 0, colBlock, 0, 0, block, 0, 1, 0, 0, 0);
          const first = b === b0 && pc === 0;
          for (let i = 0; i < block.length; i++) {
            const j = gr * ocg * ckk + i;
            part[j] = first ? block[i] : Math.fround(block[i] + part[j]);
          }
        }
      }
    for (let i = 0; i < size; i++) total[i] = t === 0 ? part[i] : Math.fround(total[i] + part[i]);
  }
  return total;
}

test('native direct conv2d: forward (bias, relu, fused 2x2 max pool) and weight gradient are bit-identical to im2col + GEMM', { skip }, () => {
  const nb = native!, threads = addon!.threads();
  let seed = 4000;
  for (const cs of CASES) {
    const g = convSpecGeometry(cs);
    const cg = g.c / g.groups, ckk = cg * g.kh * g.kw, ohw = g.oh * g.ow;
    const sp = cs.special === true;
    const x = inputs(g.n * g.c * g.h * g.w, seed++, sp), w = inputs(g.oc * ckk, seed++, sp && g.c > 1);
    const bias = randomArray(g.oc, seed++), gy = inputs(g.n * g.oc * ohw, seed++, sp);
    const what = `${JSON.stringify(cs)} on ${nb.describe()}`;
    for (const [b, relu] of [[null, false], [bias, false], [null, true], [bias, true]] as const) {
      const got = new Float32Array(g.n * g.oc * ohw).fill(NaN);
      nb.conv2d(x, w, got, g, b, relu);
      expectBits(got, referenceForward(nb, x, w, b, relu, g), `conv2d bias=${b !== null} relu=${relu} ${what}`, sp);
    }
    const ph = Math.floor(g.oh / 2), pw = Math.floor(g.ow / 2);
    if (ph > 0 && pw > 0) {
      const act = referenceForward(nb, x, w, bias, true, g);
      const pg = { n: g.n, c: g.oc, h: g.oh, w: g.ow, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
        oh: ph, ow: pw, countIncludePad: true };
      const want = new Float32Array(g.n * g.oc * ph * pw), wantIdx = new Int32Array(want.length);
      JS.maxPool2d(act, want, wantIdx, pg);
      const got = new Float32Array(want.length).fill(NaN), gotIdx = new Int32Array(want.length);
      nb.conv2dReluMaxPool2x2!(x, w, bias, got, gotIdx, g);
      expectBits(got, want, `conv2dReluMaxPool2x2 ${what}`, sp);
      expectBits(gotIdx, wantIdx, `conv2dReluMaxPool2x2 indices ${what}`);
    }
    const gw = new Float32Array(g.oc * ckk).fill(NaN);
    nb.conv2dBackwardWeight(x, gy, gw, g);
    expectBits(gw, referenceWeight(nb, x, gy, g, threads), `conv2dBackwardWeight ${what}`, sp);
  }
});

// The parent process runs the cases above in children for every instruction set and thread
// count; the children (CONV_DIRECT_CHILD set) run only the cases.
test('native direct conv2d: bit-identical on every instruction set, on 1 and 2 threads', {
  skip: skip || (process.env.CONV_DIRECT_CHILD ? 'child process' : false),
}, () => {
  rerunPerIsaAndThreads(fileURLToPath(import.meta.url), 'CONV_DIRECT_CHILD', native!.describe(), 1);
});
