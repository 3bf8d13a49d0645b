// The kernels behind conv2d's bias: channelSum (its gradient) exactly on a small case and
// native against the reference; conv2d's fused bias add against conv-then-add.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conv2dGeometry } from '../../src/backend/backend.js';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { expectClose, randomArray } from '../helpers.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

test('channelSum sums over the batch and the inner positions of each channel', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const out = new Float32Array(2);
  JS.channelSum(x, out, 2, 2, 3);
  assert.deepEqual(Array.from(out), [1 + 2 + 3 + 7 + 8 + 9, 4 + 5 + 6 + 10 + 11 + 12]);
});

const SHAPES: [number, number, number][] = [[64, 32, 784], [64, 64, 196], [3, 5, 17], [1, 1, 1], [2, 7, 33]];

test('native channelSum agrees with the reference', { skip }, () => {
  let seed = 7;
  for (const [n, c, inner] of SHAPES) {
    const x = randomArray(n * c * inner, seed++, -2, 2);
    const sWant = new Float32Array(c), sGot = new Float32Array(c);
    JS.channelSum(x, sWant, n, c, inner);
    native!.channelSum(x, sGot, n, c, inner);
    expectClose(sGot, sWant, 1e-4, 1e-5, `channelSum [${n}, ${c}, ${inner}]`);
  }
});

const GEOM: Conv2dGeometry = { n: 3, c: 2, h: 6, w: 5, oc: 4, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1,
  dilationH: 1, dilationW: 1, groups: 1, oh: 6, ow: 5 };

for (const [name, be] of [['js', JS], ['native', native]] as const) {
  test(`${name} conv2d with a bias equals the convolution plus bias[oc] on every output`, { skip: be ? false : skip }, () => {
    const g = GEOM;
    const x = randomArray(g.n * g.c * g.h * g.w, 31), w = randomArray(g.oc * g.c * 9, 32), bias = Float32Array.from([0.5, -2, 3, 0]);
    const plain = new Float32Array(g.n * g.oc * g.oh * g.ow), biased = new Float32Array(plain.length);
    be!.conv2d(x, w, plain, g);
    be!.conv2d(x, w, biased, g, bias);
    const P = g.oh * g.ow;
    const want = Float32Array.from(plain, (v, i) => v + bias[Math.floor(i / P) % g.oc]);
    expectClose(biased, want, 0, 0, `${name} conv2d bias`);
    assert.notEqual(biased[0], plain[0]);
  });
}
