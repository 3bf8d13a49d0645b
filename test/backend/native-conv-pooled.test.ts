// The convolution's gradients under a fused conv -> relu -> 2x2 max pool, computed straight from
// the pooled gradient (conv2dBackwardFromPooled), against the separate ops they replace:
// reluBackward, maxPool2dBackward, then conv2dBackwardInput / conv2dBackwardWeight / channelSum, bit for bit,
// on every instruction set and on 1 and 2 threads; and the geometries it must decline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Conv2dGeometry } from '../../src/backend/backend.js';
import { loadNativeBackend, loadNativeAddon } from '../../src/backend/native.js';
import { expectBits, randomArray, convSpecGeometry, type ConvSpec } from '../helpers.js';
import { rerunPerIsaAndThreads } from './isa-children.js';

const native = loadNativeBackend();
const addon = loadNativeAddon();
const skip = native === null || !native.conv2dBackwardFromPooled ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

const CASES: ConvSpec[] = [
  { n: 6, c: 1, h: 28, w: 28, oc: 8, kh: 3, kw: 3, p: [1, 1] },     // a first layer: direct weight gradient
  { n: 4, c: 32, h: 14, w: 14, oc: 16, kh: 3, kw: 3, p: [1, 1] },   // MNIST conv2-like: GEMM weight gradient
  { n: 3, c: 3, h: 7, w: 9, oc: 5, kh: 3, kw: 3, p: [1, 1] },       // odd output: last row and column never picked
  { n: 2, c: 4, h: 8, w: 6, oc: 3, kh: 3, kw: 2, p: [0, 1] },       // unequal window and padding
];

interface Grads { gx: Float32Array; gw: Float32Array; gb: Float32Array }

/** The fused forward's pooled output and indices. */
function forward(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array): { out: Float32Array; idx: Int32Array } {
  const n = g.n * g.oc * Math.floor(g.oh / 2) * Math.floor(g.ow / 2);
  const out = new Float32Array(n), idx = new Int32Array(n);
  native!.conv2dReluMaxPool2x2!(x, w, bias, out, idx, g);
  return { out, idx };
}

function forwardIndices(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array): Int32Array {
  return forward(g, x, w, bias).idx;
}

function separate(g: Conv2dGeometry, gp: Float32Array, idx: Int32Array, x: Float32Array, w: Float32Array): Grads {
  const nb = native!;
  const ph = Math.floor(g.oh / 2), pw = Math.floor(g.ow / 2), ohw = g.oh * g.ow;
  const gy = new Float32Array(g.n * g.oc * ohw);
  nb.maxPool2dBackward(gp, idx, gy, { n: g.n, c: g.oc, h: g.oh, w: g.ow, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, oh: ph, ow: pw, countIncludePad: true });
  const gx = new Float32Array(x.length), gw = new Float32Array(w.length), gb = new Float32Array(g.oc);
  nb.conv2dBackwardInput(gy, w, gx, g);
  nb.conv2dBackwardWeight(x, gy, gw, g);
  nb.channelSum(gy, gb, g.n, g.oc, ohw);
  return { gx, gw, gb };
}

test('conv2dBackwardFromPooled: input, weight and bias gradients bit-identical to the separate ops', { skip }, () => {
  const nb = native!;
  let seed = 7100;
  for (const cs of CASES) {
    const g = convSpecGeometry(cs);
    if (g.n < addon!.threads()) continue;
    const x = randomArray(g.n * g.c * g.h * g.w, seed++), w = randomArray(g.oc * g.c * g.kh * g.kw, seed++);
    const bias = randomArray(g.oc, seed++);
    const { out, idx } = forward(g, x, w, bias);
    const gp = randomArray(idx.length, seed++);
    const want = separate(g, gp, idx, x, w);
    const what = `${JSON.stringify(cs)} on ${nb.describe()}`;
    // relu's gate inside (act = the pooled output) equals the reluBackward op, then the rest.
    const gated = new Float32Array(gp.length);
    nb.binary('reluBackward', gp, [1], out, [1], gated, [gp.length]);
    assert.ok(gated.some((v, i) => v === 0 && gp[i] !== 0), 'the gate zeroes something');
    const wantGated = separate(g, gated, idx, x, w);
    const gotGated = { gx: new Float32Array(x.length), gw: new Float32Array(w.length), gb: new Float32Array(g.oc) };
    assert.equal(nb.conv2dBackwardFromPooled!(gp, idx, out, x, w, gotGated.gx, gotGated.gw, gotGated.gb, g), true);
    expectBits(gotGated.gx, wantGated.gx, `gated gx ${what}`);
    expectBits(gotGated.gw, wantGated.gw, `gated gw ${what}`);
    expectBits(gotGated.gb, wantGated.gb, `gated gb ${what}`);
    // Every subset of the three gradients: the ones not asked for are not computed.
    for (const mask of [7, 6, 5, 3, 2, 1]) {
      const gx = mask & 4 ? new Float32Array(x.length).fill(NaN) : null;
      const gw = mask & 2 ? new Float32Array(w.length).fill(NaN) : null;
      const gb = mask & 1 ? new Float32Array(g.oc).fill(NaN) : null;
      assert.equal(nb.conv2dBackwardFromPooled!(gp, idx, null, x, w, gx, gw, gb, g), true, `ran ${what}`);
      if (gx) expectBits(gx, want.gx, `gx (mask ${mask}) ${what}`);
      if (gw) expectBits(gw, want.gw, `gw (mask ${mask}) ${what}`);
      if (gb) expectBits(gb, want.gb, `gb (mask ${mask}) ${what}`);
    }
  }
});

test('conv2dBackwardFromPooled declines what needs the separate ops, writing nothing; bad input is an error', { skip }, () => {
  const nb = native!, threads = addon!.threads();
  const decline = (cs: ConvSpec, wantGx: boolean, why: string): void => {
    const g = convSpecGeometry(cs);
    const x = randomArray(g.n * g.c * g.h * g.w, 1), w = randomArray(g.oc * (g.c / g.groups) * g.kh * g.kw, 2);
    const ps = g.n * g.oc * Math.floor(g.oh / 2) * Math.floor(g.ow / 2);
    const gx = wantGx ? new Float32Array(x.length).fill(7) : null, gw = new Float32Array(w.length).fill(7);
    assert.equal(nb.conv2dBackwardFromPooled!(randomArray(ps, 3), new Int32Array(ps), null, x, w, gx, gw, null, g), false, why);
    assert.ok(gw.every((v) => v === 7) && (gx === null || gx.every((v) => v === 7)), `${why}: something was written`);
  };
  decline({ n: 4, c: 4, h: 8, w: 8, oc: 4, kh: 3, kw: 3, p: [1, 1], groups: 2 }, false, 'groups');
  decline({ n: 4, c: 3, h: 9, w: 9, oc: 4, kh: 3, kw: 3, s: [2, 2], p: [1, 1] }, true, 'a stride-2 input gradient');
  if (threads > 1) decline({ n: 1, c: 3, h: 8, w: 8, oc: 4, kh: 3, kw: 3, p: [1, 1] }, true, 'fewer images than threads');
  // A stride-2 convolution without the input gradient runs (the weight gradient does not care).
  const g = convSpecGeometry({ n: 4, c: 3, h: 9, w: 9, oc: 4, kh: 3, kw: 3, s: [2, 2], p: [1, 1] });
  const x = randomArray(g.n * g.c * g.h * g.w, 5), w = randomArray(g.oc * g.c * 9, 6), bias = randomArray(g.oc, 7);
  const idx = forwardIndices(g, x, w, bias), gp = randomArray(idx.length, 8);
  const gw = new Float32Array(w.length);
  assert.equal(nb.conv2dBackwardFromPooled!(gp, idx, null, x, w, null, gw, null, g), true);
  expectBits(gw, separate(g, gp, idx, x, w).gw, 'stride-2 weight gradient');
  // An index outside its plane is refused before anything runs.
  const bad = idx.slice();
  bad[3] = g.oh * g.ow;
  assert.throws(() => nb.conv2dBackwardFromPooled!(gp, bad, null, x, w, null, gw, null, g), /index out of range/);
  bad[3] = idx[3];
  bad[bad.length - 1] = -1;  // the last one, negative
  assert.throws(() => nb.conv2dBackwardFromPooled!(gp, bad, null, x, w, null, gw, null, g), /index out of range/);
  assert.throws(() => nb.conv2dBackwardFromPooled!(gp.subarray(1), idx, null, x, w, null, gw, null, g), /too short/);
});

test('conv2dBackwardFromPooled: bit-identical on every instruction set, on 1 and 2 threads', {
  skip: skip || (process.env.CONV_POOLED_CHILD ? 'child process' : false),
}, () => {
  rerunPerIsaAndThreads(fileURLToPath(import.meta.url), 'CONV_POOLED_CHILD', native!.describe(), 2);
});
