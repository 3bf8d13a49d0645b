// The threaded GEMM gives the bits of the serial one: every way of splitting the work over the
// pool (rows, columns on whole panels or on whole vectors, the matrix-vector path) runs the same
// multiply-add chains per element. A child computes a set of products on 1 and on 2 threads and
// prints a hash of each result's bits; the parent compares them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadNativeBackend } from '../../src/backend/native.js';
import { randomArray } from '../helpers.js';

const native = loadNativeBackend();
const skip = native === null ? 'native addon not built (npm install, or node scripts/build-native.mjs)' : false;

// [transA, transB, m, n, k]: Linear layers at batch 64 (x @ W^T and both gradients), square,
// tall and wide, one row, a last column block one column wide (n = 25), and depths beyond KC.
const SHAPES: Array<[boolean, boolean, number, number, number]> = [
  [false, true, 64, 256, 784], [false, false, 64, 784, 256], [true, false, 256, 784, 64],
  [false, true, 64, 128, 3136], [false, false, 200, 150, 100], [true, true, 200, 150, 100],
  [true, false, 130, 500, 70], [false, false, 1, 700, 300], [false, false, 90, 25, 400],
  [false, false, 300, 300, 300], [false, true, 7, 1000, 600],
];

if (process.env.GEMM_THREADS_CHILD) {
  const out: string[] = [];
  let seed = 9000;
  for (const [tA, tB, m, n, k] of SHAPES) {
    const a = randomArray(m * k, seed++), b = randomArray(k * n, seed++), c = randomArray(m * n, seed++);
    for (const beta of [0, 1]) {
      const cc = c.slice();
      native!.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, beta, cc, 0, 1, 0, 0, 0);
      out.push(createHash('sha256').update(new Uint8Array(cc.buffer)).digest('hex').slice(0, 16));
    }
  }
  console.log(JSON.stringify({ describe: native!.describe(), hashes: out }));
} else {
  test('native gemm: the same bits on 1, 2 and 3 threads, whichever way the work is split', { skip }, () => {
    const run = (threads: string): { describe: string; hashes: string[] } => {
      const { NODE_TEST_CONTEXT: _, ...env } = process.env;
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...env, GEMM_THREADS_CHILD: '1', TRADECRAFT_THREADS: threads }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { describe: string; hashes: string[] };
    };
    const one = run('1');
    assert.equal(one.hashes.length, SHAPES.length * 2);
    for (const threads of ['2', '3']) {
      const many = run(threads);
      assert.match(many.describe, new RegExp(`${threads} threads`));
      one.hashes.forEach((h, i) => assert.equal(many.hashes[i], h, `shape ${JSON.stringify(SHAPES[i >> 1])} beta ${i & 1}: ${threads} threads differ from 1`));
    }
  });
}
