import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gemm as serialGemm } from '../../src/backend/js/gemm.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { WorkerPool } from '../../src/backend/js-threaded/worker-pool.js';
import { threadedGemm, worthThreads } from '../../src/backend/js-threaded/gemm-threads.js';
import { threadedAdamStep } from '../../src/backend/js-threaded/adam-threads.js';
import { threadedJsBackend, threadCount } from '../../src/backend/js-threaded/index.js';
import { adamStep } from '../../src/backend/js/optimizer-steps.js';
import type { AdamStepArgs } from '../../src/backend/backend.js';
import { gemmCaseInputs, randomArray, type GemmCase } from '../helpers.js';

const pools: WorkerPool[] = [];
after(() => { for (const p of pools) p.dispose(); });

async function readyPool(threads: number): Promise<WorkerPool> {
  const pool = new WorkerPool(threads);
  pools.push(pool);
  assert.equal(await pool.whenReady(), true, `the ${threads}-thread pool did not start: ${pool.failure}`);
  return pool;
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

/** Threaded and serial results must be the same bits: each element is computed the same way. */
function expectSameBits(pool: WorkerPool, tA: boolean, tB: boolean, cs: GemmCase, seed: number): void {
  const { m, n, k, alpha, beta, batch, sA, sB, sC, aOff, bOff, cOff, a, b, c } = gemmCaseInputs(cs, seed);
  const expected = Float32Array.from(c);
  serialGemm(tA, tB, m, n, k, alpha, a, aOff, b, bOff, beta, expected, cOff, batch, sA, sB, sC);
  const got = Float32Array.from(c);
  threadedGemm(pool, tA, tB, m, n, k, alpha, a, aOff, b, bOff, beta, got, cOff, batch, sA, sB, sC);
  const where = `tA=${tA} tB=${tB} m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta} batch=${batch} threads=${pool.threads}`;
  assert.ok(worthThreads(pool.threads, m, n, k, alpha), `${where} would not take the threaded path`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], expected[i])) assert.fail(`${where}: element ${i} is ${got[i]}, serial gives ${expected[i]}`);
  }
}

test('2 threads give the serial kernel\'s bits for every transpose, split by columns and by rows, ragged edges', async () => {
  const pool = await readyPool(2);
  let seed = 1;
  for (const [tA, tB] of TRANS) {
    expectSameBits(pool, tA, tB, { m: 64, n: 256, k: 784 }, seed++); // the MLP's first layer
    expectSameBits(pool, tA, tB, { m: 66, n: 257, k: 65 }, seed++); // columns, ragged tiles
    expectSameBits(pool, tA, tB, { m: 301, n: 37, k: 300 }, seed++); // rows; k crosses a K block
    expectSameBits(pool, tA, tB, { m: 70, n: 1100, k: 9 }, seed++); // n crosses a column block
  }
});

test('alpha, beta (NaN in C ignored when beta = 0), offsets, batches and broadcast operands', async () => {
  const pool = await readyPool(2);
  let seed = 100;
  for (const [tA, tB] of TRANS) {
    for (const [alpha, beta] of [[1, 1], [0.5, -0.75], [-2, 0]]) {
      expectSameBits(pool, tA, tB, { m: 48, n: 80, k: 70, alpha, beta, pad: 3 }, seed++);
    }
    expectSameBits(pool, tA, tB, { m: 40, n: 72, k: 96, nanC: true }, seed++);
    expectSameBits(pool, tA, tB, { m: 40, n: 72, k: 96, batch: 3, pad: 2, beta: 1 }, seed++);
    expectSameBits(pool, tA, tB, { m: 72, n: 40, k: 96, batch: 2, bcastA: true }, seed++);
    expectSameBits(pool, tA, tB, { m: 72, n: 40, k: 96, batch: 2, bcastB: true, alpha: 3 }, seed++);
  }
});

test('3 threads on 2 cores split unevenly and still give the serial bits; the shared buffer grows', async () => {
  const pool = await readyPool(3);
  expectSameBits(pool, false, false, { m: 24, n: 100, k: 120 }, 7);
  expectSameBits(pool, true, true, { m: 250, n: 230, k: 260 }, 8);
  expectSameBits(pool, false, true, { m: 30, n: 90, k: 100 }, 9);
});

function expectSameArrays(got: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(got.length, expected.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], expected[i])) assert.fail(`${what}: element ${i} is ${got[i]}, serial gives ${expected[i]}`);
  }
}

test('threaded Adam, AdamW, L2 and AMSGrad updates give the serial kernel\'s bits over several steps', async () => {
  const pool = await readyPool(2);
  const variants: [string, Partial<AdamStepArgs>, boolean][] = [
    ['adam', {}, false], ['adamw', { weightDecay: 0.01, decoupled: true }, false],
    ['adam+l2', { weightDecay: 0.01 }, false], ['amsgrad', {}, true],
  ];
  for (const [name, extra, ams] of variants) {
    for (const n of [40_000, 100_001]) {
      const init = [randomArray(n, 1), new Float32Array(n), new Float32Array(n), ams ? new Float32Array(n) : null];
      const serial = init.map((x) => (x ? Float32Array.from(x) : null));
      const threaded = init.map((x) => (x ? Float32Array.from(x) : null));
      for (let step = 1; step <= 3; step++) {
        const grad = randomArray(n, 10 + step);
        const args: AdamStepArgs = {
          lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false,
          biasCorrection1: 1 - 0.9 ** step, biasCorrection2: 1 - 0.999 ** step, ...extra,
        };
        adamStep(serial[0]!, grad, serial[1]!, serial[2]!, serial[3], args);
        threadedAdamStep(pool, threaded[0]!, grad, threaded[1]!, threaded[2]!, threaded[3], args);
      }
      ['p', 'm', 'v', 'vmax'].forEach((what, i) => {
        if (serial[i]) expectSameArrays(threaded[i]!, serial[i]!, `${name} n=${n} ${what}`);
      });
    }
  }
});

test('products too small to repay the copies stay on the calling thread', () => {
  assert.equal(worthThreads(2, 64, 10, 256, 1), false); // 164k multiply-adds
  assert.equal(worthThreads(2, 64, 256, 256, 1), true);
  assert.equal(worthThreads(2, 4000, 4, 4000, 1), true);
  assert.equal(worthThreads(2, 12, 12, 5000, 1), false); // too narrow to split in whole tiles
  assert.equal(worthThreads(2, 64, 256, 256, 0), false);
});

test('after dispose the pool computes on the calling thread, with the same results', async () => {
  const pool = await readyPool(2);
  pool.dispose();
  assert.equal(pool.ready, false);
  expectSameBits(pool, false, true, { m: 64, n: 128, k: 256 }, 11);
});

test('one thread is the reference backend itself; TRADECRAFT_THREADS is validated', () => {
  assert.equal(threadedJsBackend(1), jsBackend);
  const two = threadedJsBackend(2);
  assert.notEqual(two, jsBackend);
  assert.match(two.describe(), /GEMM and Adam on 2 threads/);
  const saved = process.env.TRADECRAFT_THREADS;
  try {
    process.env.TRADECRAFT_THREADS = '3';
    assert.equal(threadCount(), 3);
    process.env.TRADECRAFT_THREADS = 'two';
    assert.throws(() => threadCount(), /TRADECRAFT_THREADS must be a whole number >= 1, got 'two'/);
  } finally {
    if (saved === undefined) delete process.env.TRADECRAFT_THREADS;
    else process.env.TRADECRAFT_THREADS = saved;
  }
});

test('a script on the threaded TypeScript backend exits by itself when done (idle workers do not hold it)', () => {
  const index = fileURLToPath(new URL('../../src/index.js', import.meta.url));
  const script = `
    const tc = await import(${JSON.stringify(index)});
    tc.manualSeed(0);
    const a = tc.randn([128, 300]), b = tc.randn([300, 200]);
    for (let i = 0; i < 5; i++) a.matmul(b);
    await new Promise((r) => setTimeout(r, 100)); // let the workers start
    console.log(a.matmul(b).sum().item().toFixed(3), tc.backend().describe());`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, TRADECRAFT_BACKEND: 'js', TRADECRAFT_THREADS: '2', TRADECRAFT_QUIET: '1' },
  });
  assert.equal(r.error, undefined, `the script did not exit: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^-?\d+\.\d{3} js: .*GEMM and Adam on 2 threads/);
});
