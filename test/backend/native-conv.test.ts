// Native conv2d (forward and both gradients) and pooling against the TypeScript reference
// over stride, padding, dilation, groups, pointwise kernels, a single image (threaded GEMM
// path) and the MNIST CNN's own layer shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool2dGeometry } from '../../src/backend/backend.js';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { expectClose, randomArray, testRandom, convSpecGeometry, type ConvSpec } from '../helpers.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

const CONVS: ConvSpec[] = [
  { n: 2, c: 1, h: 28, w: 28, oc: 32, kh: 3, kw: 3, p: [1, 1] },             // MNIST conv1 (small batch)
  { n: 3, c: 32, h: 14, w: 14, oc: 64, kh: 3, kw: 3, p: [1, 1] },            // MNIST conv2
  { n: 1, c: 3, h: 17, w: 13, oc: 5, kh: 3, kw: 5, s: [2, 3], p: [1, 2] },   // single image: threaded GEMMs
  { n: 4, c: 4, h: 9, w: 11, oc: 6, kh: 3, kw: 3, d: [2, 3], p: [2, 1] },    // dilation
  { n: 3, c: 6, h: 8, w: 8, oc: 4, kh: 3, kw: 3, groups: 2, s: [2, 2] },     // groups
  { n: 2, c: 8, h: 7, w: 7, oc: 8, kh: 3, kw: 3, groups: 8, p: [1, 1] },     // depthwise
  { n: 5, c: 16, h: 6, w: 5, oc: 33, kh: 1, kw: 1 },                         // pointwise: no im2col
  { n: 2, c: 4, h: 6, w: 6, oc: 4, kh: 1, kw: 1, groups: 2 },                // grouped pointwise
  { n: 2, c: 3, h: 5, w: 5, oc: 2, kh: 5, kw: 5, p: [4, 4], s: [3, 1] },     // windows mostly in padding
  { n: 3, c: 2, h: 4, w: 4, oc: 3, kh: 3, kw: 3, s: [5, 5] },                // stride beyond the kernel
  { n: 2, c: 3, h: 9, w: 37, oc: 4, kh: 2, kw: 3 },                          // rows of 35: three 16-float chunks
  { n: 2, c: 2, h: 11, w: 6, oc: 3, kh: 3, kw: 2, s: [2, 1], d: [1, 2] },    // stride 1 across, 2 down, dilated
  // Stride 1, undilated, ungrouped, batch >= threads: the input gradient runs as a forward
  // convolution of gy with the flipped, transposed weights (padding k-1-p).
  { n: 4, c: 5, h: 7, w: 9, oc: 6, kh: 3, kw: 5, p: [0, 2] },                // asymmetric padding
  { n: 3, c: 3, h: 6, w: 6, oc: 4, kh: 3, kw: 3, p: [2, 2] },                // padding k-1: unpadded transposed conv
  { n: 2, c: 4, h: 5, w: 8, oc: 3, kh: 1, kw: 3, p: [0, 1] },                // a 1x3 window
  { n: 2, c: 70, h: 6, w: 6, oc: 40, kh: 3, kw: 3, p: [1, 1] },              // depth 360 in the transposed conv: two KC blocks
];

test('native conv2d: forward, input gradient and weight gradient match the reference', { skip }, () => {
  let seed = 1;
  for (const cs of CONVS) {
    const g = convSpecGeometry(cs);
    const xs = g.n * g.c * g.h * g.w, ws = g.oc * (g.c / g.groups) * g.kh * g.kw, ys = g.n * g.oc * g.oh * g.ow;
    const x = randomArray(xs, seed++), w = randomArray(ws, seed++), gy = randomArray(ys, seed++);
    const what = JSON.stringify(cs);
    const k = (g.c / g.groups) * g.kh * g.kw;
    const ye = new Float32Array(ys), yg = new Float32Array(ys).fill(NaN);
    JS.conv2d(x, w, ye, g);
    native!.conv2d(x, w, yg, g);
    expectClose(yg, ye, 2e-6 * Math.sqrt(k), 1e-5, `conv2d ${what}`);
    const gxe = new Float32Array(xs), gxg = new Float32Array(xs).fill(NaN);
    JS.conv2dBackwardInput(gy, w, gxe, g);
    native!.conv2dBackwardInput(gy, w, gxg, g);
    expectClose(gxg, gxe, 2e-6 * Math.sqrt(g.oc * g.kh * g.kw), 1e-5, `conv2dBackwardInput ${what}`);
    const gwe = new Float32Array(ws), gwg = new Float32Array(ws).fill(NaN);
    JS.conv2dBackwardWeight(x, gy, gwe, g);
    native!.conv2dBackwardWeight(x, gy, gwg, g);
    expectClose(gwg, gwe, 2e-6 * Math.sqrt(g.n * g.oh * g.ow), 1e-5, `conv2dBackwardWeight ${what}`);
  }
});

test('native conv2d: inconsistent geometry and short arrays throw', { skip }, () => {
  const g = convSpecGeometry({ n: 1, c: 2, h: 5, w: 5, oc: 2, kh: 3, kw: 3 });
  const x = new Float32Array(50), w = new Float32Array(36), y = new Float32Array(18);
  assert.throws(() => native!.conv2d(x, w, new Float32Array(17), g), RangeError);
  assert.throws(() => native!.conv2d(x, w, y, { ...g, groups: 3 }), RangeError);
  assert.throws(() => native!.conv2d(x, w, y, { ...g, oh: 9 }), RangeError);
});

interface PoolCase { n: number; c: number; h: number; w: number; k: [number, number]; s?: [number, number];
  p?: [number, number]; ceil?: boolean; includePad?: boolean }

function poolGeometry(cs: PoolCase): Pool2dGeometry {
  const [kh, kw] = cs.k, [strideH, strideW] = cs.s ?? cs.k, [padH, padW] = cs.p ?? [0, 0];
  const out = (size: number, k: number, s: number, p: number): number => {
    const span = size + 2 * p - k;
    let o = (cs.ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (cs.ceil && (o - 1) * s >= size + p) o--; // PyTorch: the last window must start inside
    return o;
  };
  return { n: cs.n, c: cs.c, h: cs.h, w: cs.w, kh, kw, strideH, strideW, padH, padW,
    oh: out(cs.h, kh, strideH, padH), ow: out(cs.w, kw, strideW, padW), countIncludePad: cs.includePad ?? true };
}

const POOLS: PoolCase[] = [
  { n: 4, c: 32, h: 28, w: 28, k: [2, 2] },                          // MNIST (fast 2x2 path)
  { n: 2, c: 3, h: 7, w: 9, k: [2, 2] },                             // odd sizes: last row/col dropped
  { n: 2, c: 3, h: 7, w: 9, k: [3, 3], s: [2, 2], p: [1, 1] },
  { n: 1, c: 2, h: 5, w: 6, k: [3, 2], s: [1, 2], p: [1, 1], includePad: false },
  { n: 2, c: 2, h: 7, w: 7, k: [3, 3], s: [2, 2], ceil: true, includePad: false },
  { n: 2, c: 2, h: 6, w: 6, k: [2, 2], s: [2, 2], p: [1, 1], ceil: true },
  { n: 1, c: 1, h: 1, w: 1, k: [1, 1] },
  { n: 64, c: 64, h: 14, w: 14, k: [2, 2] },                         // MNIST second pool, threaded
];

test('native pooling: max (with indices) and avg, forward and backward, with padding and NaN', { skip }, () => {
  let seed = 500;
  for (const cs of POOLS) {
    const g = poolGeometry(cs);
    const xs = g.n * g.c * g.h * g.w, ys = g.n * g.c * g.oh * g.ow;
    const x = randomArray(xs, seed++);
    const r = testRandom(seed++);
    for (let i = 0; i < xs; i++) {
      x[i] = Math.round(x[i] * 4) / 4; // ties
      if (r() < 0.02) x[i] = NaN;
    }
    const gy = randomArray(ys, seed++);
    const what = JSON.stringify(cs);
    const ye = new Float32Array(ys), yg = new Float32Array(ys);
    const ie = new Int32Array(ys), ig = new Int32Array(ys);
    JS.maxPool2d(x, ye, ie, g);
    native!.maxPool2d(x, yg, ig, g);
    expectClose(yg, ye, 0, 0, `maxPool2d ${what}`);
    assert.deepEqual(ig, ie, `maxPool2d indices ${what}`);
    const gxe = new Float32Array(xs), gxg = new Float32Array(xs).fill(NaN);
    JS.maxPool2dBackward(gy, ie, gxe, g);
    native!.maxPool2dBackward(gy, ig, gxg, g);
    expectClose(gxg, gxe, 1e-6, 1e-6, `maxPool2dBackward ${what}`);
    for (const includePad of [true, false]) {
      const ga = { ...g, countIncludePad: includePad };
      const ae = new Float32Array(ys), ag = new Float32Array(ys);
      JS.avgPool2d(x, ae, ga);
      native!.avgPool2d(x, ag, ga);
      expectClose(ag, ae, 1e-6, 1e-6, `avgPool2d includePad=${includePad} ${what}`);
      const bxe = new Float32Array(xs), bxg = new Float32Array(xs).fill(NaN);
      JS.avgPool2dBackward(gy, bxe, ga);
      native!.avgPool2dBackward(gy, bxg, ga);
      expectClose(bxg, bxe, 1e-6, 1e-6, `avgPool2dBackward includePad=${includePad} ${what}`);
    }
  }
});
