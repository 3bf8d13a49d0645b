// Child process of native-gemm-edge.once.test.ts: under the TRADECRAFT_ISA, TRADECRAFT_GEMM_TILE
// and TRADECRAFT_THREADS it was started with, computes products whose n leaves every remainder
// modulo the register tile's NR (so the last column panel of C is every possible width) and
// compares them bit for bit with the same product embedded in a C and a B padded to a multiple
// of NR columns, where no column edge occurs: the full-width micro-kernel computes every element
// (that is the formulation the edge kernels replace). Prints one JSON line: the backend, the tile,
// how many products were compared and the mismatches found.
import { loadNativeAddon } from '../../src/backend/native.js';
import { firstBitDifference, randomArray } from '../helpers.js';

type Addon = NonNullable<ReturnType<typeof loadNativeAddon>>;

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const MS = [1, 3, 4, 5, 64];
const KS = [1, 9, 288, 300];
const NS = [...Array.from({ length: 50 }, (_, i) => i + 1), 196];
// alpha = 1 with beta 0 and 1 (the framework's products), and a pair that rounds in both terms,
// so the order of the epilogue's multiply-add shows.
const SCALES: [number, number][] = [[1, 0], [1, 1], [0.7, -1.3]];

/** Whether sgemm takes its matrix-vector path (gemm.cc: gemv) for an m x n block: no micro-kernel, so no edge. */
function gemv(tA: boolean, tB: boolean, m: number, n: number, lda: number, ldb: number): boolean {
  if (m === 1) return !(tB && tA && lda !== 1);
  return n === 1 && !(!tA && !tB && ldb !== 1);
}


/** op(A) (m x k) op(B) (k x n) into C (m x n), and the same through B and C padded to np columns. */
function compare(nb: Addon, tA: boolean, tB: boolean, m: number, n: number, k: number, np: number, alpha: number,
  beta: number, seed: number): string | null {
  const a = randomArray(m * k, seed), bp = randomArray(k * np, seed + 1), cp = randomArray(m * np, seed + 2);
  if (beta === 0) cp.fill(NaN);  // beta = 0 must not read C
  // B's first n columns: columns of a k x np matrix (not transposed) or rows of an np x k one.
  const b = new Float32Array(k * n), c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) c.set(cp.subarray(i * np, i * np + n), i * n);
  if (tB) b.set(bp.subarray(0, n * k));
  else for (let p = 0; p < k; p++) b.set(bp.subarray(p * np, p * np + n), p * n);
  nb.gemm(tA, tB, m, n, k, alpha, a, 0, b, 0, beta, c, 0, 1, 0, 0, 0);
  nb.gemm(tA, tB, m, np, k, alpha, a, 0, bp, 0, beta, cp, 0, 1, 0, 0, 0);
  const want = new Float32Array(m * n);
  for (let i = 0; i < m; i++) want.set(cp.subarray(i * np, i * np + n), i * n);
  return firstBitDifference(c, want);
}

function main(): void {
  const nb = loadNativeAddon();
  if (nb === null) {
    console.log(JSON.stringify({ backend: null, failures: [] }));
    return;
  }
  const facts = JSON.parse(nb.machine()) as { threads: number; gemm: { kernel: string; mr: number; nr: number } };
  const { mr, nr } = facts.gemm, threads = facts.threads;
  const failures: string[] = [];
  let compared = 0, seed = 11;
  for (const [tA, tB] of TRANS) {
    for (const m of MS) {
      for (const n of NS) {
        // With threads, sgemm splits C at multiples of MR and NR: a last block one row or one
        // column wide would run gemv, in this product or in the padded one.
        const np = Math.ceil(n / nr) * nr + nr;
        for (const k of KS) {
          const lda = tA ? m : k, ldb = tB ? k : n;
          if (gemv(tA, tB, m, n, lda, ldb)) continue;
          if (threads > 1 && (gemv(tA, tB, m % mr, n, lda, ldb) || gemv(tA, tB, m, n % nr, lda, ldb))) continue;
          for (const [alpha, beta] of SCALES) {
            const d = compare(nb, tA, tB, m, n, k, np, alpha, beta, seed);
            seed += 3;
            compared++;
            if (d !== null) failures.push(`tA=${tA} tB=${tB} m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta}: ${d}`);
          }
        }
      }
    }
  }
  console.log(JSON.stringify({ backend: nb.describe(), tile: `${mr}x${nr}`, compared, failures }));
}

main();
