import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conv2dGeometry } from '../../src/backend/backend.js';
import { jsBackend as B } from '../../src/backend/js/index.js';
import { expectClose, randomArray, convSpecGeometry, type ConvSpec } from '../helpers.js';


/**
 * Visits every (sample, output channel, output pixel, input channel in group, kernel tap) whose
 * input position falls inside the image, handing the flat indices of x, w and y.
 */
function forEachTap(g: Conv2dGeometry, visit: (xi: number, wi: number, yi: number) => void): void {
  const cg = g.c / g.groups, ocg = g.oc / g.groups;
  for (let b = 0; b < g.n; b++) {
    for (let o = 0; o < g.oc; o++) {
      const grp = Math.floor(o / ocg);
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          const yi = ((b * g.oc + o) * g.oh + oy) * g.ow + ox;
          for (let c = 0; c < cg; c++) {
            for (let ki = 0; ki < g.kh; ki++) {
              for (let kj = 0; kj < g.kw; kj++) {
                const iy = oy * g.strideH - g.padH + ki * g.dilationH;
                const ix = ox * g.strideW - g.padW + kj * g.dilationW;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                const xi = ((b * g.c + grp * cg + c) * g.h + iy) * g.w + ix;
                const wi = ((o * cg + c) * g.kh + ki) * g.kw + kj;
                visit(xi, wi, yi);
              }
            }
          }
        }
      }
    }
  }
}

const SPECS: ConvSpec[] = [
  { n: 1, c: 1, h: 5, w: 5, oc: 1, kh: 3, kw: 3 },
  { n: 2, c: 3, h: 7, w: 6, oc: 4, kh: 3, kw: 3, p: [1, 1] },
  { n: 2, c: 3, h: 9, w: 8, oc: 5, kh: 3, kw: 2, s: [2, 3], p: [1, 0] },
  { n: 1, c: 2, h: 11, w: 10, oc: 3, kh: 3, kw: 3, d: [2, 3], p: [2, 1] },
  { n: 2, c: 4, h: 6, w: 7, oc: 6, kh: 3, kw: 3, groups: 2, p: [1, 1] },
  { n: 2, c: 4, h: 8, w: 8, oc: 8, kh: 3, kw: 3, groups: 4, s: [2, 2], p: [1, 1] }, // depthwise x2
  { n: 1, c: 6, h: 9, w: 7, oc: 3, kh: 2, kw: 3, groups: 3, s: [2, 1], p: [1, 2], d: [2, 1] },
  { n: 3, c: 5, h: 4, w: 6, oc: 7, kh: 1, kw: 1 }, // pointwise fast path
  { n: 2, c: 4, h: 5, w: 5, oc: 6, kh: 1, kw: 1, groups: 2 }, // grouped pointwise
  { n: 1, c: 3, h: 7, w: 7, oc: 2, kh: 1, kw: 1, s: [2, 2] }, // 1x1 strided: not the fast path
  { n: 1, c: 2, h: 5, w: 5, oc: 2, kh: 1, kw: 1, p: [1, 1] }, // 1x1 padded
  { n: 1, c: 1, h: 4, w: 4, oc: 1, kh: 4, kw: 4 }, // kernel = image
  { n: 1, c: 1, h: 3, w: 3, oc: 2, kh: 5, kw: 5, p: [2, 2] }, // kernel larger than image
  { n: 2, c: 2, h: 10, w: 9, oc: 3, kh: 2, kw: 2, s: [4, 3] }, // stride > kernel: skipped pixels
  { n: 1, c: 17, h: 12, w: 13, oc: 33, kh: 3, kw: 3, p: [1, 1] }, // GEMM takes the blocked path
];

test('conv2d forward matches a direct convolution across stride/padding/dilation/groups', () => {
  let seed = 1;
  for (const sp of SPECS) {
    const g = convSpecGeometry(sp);
    const x = randomArray(g.n * g.c * g.h * g.w, seed++);
    const w = randomArray(g.oc * (g.c / g.groups) * g.kh * g.kw, seed++);
    const want = new Float64Array(g.n * g.oc * g.oh * g.ow);
    forEachTap(g, (xi, wi, yi) => { want[yi] += x[xi] * w[wi]; });
    const out = new Float32Array(want.length).fill(NaN);
    B.conv2d(x, w, out, g);
    expectClose(out, want, 1e-5, 1e-4, `conv2d ${JSON.stringify(sp)}`);
  }
});

test('conv2d backward input and weight match the direct adjoints', () => {
  let seed = 500;
  for (const sp of SPECS) {
    const g = convSpecGeometry(sp);
    const x = randomArray(g.n * g.c * g.h * g.w, seed++);
    const w = randomArray(g.oc * (g.c / g.groups) * g.kh * g.kw, seed++);
    const gy = randomArray(g.n * g.oc * g.oh * g.ow, seed++);
    const wantGx = new Float64Array(x.length), wantGw = new Float64Array(w.length);
    forEachTap(g, (xi, wi, yi) => { wantGx[xi] += gy[yi] * w[wi]; wantGw[wi] += gy[yi] * x[xi]; });
    // Outputs are documented as overwritten: start them as garbage.
    const gx = new Float32Array(x.length).fill(NaN);
    B.conv2dBackwardInput(gy, w, gx, g);
    expectClose(gx, wantGx, 1e-5, 1e-4, `conv2d grad input ${JSON.stringify(sp)}`);
    const gw = new Float32Array(w.length).fill(NaN);
    B.conv2dBackwardWeight(x, gy, gw, g);
    expectClose(gw, wantGw, 1e-4, 1e-4, `conv2d grad weight ${JSON.stringify(sp)}`);
  }
});

test('conv2d on a hand-computed example', () => {
  // 3x3 input 1..9, 2x2 kernel [[1,0],[0,-1]], padding 1, stride 2: output 2x2.
  const g = convSpecGeometry({ n: 1, c: 1, h: 3, w: 3, oc: 1, kh: 2, kw: 2, s: [2, 2], p: [1, 1] });
  assert.equal(g.oh, 2);
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const w = Float32Array.from([1, 0, 0, -1]);
  const out = new Float32Array(4);
  B.conv2d(x, w, out, g);
  // Windows top-left at (-1,-1), (-1,1), (1,-1), (1,1): x[tl] - x[br] with zeros outside.
  assert.deepEqual(Array.from(out), [0 - 1, 0 - 3, 0 - 7, 5 - 9]);
});
