import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool2dGeometry } from '../../src/backend/backend.js';
import { jsBackend as B } from '../../src/backend/js/index.js';
import { expectClose, randomArray } from '../helpers.js';

interface Spec { n: number; c: number; h: number; w: number; k: [number, number]; s?: [number, number]; p?: [number, number]; ceil?: boolean; includePad?: boolean }

function outSize(size: number, k: number, s: number, p: number, ceil: boolean): number {
  let o = (ceil ? Math.ceil((size + 2 * p - k) / s) : Math.floor((size + 2 * p - k) / s)) + 1;
  if (ceil && (o - 1) * s >= size + p) o--; // PyTorch: the last window must start inside the input or left padding
  return o;
}

function geometry(sp: Spec): Pool2dGeometry {
  const [kh, kw] = sp.k;
  const [strideH, strideW] = sp.s ?? sp.k;
  const [padH, padW] = sp.p ?? [0, 0];
  return {
    n: sp.n, c: sp.c, h: sp.h, w: sp.w, kh, kw, strideH, strideW, padH, padW,
    oh: outSize(sp.h, kh, strideH, padH, sp.ceil ?? false), ow: outSize(sp.w, kw, strideW, padW, sp.ceil ?? false),
    countIncludePad: sp.includePad ?? true,
  };
}

/** Calls visit(plane, outIndex, positions) with the in-image flat h*w positions of each window, row-major. */
function forEachWindow(g: Pool2dGeometry, visit: (plane: number, o: number, pos: number[], padded: number) => void): void {
  for (let pl = 0; pl < g.n * g.c; pl++) {
    for (let oy = 0; oy < g.oh; oy++) {
      for (let ox = 0; ox < g.ow; ox++) {
        const pos: number[] = [];
        let padded = 0; // window cells inside the zero-padded input [-pad, size + pad)
        for (let ki = 0; ki < g.kh; ki++) {
          for (let kj = 0; kj < g.kw; kj++) {
            const iy = oy * g.strideH - g.padH + ki, ix = ox * g.strideW - g.padW + kj;
            if (iy < g.h + g.padH && ix < g.w + g.padW) padded++;
            if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) pos.push(iy * g.w + ix);
          }
        }
        visit(pl, (pl * g.oh + oy) * g.ow + ox, pos, padded);
      }
    }
  }
}

const SPECS: Spec[] = [
  { n: 1, c: 1, h: 4, w: 4, k: [2, 2] },
  { n: 2, c: 3, h: 7, w: 5, k: [2, 2] }, // odd sizes drop the last row/column
  { n: 1, c: 2, h: 6, w: 7, k: [3, 3], s: [2, 2], p: [1, 1] },
  { n: 2, c: 1, h: 5, w: 9, k: [3, 2], s: [1, 3], p: [1, 1] },
  { n: 1, c: 2, h: 7, w: 7, k: [3, 3], s: [2, 2], ceil: true },
  { n: 1, c: 1, h: 6, w: 8, k: [3, 3], s: [2, 2], p: [1, 1], ceil: true },
  { n: 1, c: 1, h: 5, w: 5, k: [5, 5], s: [1, 1], p: [2, 2] },
  { n: 3, c: 2, h: 1, w: 6, k: [1, 3], s: [1, 1], p: [0, 1] },
  { n: 1, c: 1, h: 9, w: 9, k: [2, 2], s: [3, 3] }, // stride > kernel
];

test('maxPool2d values and PyTorch indices match a reference, including padding', () => {
  let seed = 1;
  for (const sp of SPECS) {
    const g = geometry(sp);
    const x = randomArray(g.n * g.c * g.h * g.w, seed++).map((v) => Math.round(v * 3)); // many ties
    const out = new Float32Array(g.n * g.c * g.oh * g.ow), idx = new Int32Array(out.length);
    B.maxPool2d(x, out, idx, g);
    forEachWindow(g, (pl, o, pos) => {
      let best = -Infinity, bi = pos[0];
      for (const p of pos) if (x[pl * g.h * g.w + p] > best) { best = x[pl * g.h * g.w + p]; bi = p; }
      assert.equal(out[o], best, `max ${JSON.stringify(sp)} out ${o}`);
      assert.equal(idx[o], bi, `argmax ${JSON.stringify(sp)} out ${o}`);
    });
    // Backward scatters each gradient to its argmax, summing where windows share one.
    const gy = randomArray(out.length, seed++);
    const gx = new Float32Array(x.length).fill(NaN);
    B.maxPool2dBackward(gy, idx, gx, g);
    const want = new Float64Array(x.length);
    for (let o = 0; o < out.length; o++) want[Math.floor(o / (g.oh * g.ow)) * g.h * g.w + idx[o]] += gy[o];
    expectClose(gx, want, 1e-6, 1e-6, `maxPool2dBackward ${JSON.stringify(sp)}`);
  }
});

test('maxPool2d: padding never wins, NaN is taken, all -Infinity picks the first in-image cell', () => {
  // 2x2 input of negatives, 2x2 window, stride 1, padding 1: 3x3 outputs.
  const g = geometry({ n: 1, c: 1, h: 2, w: 2, k: [2, 2], s: [1, 1], p: [1, 1] });
  const out = new Float32Array(9), idx = new Int32Array(9);
  B.maxPool2d(Float32Array.from([-4, -3, -2, -1]), out, idx, g);
  assert.deepEqual(Array.from(out), [-4, -3, -3, -2, -1, -1, -2, -1, -1]);
  assert.deepEqual(Array.from(idx), [0, 1, 1, 2, 3, 3, 2, 3, 3]);

  B.maxPool2d(Float32Array.from([-Infinity, -Infinity, -Infinity, -Infinity]), out, idx, g);
  assert.ok(Array.from(out).every((v) => v === -Infinity));
  assert.deepEqual(Array.from(idx), [0, 0, 1, 0, 0, 1, 2, 2, 3]);

  // A NaN wins its windows (the last NaN seen in a window, as in PyTorch's kernel).
  const g2 = geometry({ n: 1, c: 1, h: 2, w: 4, k: [2, 2] });
  const out2 = new Float32Array(2), idx2 = new Int32Array(2);
  B.maxPool2d(Float32Array.from([NaN, 9, 1, 2, 5, NaN, 3, 4]), out2, idx2, g2);
  assert.ok(Number.isNaN(out2[0]));
  assert.equal(idx2[0], 5);
  assert.equal(out2[1], 4);
  assert.equal(idx2[1], 7);
});

test('avgPool2d with and without count_include_pad matches the reference, forward and backward', () => {
  let seed = 100;
  for (const sp of SPECS) {
    for (const includePad of [true, false]) {
      const g = geometry({ ...sp, includePad });
      const x = randomArray(g.n * g.c * g.h * g.w, seed++);
      const out = new Float32Array(g.n * g.c * g.oh * g.ow).fill(NaN);
      B.avgPool2d(x, out, g);
      const gy = randomArray(out.length, seed++);
      const want = new Float64Array(out.length), wantGx = new Float64Array(x.length);
      forEachWindow(g, (pl, o, pos, padded) => {
        const div = includePad ? padded : pos.length;
        let s = 0;
        for (const p of pos) { s += x[pl * g.h * g.w + p]; wantGx[pl * g.h * g.w + p] += gy[o] / div; }
        want[o] = s / div;
      });
      const what = `avgPool2d ${JSON.stringify(sp)} includePad=${includePad}`;
      expectClose(out, want, 1e-6, 1e-5, what);
      const gx = new Float32Array(x.length).fill(NaN);
      B.avgPool2dBackward(gy, gx, g);
      expectClose(gx, wantGx, 1e-6, 1e-5, `${what} backward`);
    }
  }
});

test('avgPool2d divisors at padded borders (hand-computed)', () => {
  // 3x3 input 1..9, kernel 2, stride 2, padding 1 -> 2x2 output.
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const out = new Float32Array(4);
  B.avgPool2d(x, out, geometry({ n: 1, c: 1, h: 3, w: 3, k: [2, 2], p: [1, 1], includePad: true }));
  assert.deepEqual(Array.from(out), [0.25, 1.25, 2.75, 7]);
  B.avgPool2d(x, out, geometry({ n: 1, c: 1, h: 3, w: 3, k: [2, 2], p: [1, 1], includePad: false }));
  assert.deepEqual(Array.from(out), [1, 2.5, 5.5, 7]);
  // ceil_mode: 4x4 input, kernel 3, stride 2, padding 1 -> 3x3 output; the last window row/column
  // hangs past the right padding, so even count_include_pad divides by the part inside [-1, 5).
  const x4 = Float32Array.from({ length: 16 }, (_, i) => i + 1);
  const g = geometry({ n: 1, c: 1, h: 4, w: 4, k: [3, 3], s: [2, 2], p: [1, 1], ceil: true, includePad: true });
  assert.equal(g.oh, 3);
  const out9 = new Float32Array(9);
  B.avgPool2d(x4, out9, g);
  // Corner window covers rows/cols 3..5: in-image only (3,3) = 16; inside the padded input rows/cols 3..4 -> 4 cells.
  assert.equal(out9[8], 16 / 4);
  // Top-left window rows/cols -1..1: in-image cells 1,2,5,6 sum 14 over 9 padded cells.
  assert.equal(out9[0], Math.fround(14 / 9));
  const gx = new Float32Array(16);
  B.avgPool2dBackward(Float32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 8]), gx, g);
  assert.equal(gx[15], 2);
  assert.equal(gx.reduce((p, v) => p + v, 0), 2);
});
