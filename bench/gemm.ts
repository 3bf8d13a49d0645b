/**
 * Native GEMM throughput: GFLOP/s for square sgemm at 256/512/1024/2048 (median of 5 runs after
 * a warm-up), plus the MNIST MLP's layer shapes at batch 64 in microseconds.
 * Run: node dist/bench/gemm.js — once on one thread and once on the default pool (each in a
 * child process, as the pool size is fixed per process); TRADECRAFT_THREADS=n runs just n.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadNativeBackend } from '../src/backend/native.js';

if (process.env.TRADECRAFT_THREADS === undefined) {
  for (const threads of ['1', '']) {
    const env = { ...process.env, TRADECRAFT_THREADS: threads };
    spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { stdio: 'inherit', env });
  }
  process.exit(0);
}

const native = loadNativeBackend();
if (native === null) {
  console.error('native addon not built: run `npm install` (or node scripts/build-native.mjs) first');
  process.exit(1);
}
const nb = native;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median seconds per call of C = op(A) op(B) over `runs` timed runs of `reps` calls each. */
function time(tA: boolean, tB: boolean, m: number, n: number, k: number, runs: number, reps: number): number {
  const a = new Float32Array(m * k).map(() => Math.random() - 0.5);
  const b = new Float32Array(k * n).map(() => Math.random() - 0.5);
  const c = new Float32Array(m * n);
  const call = (): void => nb.gemm(tA, tB, m, n, k, 1, a, 0, b, 0, 0, c, 0, 1, 0, 0, 0);
  for (let i = 0; i < reps; i++) call();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) call();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e9 / reps);
  }
  return median(samples);
}

console.log(nb.describe());
for (const s of [256, 512, 1024, 2048]) {
  const reps = s <= 512 ? 20 : s === 1024 ? 3 : 1;
  const t = time(false, false, s, s, s, 5, reps);
  console.log(`sgemm ${s}^3: ${(2 * s ** 3 / t / 1e9).toFixed(1)} GFLOP/s`);
}
const mlp: [boolean, boolean, number, number, number, string][] = [
  [false, true, 64, 256, 784, 'fc1 forward     x W1^T'],
  [false, true, 64, 256, 256, 'fc2 forward     h W2^T'],
  [false, true, 64, 10, 256, 'fc3 forward     h W3^T'],
  [false, false, 64, 256, 10, 'fc3 grad input  g W3'],
  [true, false, 10, 256, 64, 'fc3 grad weight g^T h'],
  [false, false, 64, 256, 256, 'fc2 grad input  g W2'],
  [true, false, 256, 256, 64, 'fc2 grad weight g^T h'],
  [true, false, 256, 784, 64, 'fc1 grad weight g^T x'],
];
let total = 0;
for (const [tA, tB, m, n, k, name] of mlp) {
  const t = time(tA, tB, m, n, k, 5, 200);
  total += t;
  console.log(`${name}  ${m}x${n}x${k}: ${(t * 1e6).toFixed(1)} us  ${(2 * m * n * k / t / 1e9).toFixed(1)} GFLOP/s`);
}
console.log(`MNIST MLP step GEMMs (batch 64): ${(total * 1e6).toFixed(0)} us`);
