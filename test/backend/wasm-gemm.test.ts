// The wasm backend's GEMM and convolutions against the TypeScript reference backend: every
// transpose combination over ragged sizes (tile edges 4x8, cache blocks KC=256 / MC=96 /
// NC=1024 / 1536-row chunks), alpha/beta (beta = 0 over NaN), offsets, batches with and without
// broadcast strides, the kernel itself on a hand-packed tile, and the selection by environment.
// It uses the wasm backend object directly, so it runs the same whatever TRADECRAFT_BACKEND is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { wasmBackend as W, wasmAvailable, loadWasmBackend } from '../../src/backend/wasm/index.js';
import { createGemmKernel, gemmKernel } from '../../src/backend/wasm/kernel.js';
import { makeWasmGemm } from '../../src/backend/wasm/gemm.js';
import { packA, packB } from '../../src/backend/wasm/pack.js';
import { packStaged, stage, stagedFloats } from '../../src/backend/wasm/stage.js';
import { expectClose, randomArray, convSpecGeometry, gemmCaseInputs, type ConvSpec, type GemmCase } from '../helpers.js';

const skip = wasmAvailable() ? false : 'WebAssembly SIMD is not available in this engine';


type Gemm = typeof W.gemm;

/** Runs one case through `gemm` and the js gemm on identical inputs; float32 vs float64 accumulation tolerance. */
function runCase(tA: boolean, tB: boolean, cs: GemmCase, seed: number, gemm: Gemm = W.gemm): void {
  const { m, n, k, alpha, beta, batch, sA, sB, sC, aOff, bOff, cOff, a, b, c } = gemmCaseInputs(cs, seed);
  const want = Float32Array.from(c);
  JS.gemm(tA, tB, m, n, k, alpha, a, aOff, b, bOff, beta, want, cOff, batch, sA, sB, sC);
  if (cs.nanC) {
    // beta = 0 overwrites C; the padding between batch entries stays NaN in both.
    for (let t = 0; t < batch; t++) for (let i = 0; i < m * n; i++) assert.ok(!Number.isNaN(want[cOff + t * sC + i]));
  }
  const got = Float32Array.from(c);
  gemm(tA, tB, m, n, k, alpha, a, aOff, b, bOff, beta, got, cOff, batch, sA, sB, sC);
  // Sums of k products of numbers in [-1, 1]: float32 accumulation error grows ~ sqrt(k) * eps * |terms|.
  expectClose(got, want, 2e-6 * Math.sqrt(k + 1), 1e-4, `wasm gemm tA=${tA} tB=${tB} ${JSON.stringify(cs)}`);
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

test('wasm gemm matches the js gemm for every transpose combination over ragged sizes', { skip }, () => {
  let seed = 1;
  for (const [tA, tB] of TRANS) {
    for (const m of [1, 3, 17, 65, 257]) {
      for (const n of [1, 3, 17, 65, 257]) {
        for (const k of [1, 7, 300]) runCase(tA, tB, { m, n, k }, seed += 7);
      }
    }
  }
});

test('wasm gemm crosses every cache block: k > 256, m > 96 and > 1536 (row chunks), n > 1024', { skip }, () => {
  let seed = 1000;
  for (const [tA, tB] of TRANS) {
    runCase(tA, tB, { m: 197, n: 75, k: 777, alpha: 0.5, beta: 1 }, seed++);
    runCase(tA, tB, { m: 9, n: 1100, k: 13 }, seed++);
    runCase(tA, tB, { m: 1601, n: 9, k: 21, beta: -0.25 }, seed++);
  }
  // A long dot product: float32 accumulation still within rtol 1e-4 of the float64 one.
  runCase(false, true, { m: 8, n: 16, k: 3000 }, seed++);
});

test('wasm gemm alpha, beta (beta = 0 over NaN), offsets and degenerate sizes', { skip }, () => {
  let seed = 2000;
  for (const [tA, tB] of TRANS) {
    for (const [alpha, beta] of [[2, 0], [1, 0], [-1, 1], [0.5, 0.75], [1, -2], [0, 0.5], [0, 0]]) {
      runCase(tA, tB, { m: 17, n: 33, k: 19, alpha, beta, pad: 3 }, seed++);
      runCase(tA, tB, { m: 2, n: 3, k: 4, alpha, beta, pad: 5 }, seed++);
    }
    runCase(tA, tB, { m: 35, n: 41, k: 29, beta: 0, nanC: true, pad: 2 }, seed++);
    runCase(tA, tB, { m: 35, n: 41, k: 29, alpha: 3, beta: 0, nanC: true, batch: 3 }, seed++);
    runCase(tA, tB, { m: 5, n: 6, k: 0, beta: 0.5 }, seed++); // k = 0: C = beta C
  }
  // m = 0 or n = 0 touches nothing.
  const c = Float32Array.from([1, 2, 3]);
  W.gemm(false, false, 0, 3, 4, 1, new Float32Array(12), 0, new Float32Array(12), 0, 0, c, 0, 1, 0, 0, 0);
  assert.deepEqual(Array.from(c), [1, 2, 3]);
});

test('wasm gemm batches with strides, offsets and broadcast operands', { skip }, () => {
  let seed = 3000;
  for (const [tA, tB] of TRANS) {
    runCase(tA, tB, { m: 19, n: 23, k: 31, batch: 4, pad: 2, beta: 0.5 }, seed++);
    runCase(tA, tB, { m: 33, n: 12, k: 40, batch: 3, bcastA: true }, seed++);
    runCase(tA, tB, { m: 12, n: 33, k: 40, batch: 3, bcastB: true, alpha: -1.5 }, seed++);
    runCase(tA, tB, { m: 6, n: 5, k: 4, batch: 5 }, seed++); // below the wasm threshold: the js path
  }
});

test('wasm gemm: an operand too large to stage (> 4M floats) is packed in JS with the same result', { skip }, () => {
  let seed = 3500;
  runCase(false, false, { m: 5, n: 2100, k: 2050, beta: 0.5 }, seed++); // k*n > 2^22: B packed in JS, A staged
  runCase(true, true, { m: 2050, n: 3, k: 2100 }, seed++); // m*k > 2^22: A packed in JS
});

test('wasm gemm: padding never picks up neighbouring values (an Inf stays in its own row/column)', { skip }, () => {
  // Depths that are not a multiple of 4 pad the packed operands; if the padding read a
  // neighbouring row's Inf instead of 0, 0 * Inf = NaN would leak into other rows of C.
  for (const [tA, tB] of TRANS) {
    for (const k of [5, 6, 7, 261]) {
      const m = 13, n = 19;
      const a = randomArray(m * k, k), b = randomArray(k * n, k + 1);
      const infRow = 6, infCol = 9;
      for (let p = 0; p < k; p++) {
        a[tA ? p * m + infRow : infRow * k + p] = Infinity;
        b[tB ? infCol * k + p : p * n + infCol] = -Infinity;
      }
      const want = new Float32Array(m * n), got = new Float32Array(m * n).fill(NaN);
      JS.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, want, 0, 1, 0, 0, 0);
      W.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, got, 0, 1, 0, 0, 0);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const e = want[i * n + j], g = got[i * n + j], where = `tA=${tA} tB=${tB} k=${k} C[${i},${j}]`;
          if (i === infRow || j === infCol) assert.ok(Object.is(g, e) || (Number.isNaN(g) && Number.isNaN(e)), `${where}: got ${g}, expected ${e}`);
          else assert.ok(Math.abs(g - e) <= 1e-5 + 1e-4 * Math.abs(e), `${where}: got ${g}, expected ${e}`);
        }
      }
    }
  }
});

test('wasm gemm on exact small integers equals the exact product', { skip }, () => {
  // Integer inputs make every partial sum exact in float32: no tolerance needed.
  const m = 13, n = 21, k = 37;
  const a = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
  const b = Float32Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
  const c = new Float32Array(m * n).fill(NaN);
  W.gemm(false, false, m, n, k, 1, a, 0, b, 0, 0, c, 0, 1, 0, 0, 0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      assert.equal(c[i * n + j], s, `C[${i},${j}]`);
    }
  }
});

test('the wasm macro-kernel on a hand-packed 4x8 tile: overwrite, then accumulate', { skip }, () => {
  const kern = gemmKernel()!;
  const { mr, nv } = kern.shape;
  const nr = 4 * nv;
  const kSteps = 3;
  // Packed A: kSteps x mr at word 0; packed B: kSteps x nr at word 64; C (mr x nr) at word 256.
  const mem = kern.view(4096);
  for (let p = 0; p < kSteps; p++) {
    for (let r = 0; r < mr; r++) mem[p * mr + r] = r + 1 + 10 * p;
    for (let j = 0; j < nr; j++) mem[64 + p * nr + j] = (j - 2) * (p + 1);
  }
  mem.fill(NaN, 256, 256 + mr * nr);
  const want = (r: number, j: number): number => {
    let s = 0;
    for (let p = 0; p < kSteps; p++) s += (r + 1 + 10 * p) * (j - 2) * (p + 1);
    return s;
  };
  kern.macro(0, 64 * 4, 256 * 4, 1, 1, kSteps, nr * 4, 0);
  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) assert.equal(mem[256 + r * nr + j], want(r, j), `C[${r},${j}]`);
  kern.macro(0, 64 * 4, 256 * 4, 1, 1, kSteps, nr * 4, 1);
  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) assert.equal(mem[256 + r * nr + j], 2 * want(r, j), `2C[${r},${j}]`);
});

test('wasm packing from a staged copy lays out panels exactly as the JS packers do', { skip }, () => {
  const kern = gemmKernel()!;
  const { mr, nv } = kern.shape;
  const nr = 4 * nv;
  let seed = 4500;
  for (const trans of [false, true]) {
    for (const [outer, k, outer0, p0, kc] of [[13, 9, 0, 0, 9], [40, 300, 8, 256, 44], [24, 64, 16, 4, 60]]) {
      const x = randomArray(outer * k + 3, seed++);
      const kcPad = Math.ceil(kc / 4) * 4;
      for (const [isA, width] of [[true, mr], [false, nr]] as const) {
        const kContig = isA ? !trans : trans; // A: k-contiguous unless transposed; B: only when transposed
        const panels = Math.floor((outer - outer0) / width);
        const need = stagedFloats(outer, k, kContig, 4);
        const mem = kern.view((4096 + need + 2 * panels * width * kcPad) * 4);
        const st = stage(x, 3, outer, k, kContig, 4, mem, 4096);
        const dst = 4096 + Math.ceil(need / 4) * 4;
        mem.fill(NaN, dst, dst + panels * width * kcPad);
        packStaged(st, isA ? kern.packA! : kern.packB, width, outer0, panels, p0, kcPad, dst);
        const want = new Float32Array(panels * width * kcPad);
        if (isA) packA(trans, x, 3, outer, k, outer0, panels * width, p0, kc, kcPad, width, want, 0);
        else packB(trans, x, 3, outer, k, p0, kc, kcPad, outer0, panels * width, width, want, 0);
        assert.deepEqual(Array.from(mem.subarray(dst, dst + want.length)), Array.from(want),
          `${isA ? 'A' : 'B'} trans=${trans} outer=${outer} k=${k} outer0=${outer0} p0=${p0} kc=${kc}`);
      }
    }
  }
});

test('other register tiles the generator supports give the same products', { skip }, () => {
  let seed = 4000;
  for (const shape of [{ mr: 6, nv: 2, unroll: 4 }, { mr: 2, nv: 4, unroll: 2 }, { mr: 3, nv: 1, unroll: 3 }]) {
    const gemm = makeWasmGemm(createGemmKernel(shape));
    for (const [tA, tB] of TRANS) runCase(tA, tB, { m: 29, n: 37, k: 301, alpha: 0.5, beta: 0.25, pad: 1 }, seed++, gemm);
  }
});

test('the memory grows for a large product and smaller ones still work afterwards', { skip }, () => {
  runCase(false, false, { m: 20, n: 9, k: 11 }, 5000);
  const before = gemmKernel()!.view(0).buffer.byteLength;
  runCase(true, false, { m: 700, n: 1030, k: 300 }, 5001);
  assert.ok(gemmKernel()!.view(0).buffer.byteLength > before, 'the big product needed more memory');
  runCase(false, true, { m: 20, n: 9, k: 11 }, 5002);
});

// ---- convolutions: im2col around the wasm GEMM ---------------------------------------------


const SPECS: ConvSpec[] = [
  { n: 2, c: 3, h: 9, w: 8, oc: 5, kh: 3, kw: 2, s: [2, 3], p: [1, 0] },
  { n: 2, c: 4, h: 6, w: 7, oc: 6, kh: 3, kw: 3, groups: 2, p: [1, 1] },
  { n: 3, c: 5, h: 4, w: 6, oc: 7, kh: 1, kw: 1 }, // pointwise: no im2col
  { n: 1, c: 2, h: 11, w: 10, oc: 3, kh: 3, kw: 3, d: [2, 3], p: [2, 1] },
  { n: 2, c: 1, h: 28, w: 28, oc: 32, kh: 3, kw: 3, p: [1, 1] }, // the MNIST CNN's layers
  { n: 2, c: 32, h: 14, w: 14, oc: 64, kh: 3, kw: 3, p: [1, 1] },
];

test('wasm conv2d forward and both gradients match the js backend', { skip }, () => {
  let seed = 6000;
  for (const sp of SPECS) {
    const g = convSpecGeometry(sp);
    const K = (g.c / g.groups) * g.kh * g.kw;
    const x = randomArray(g.n * g.c * g.h * g.w, seed++);
    const w = randomArray(g.oc * K, seed++);
    const gy = randomArray(g.n * g.oc * g.oh * g.ow, seed++);
    const what = JSON.stringify(sp);
    const tol = 2e-6 * Math.sqrt(Math.max(K, g.n * g.oh * g.ow));
    const out = new Float32Array(gy.length).fill(NaN), outJs = new Float32Array(gy.length);
    W.conv2d(x, w, out, g);
    JS.conv2d(x, w, outJs, g);
    expectClose(out, outJs, tol, 1e-4, `conv2d ${what}`);
    const bias = randomArray(g.oc, seed++);
    W.conv2d(x, w, out, g, bias);
    JS.conv2d(x, w, outJs, g, bias);
    expectClose(out, outJs, tol, 1e-4, `conv2d with bias ${what}`);
    const gx = new Float32Array(x.length).fill(NaN), gxJs = new Float32Array(x.length);
    W.conv2dBackwardInput(gy, w, gx, g);
    JS.conv2dBackwardInput(gy, w, gxJs, g);
    expectClose(gx, gxJs, tol, 1e-4, `conv2d grad input ${what}`);
    const gw = new Float32Array(w.length).fill(NaN), gwJs = new Float32Array(w.length);
    W.conv2dBackwardWeight(x, gy, gw, g);
    JS.conv2dBackwardWeight(x, gy, gwJs, g);
    expectClose(gw, gwJs, tol, 1e-4, `conv2d grad weight ${what}`);
  }
});

// ---- the backend object and its selection ------------------------------------------------------

test('wasm backend: name, describe(), and every other kernel is the js one', { skip }, () => {
  assert.equal(loadWasmBackend(), W);
  assert.equal(W.name, 'wasm');
  assert.match(W.describe(), /^wasm: WebAssembly SIMD128 GEMM \(4x8 f32x4 register tile/);
  assert.equal(W.softmax, JS.softmax);
  assert.equal(W.adamStep, JS.adamStep);
  assert.notEqual(W.gemm, JS.gemm);
  assert.notEqual(W.conv2d, JS.conv2d);
});

test('a missing WebAssembly or SIMD is reported, not crashed on', () => {
  const g = globalThis as { WebAssembly?: unknown };
  const saved = g.WebAssembly;
  try {
    g.WebAssembly = { validate: () => false, Module: class {}, Instance: class {} };
    assert.throws(() => createGemmKernel(), /rejected the module \(no WebAssembly SIMD support\?\)/);
    g.WebAssembly = undefined;
    assert.throws(() => createGemmKernel(), /WebAssembly is not available/);
  } finally {
    g.WebAssembly = saved;
  }
});

test('TRADECRAFT_BACKEND=wasm selects it for `tradecraft info`; an unknown name lists the choices', { skip }, () => {
  const here = dirname(fileURLToPath(import.meta.url)); // dist/test/backend
  const bin = resolve(here, '..', '..', '..', 'bin', 'tradecraft.js');
  const run = (backend: string): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [bin, 'info', '--json'], { encoding: 'utf8', env: { ...process.env, TRADECRAFT_BACKEND: backend, TRADECRAFT_QUIET: '1' } });
  const ok = run('wasm');
  assert.equal(ok.status, 0, String(ok.stderr));
  const facts = JSON.parse(String(ok.stdout).trim().split('\n').at(-1)!) as { backend: string; details: string };
  assert.equal(facts.backend, 'wasm');
  assert.match(facts.details, /WebAssembly SIMD128/);
  const bad = run('gpu');
  assert.notEqual(bad.status, 0);
  assert.match(String(bad.stderr), /TRADECRAFT_BACKEND must be one of js\|wasm\|native, got 'gpu'/);
});
