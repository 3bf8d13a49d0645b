// The per-channel bias kernels behind conv2d's bias: exact small cases on the reference
// backend, and the native kernels against it on the MNIST CNN's shapes and ragged ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { expectClose, randomArray } from '../helpers.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

test('channelBias adds bias[c] to every element of channel c, in place too', () => {
  // x viewed as [n=2, c=2, inner=3]
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const out = new Float32Array(12);
  JS.channelBias(x, Float32Array.from([10, -1]), out, 2, 2, 3);
  assert.deepEqual(Array.from(out), [11, 12, 13, 3, 4, 5, 17, 18, 19, 9, 10, 11]);
  JS.channelBias(x, Float32Array.from([0.5, 0.5]), x, 2, 2, 3);
  assert.equal(x[0], 1.5);
  assert.equal(x[11], 12.5);
});

test('channelSum sums over the batch and the inner positions of each channel', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const out = new Float32Array(2);
  JS.channelSum(x, out, 2, 2, 3);
  assert.deepEqual(Array.from(out), [1 + 2 + 3 + 7 + 8 + 9, 4 + 5 + 6 + 10 + 11 + 12]);
});

const SHAPES: [number, number, number][] = [[64, 32, 784], [64, 64, 196], [3, 5, 17], [1, 1, 1], [2, 7, 33]];

test('native channelBias and channelSum agree with the reference', { skip }, () => {
  let seed = 7;
  for (const [n, c, inner] of SHAPES) {
    const x = randomArray(n * c * inner, seed++, -2, 2);
    const bias = randomArray(c, seed++, -1, 1);
    const want = new Float32Array(x.length), got = new Float32Array(x.length);
    JS.channelBias(x, bias, want, n, c, inner);
    native!.channelBias(x, bias, got, n, c, inner);
    expectClose(got, want, 0, 0, `channelBias [${n}, ${c}, ${inner}]`);
    const sWant = new Float32Array(c), sGot = new Float32Array(c);
    JS.channelSum(x, sWant, n, c, inner);
    native!.channelSum(x, sGot, n, c, inner);
    expectClose(sGot, sWant, 1e-4, 1e-5, `channelSum [${n}, ${c}, ${inner}]`);
  }
});
