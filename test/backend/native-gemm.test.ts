// The native GEMM against the TypeScript reference: every transpose combination over awkward
// sizes (edges of the 12x32 register tile, of the cache blocks, and of the thread split),
// alpha/beta, batching with broadcast strides, and the argument checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { jsBackend as JS } from '../../src/backend/js/index.js';
import { loadNativeBackend } from '../../src/backend/native.js';
import { expectClose, gemmCaseInputs, type GemmCase } from '../helpers.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;


function runCase(tA: boolean, tB: boolean, cs: GemmCase, seed: number): void {
  const nb = native!;
  const { m, n, k, alpha, beta, batch, sA, sB, sC, aOff, bOff, cOff, a, b, c } = gemmCaseInputs(cs, seed);
  const expected = Float32Array.from(c);
  JS.gemm(tA, tB, m, n, k, alpha, a, aOff, b, bOff, beta, expected, cOff, batch, sA, sB, sC);
  const got = Float32Array.from(c);
  nb.gemm(tA, tB, m, n, k, alpha, a, aOff, b, bOff, beta, got, cOff, batch, sA, sB, sC);
  // float32 accumulation (native) against float64 (reference): error grows like sqrt(k).
  const atol = 2e-6 * Math.sqrt(k + 1) * Math.max(1, Math.abs(alpha)) * (cs.bcastC ? batch : 1);
  expectClose(got, expected, atol, 1e-5, `gemm tA=${tA} tB=${tB} m=${m} n=${n} k=${k} batch=${batch}`);
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const SIZES = [1, 3, 17, 33, 65, 127, 257];

test('native gemm: every transpose combination over awkward sizes', { skip }, () => {
  let seed = 1;
  for (const [tA, tB] of TRANS) {
    for (const m of SIZES) {
      for (const n of SIZES) {
        for (const k of [1, 17, 257]) {
          if (m * n * k > 2_200_000) continue;
          runCase(tA, tB, { m, n, k }, seed++);
        }
      }
    }
  }
});

test('native gemm: depths beyond one cache block and shapes that take the threaded path', { skip }, () => {
  let seed = 100;
  for (const [tA, tB] of TRANS) {
    runCase(tA, tB, { m: 70, n: 90, k: 600 }, seed++);     // two KC blocks plus a tail
    runCase(tA, tB, { m: 200, n: 150, k: 100 }, seed++);   // split over threads by rows or columns
    runCase(tA, tB, { m: 13, n: 1100, k: 40 }, seed++);    // more columns than one NC block
    runCase(tA, tB, { m: 300, n: 5, k: 90 }, seed++);      // tall and thin
  }
  runCase(false, true, { m: 64, n: 256, k: 784 }, seed++); // the MNIST MLP's first layer
  runCase(true, false, { m: 256, n: 784, k: 64 }, seed++); // ... and its weight gradient
});

test('native gemm: alpha and beta, and beta = 0 ignores NaN in C', { skip }, () => {
  let seed = 200;
  for (const [tA, tB] of TRANS) {
    runCase(tA, tB, { m: 17, n: 33, k: 9, alpha: 0.5, beta: 0, nanC: true }, seed++);
    runCase(tA, tB, { m: 17, n: 33, k: 9, alpha: -2, beta: 1 }, seed++);
    runCase(tA, tB, { m: 33, n: 17, k: 65, alpha: 1, beta: -0.3 }, seed++);
    runCase(tA, tB, { m: 5, n: 7, k: 3, alpha: 0, beta: 0.5 }, seed++);
    runCase(tA, tB, { m: 5, n: 7, k: 0, alpha: 1, beta: 0, nanC: true }, seed++);
    runCase(tA, tB, { m: 5, n: 7, k: 0, alpha: 1, beta: 2 }, seed++);
  }
});

test('native gemm: matrix-vector shapes (one row or one column of C) with alpha, beta and NaN in C', { skip }, () => {
  let seed = 250;
  for (const [tA, tB] of TRANS) {
    for (const [m, n, k] of [[1, 1, 1], [1, 257, 300], [300, 1, 257], [1, 1, 1000], [1, 3000, 40], [5000, 1, 33]]) {
      runCase(tA, tB, { m, n, k }, seed++);
      runCase(tA, tB, { m, n, k, alpha: 0.5, beta: 0, nanC: true }, seed++);
      runCase(tA, tB, { m, n, k, alpha: -1, beta: 0.25, pad: 3 }, seed++);
    }
    runCase(tA, tB, { m: 1, n: 65, k: 17, batch: 3, bcastB: true }, seed++);
  }
});

test('native gemm: batched with offsets, strides and stride-0 broadcasting', { skip }, () => {
  let seed = 300;
  for (const [tA, tB] of TRANS) {
    runCase(tA, tB, { m: 3, n: 17, k: 33, batch: 4, pad: 5 }, seed++);
    runCase(tA, tB, { m: 17, n: 3, k: 5, batch: 3, bcastA: true, pad: 2 }, seed++);
    runCase(tA, tB, { m: 17, n: 65, k: 5, batch: 5, bcastB: true, beta: 0.5 }, seed++);
    runCase(tA, tB, { m: 33, n: 33, k: 33, batch: 8, bcastB: true }, seed++);    // batch-parallel path
    runCase(tA, tB, { m: 130, n: 70, k: 20, batch: 3, bcastA: true }, seed++);  // per-item threaded path
    // strideC = 0 with beta = 1 accumulates the batch into one C, in order.
    runCase(tA, tB, { m: 9, n: 11, k: 13, batch: 6, bcastC: true, beta: 1 }, seed++);
  }
});

test('native gemm: exact on small integers', { skip }, () => {
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]);    // 2x3
  const b = Float32Array.from([7, 8, 9, 10, 11, 12]); // 3x2
  const c = new Float32Array(4);
  native!.gemm(false, false, 2, 2, 3, 1, a, 0, b, 0, 0, c, 0, 1, 0, 0, 0);
  assert.deepEqual(Array.from(c), [58, 64, 139, 154]);
});

test('native gemm: rejects arrays too short for the shape instead of overrunning them', { skip }, () => {
  const nb = native!;
  const a = new Float32Array(6), b = new Float32Array(6), c = new Float32Array(3);
  assert.throws(() => nb.gemm(false, false, 2, 2, 3, 1, a, 0, b, 0, 0, c, 0, 1, 0, 0, 0), RangeError);
  assert.throws(() => nb.gemm(false, false, 2, 2, 3, 1, a, 1, b, 0, 0, new Float32Array(4), 0, 1, 0, 0, 0), RangeError);
  assert.throws(
    () => nb.gemm(false, false, 2, 2, 3, 1, a, 0, b, 0, 0, new Float32Array(4), 0, 2, 0, 0, 4), RangeError);
  assert.throws(
    () => nb.gemm(false, false, 2, 2, 3, 1, new Float64Array(6) as unknown as Float32Array, 0, b, 0, 0,
      new Float32Array(4), 0, 1, 0, 0, 0), TypeError);
});

test('native backend: describe() names the instruction set and thread count', { skip }, () => {
  assert.match(native!.describe(), /^native \((avx512|avx2|generic), \d+ threads?\)$/);
  assert.equal(native!.name, 'native');
});

test('native backend: TRADECRAFT_THREADS and TRADECRAFT_ISA are honoured', { skip }, () => {
  const url = new URL('../../src/backend/native.js', import.meta.url).href;
  const script = `import(${JSON.stringify(url)}).then((m) => console.log(m.loadNativeBackend().describe()))`;
  const run = (env: Record<string, string>): string =>
    spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout.trim();
  assert.match(run({ TRADECRAFT_THREADS: '3' }), /, 3 threads\)$/);
  assert.match(run({ TRADECRAFT_THREADS: '1' }), /, 1 thread\)$/);
  assert.match(run({ TRADECRAFT_ISA: 'generic' }), /^native \(generic, /);
});
