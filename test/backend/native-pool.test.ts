// The native 2x2/stride-2 max pool (native/pool_2x2_kernels.h: AVX2 intrinsics forward, a
// one-pass backward) bit for bit against the scalar code it replaced, kept here as the
// reference: the forward's rule (best = top-left, then top-right, bottom-left, bottom-right each
// taken if greater or NaN; the flat index in the plane) and the backward's zero-then-scatter-add
// (every input 0, or 0 + gy: -0 becomes +0, a signalling NaN is quieted; indices that are not
// in their window take the scatter path). Also through the public API against the js backend
// (the oracle): F.maxPool2d forward and backward, and nn.sequential(conv2d, relu, maxPool2d),
// which the native backend fuses. Every instruction set this CPU runs, on one and two threads
// (child processes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Backend, Pool2dGeometry } from '../../src/backend/backend.js';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { setBackend, backend } from '../../src/backend/registry.js';
import * as F from '../../src/ops/functional.js';
import * as nn from '../../src/nn/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { manualSeed } from '../../src/tensor/random.js';
import { expectBits, testRandom } from '../helpers.js';
import { rerunPerIsaAndThreads } from './isa-children.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

// Special values as bit patterns: quiet NaN, a signalling NaN and a negative NaN with payloads
// (the forward must pick the very NaN the scalar rule picks), infinities, both zeros.
const SPECIAL_BITS = [0x7fc00000, 0x7fa00123, 0xffc00456, 0x7f800000, 0xff800000, 0x00000000, 0x80000000];

/** Values on a grid of quarters (ties) with the special ones mixed in at the given rate. */
function inputs(n: number, seed: number, rate = 0.2): Float32Array {
  const r = testRandom(seed);
  const x = new Float32Array(n), b = bitsOf(x);
  for (let i = 0; i < n; i++) {
    if (r() < rate) b[i] = SPECIAL_BITS[Math.floor(r() * SPECIAL_BITS.length)];
    else x[i] = Math.round((r() * 4 - 2) * 4) / 4;
  }
  return x;
}

function geometry(n: number, c: number, h: number, w: number): Pool2dGeometry {
  return { n, c, h, w, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
    oh: Math.floor(h / 2), ow: Math.floor(w / 2), countIncludePad: true };
}

/** The old native scalar forward: indices, and the values as the bits of the chosen inputs. */
function referenceForward(x: Float32Array, g: Pool2dGeometry): { out: Float32Array; idx: Int32Array } {
  const planes = g.n * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
  const out = new Float32Array(planes * ohw), idx = new Int32Array(planes * ohw);
  const xb = bitsOf(x), ob = bitsOf(out);
  for (let p = 0; p < planes; p++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++) {
        const base = 2 * oy * g.w + 2 * ox;
        let best = x[p * hw + base], bi = base;
        for (const off of [1, g.w, g.w + 1]) {
          const v = x[p * hw + base + off];
          if (v > best || v !== v) { best = v; bi = base + off; }
        }
        const o = p * ohw + oy * g.ow + ox;
        idx[o] = bi;
        ob[o] = xb[p * hw + bi];
      }
  return { out, idx };
}

/** 0 + v in float32, as bits (x86 and ARM alike): -0 gives +0, a NaN comes back quiet. */
function plusZeroBits(b: number): number {
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return (b | 0x400000) >>> 0;
  return b === 0x80000000 ? 0 : b;
}

/** The old native backward: zero each plane, then gx[idx] += gy in order (float32 sums). */
function referenceBackward(gy: Float32Array, idx: Int32Array, g: Pool2dGeometry): Float32Array {
  const planes = g.n * g.c, hw = g.h * g.w, ohw = g.oh * g.ow;
  const gx = new Float32Array(planes * hw), gxb = bitsOf(gx), gyb = bitsOf(gy);
  const hits = new Uint8Array(planes * hw);
  for (let p = 0; p < planes; p++)
    for (let o = 0; o < ohw; o++) {
      const at = p * hw + idx[p * ohw + o];
      if (hits[at]++ === 0) gxb[at] = plusZeroBits(gyb[p * ohw + o]);
      else gx[at] = Math.fround(gx[at] + gy[p * ohw + o]);  // (the cases keep NaN out of repeated hits)
    }
  return gx;
}


// (n, c) pairs: 1 to 70 planes, batch 1 and batch > threads.
const PLANES: Array<[number, number]> = [[1, 1], [1, 3], [2, 1], [1, 64], [2, 35], [7, 10]];

function checkGeometry(nb: Backend, g: Pool2dGeometry, seed: number): void {
  const what = `${g.n}x${g.c}x${g.h}x${g.w} on ${nb.describe()}`;
  const x = inputs(g.n * g.c * g.h * g.w, seed);
  const want = referenceForward(x, g);
  const out = new Float32Array(want.out.length).fill(7), idx = new Int32Array(want.idx.length).fill(-1);
  nb.maxPool2d(x, out, idx, g);
  expectBits(out, want.out, `maxPool2d ${what}`);
  expectBits(idx, want.idx, `maxPool2d indices ${what}`);
  const jsOut = new Float32Array(out.length), jsIdx = new Int32Array(idx.length);
  JS.maxPool2d(x, jsOut, jsIdx, g);
  expectBits(out, jsOut, `maxPool2d vs js ${what}`, true);
  expectBits(idx, jsIdx, `maxPool2d indices vs js ${what}`);

  const gy = inputs(out.length, seed + 1, 0.3);
  const gx = new Float32Array(x.length).fill(7);
  nb.maxPool2dBackward(gy, idx, gx, g);
  expectBits(gx, referenceBackward(gy, idx, g), `maxPool2dBackward ${what}`);
  const jsGx = new Float32Array(x.length);
  JS.maxPool2dBackward(gy, idx, jsGx, g);
  expectBits(gx, jsGx, `maxPool2dBackward vs js ${what}`, true);

  // Indices that are not the forward's: one moved to the neighbouring window (when there is
  // one), where it collides with that window's pick, and one moved inside its own window; the
  // planes with a stray index take the scatter path, the others the one-pass path.
  const moved = Int32Array.from(idx);
  const r = testRandom(seed + 2);
  const gyFinite = Float32Array.from(gy, (v) => (Number.isNaN(v) ? 1.5 : v));
  for (let k = 0; k < 3; k++) {
    const o = Math.floor(r() * moved.length);
    const ox = o % g.ow;
    if (k === 0 && ox + 1 < g.ow) moved[o] = moved[o + 1];
    else moved[o] = moved[o] - (moved[o] % 2) + ((moved[o] + 1) % 2);  // the other column of its window
  }
  const gx2 = new Float32Array(x.length).fill(7);
  nb.maxPool2dBackward(gyFinite, moved, gx2, g);
  expectBits(gx2, referenceBackward(gyFinite, moved, g), `maxPool2dBackward, moved indices ${what}`);
}

test('native 2x2 max pool: forward values and indices, backward, bit-identical to the scalar code', { skip }, () => {
  const nb = native!;
  const want = process.env.POOL_CHILD ? `native (${process.env.TRADECRAFT_ISA}, ${process.env.TRADECRAFT_THREADS} thread` : 'native';
  assert.ok(nb.describe().startsWith(want), `runs on ${nb.describe()}, asked for ${want}`);
  let seed = 9000;
  for (let ow = 1; ow <= 20; ow++)
    for (const oh of [1, 2, 3, 5])
      for (const oddH of [0, 1])
        for (const oddW of [0, 1]) {
          const [n, c] = PLANES[(ow + oh + oddH + 2 * oddW) % PLANES.length];
          checkGeometry(nb, geometry(n, c, 2 * oh + oddH, 2 * ow + oddW), seed);
          seed += 3;
        }
  for (const [n, c] of PLANES) checkGeometry(nb, geometry(n, c, 14, 14), seed += 3);
  checkGeometry(nb, geometry(64, 64, 14, 14), seed += 3);  // the benchmark CNN's second pool
  checkGeometry(nb, geometry(64, 32, 28, 28), seed += 3);  // and its first
});

// ---- the public API, native against js --------------------------------------------------

function withBackend<T>(b: Backend, f: () => T): T {
  const before = backend();
  setBackend(b);
  try {
    return f();
  } finally {
    setBackend(before);
  }
}

test('F.maxPool2d forward and backward on the native backend equal the js backend bit for bit', { skip }, () => {
  let seed = 9500;
  for (const [n, c, h, w] of [[2, 3, 14, 14], [1, 5, 7, 9], [3, 2, 28, 28], [1, 70, 5, 31], [4, 64, 14, 14]]) {
    const x0 = inputs(n * c * h * w, seed++);
    const gy0 = inputs(n * c * Math.floor(h / 2) * Math.floor(w / 2), seed++, 0.1);
    const run = (b: Backend): Float32Array[] => withBackend(b, () => {
      const x = new Tensor(Float32Array.from(x0), [n, c, h, w]).requiresGrad_();
      const y = F.maxPool2d(x, 2);
      y.backward(new Tensor(Float32Array.from(gy0), y.shape));
      return [y.f32, x.grad!.f32];
    });
    const [yn, gn] = run(native!), [yj, gj] = run(JS);
    const what = `${n}x${c}x${h}x${w}`;
    expectBits(yn, yj, `maxPool2d ${what}`, true);
    expectBits(gn, gj, `maxPool2d gradient ${what}`, true);
  }
});

// Small integers (and quarters) for inputs, weights and gradients: every product and sum in
// the convolutions is exact, so the two backends' different summation orders give the same
// bits and the comparison isolates the pooling.
function quarters(n: number, seed: number, span: number): Float32Array {
  const r = testRandom(seed);
  return Float32Array.from({ length: n }, () => Math.round((r() * 2 - 1) * span * 4) / 4);
}

test('nn.sequential(conv2d, relu, maxPool2d) on the native backend (fused) equals the js backend bit for bit', { skip }, () => {
  let seed = 9700;
  // c = 32: conv2's GEMM path, pooled by max_pool_2x2 per image; c = 1: the direct path.
  for (const [n, c, oc, hw] of [[3, 32, 16, 14], [2, 32, 8, 13], [2, 8, 8, 20], [3, 1, 32, 28], [1, 32, 64, 14]]) {
    manualSeed(5);
    const m = nn.sequential(nn.conv2d(c, oc, 3, { padding: 1 }), nn.relu(), nn.maxPool2d(2));
    for (const p of m.parameters()) p.f32.set(quarters(p.size, seed++, 1));
    const x0 = quarters(n * c * hw * hw, seed++, 2);
    const p = Math.floor(hw / 2);
    const gy0 = quarters(n * oc * p * p, seed++, 2);
    const run = (b: Backend): { op: string; out: Float32Array[] } => withBackend(b, () => {
      m.zeroGrad();
      const x = new Tensor(Float32Array.from(x0), [n, c, hw, hw]).requiresGrad_();
      const y = m.call(x);
      y.backward(new Tensor(Float32Array.from(gy0), y.shape));
      return { op: y.gradFn!.op, out: [y.f32, x.grad!.f32, ...m.parameters().map((q) => Float32Array.from(q.grad!.f32))] };
    });
    const got = run(native!), want = run(JS);
    assert.equal(got.op, 'conv2d+relu+maxPool2d', 'the native backend runs the fused op');
    const what = `n=${n} c=${c} oc=${oc} ${hw}x${hw}`;
    assert.ok(got.out[0].some((v) => v > 0), `${what}: the pooled output is not trivially zero`);
    got.out.forEach((a, i) => expectBits(a, want.out[i], `${['output', 'input gradient', 'weight gradient', 'bias gradient'][i]} ${what}`));
  }
});

// The parent runs the tests above in children for every instruction set and thread count; the
// children (POOL_CHILD set) run only the tests.
test('native 2x2 max pool: bit-identical on every instruction set, on 1 and 2 threads', {
  skip: skip || (process.env.POOL_CHILD ? 'child process' : false),
}, () => {
  rerunPerIsaAndThreads(fileURLToPath(import.meta.url), 'POOL_CHILD', native!.describe(), 3);
});
