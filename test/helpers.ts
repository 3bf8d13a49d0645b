import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Conv2dGeometry } from '../src/backend/backend.js';
import { Tensor } from '../src/tensor/tensor.js';
import { Generator } from '../src/tensor/random.js';
import { TensorDataset } from '../src/data/dataset.js';

/** Asserts two numeric sequences agree elementwise within atol + rtol*|expected|, naming the first mismatch. */
export function expectClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4, what = 'value',
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** A small deterministic generator for test inputs (independent of the library's own RNG). */
export function testRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = testRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** A convolution case for kernel tests: sizes, and optional stride/padding/dilation pairs and groups. */
export interface ConvSpec {
  n: number; c: number; h: number; w: number; oc: number; kh: number; kw: number;
  s?: [number, number]; p?: [number, number]; d?: [number, number]; groups?: number;
}

/** The full kernel geometry of a ConvSpec, with PyTorch's output-size formula. */
export function convSpecGeometry(sp: ConvSpec): Conv2dGeometry {
  const [strideH, strideW] = sp.s ?? [1, 1];
  const [padH, padW] = sp.p ?? [0, 0];
  const [dilationH, dilationW] = sp.d ?? [1, 1];
  const oh = Math.floor((sp.h + 2 * padH - dilationH * (sp.kh - 1) - 1) / strideH) + 1;
  const ow = Math.floor((sp.w + 2 * padW - dilationW * (sp.kw - 1) - 1) / strideW) + 1;
  return {
    n: sp.n, c: sp.c, h: sp.h, w: sp.w, oc: sp.oc, kh: sp.kh, kw: sp.kw,
    strideH, strideW, padH, padW, dilationH, dilationW, groups: sp.groups ?? 1, oh, ow,
  };
}

/**
 * A GEMM test case: sizes, alpha/beta, a batch with optional broadcast operands (stride 0),
 * padding around every operand (offsets and strides that are not the packed ones) and a
 * NaN-filled C (beta = 0 must ignore it).
 */
export interface GemmCase {
  m: number; n: number; k: number; alpha?: number; beta?: number; batch?: number;
  bcastA?: boolean; bcastB?: boolean; bcastC?: boolean; pad?: number; nanC?: boolean;
}

/** The operands of a GemmCase and the arguments to pass after them, seeded. */
export function gemmCaseInputs(cs: GemmCase, seed: number) {
  const { m, n, k } = cs;
  const alpha = cs.alpha ?? 1, beta = cs.beta ?? 0, batch = cs.batch ?? 1, pad = cs.pad ?? 0;
  const sA = cs.bcastA ? 0 : m * k + pad, sB = cs.bcastB ? 0 : k * n + 2 * pad, sC = cs.bcastC ? 0 : m * n + pad;
  const aOff = pad, bOff = 2 * pad, cOff = 3 * pad;
  const a = randomArray(aOff + (batch - 1) * sA + m * k + pad, seed);
  const b = randomArray(bOff + (batch - 1) * sB + k * n + pad, seed + 1);
  const c = randomArray(cOff + (batch - 1) * sC + m * n + pad, seed + 2, -2, 2);
  if (cs.nanC) c.fill(NaN);
  return { m, n, k, alpha, beta, batch, sA, sB, sC, aOff, bOff, cOff, a, b, c };
}

/** A fresh directory under `parent` (the OS temp dir by default), removed when the test process exits. */
export function tempDir(prefix: string, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * `n` examples of `classes` Gaussian blobs in `features` dimensions: label y ~ uniform, every
 * feature standard normal, feature y shifted by `shift` (a small, learnable classification set).
 */
export function gaussianBlobs(n: number, seed: number, features: number, shift: number, classes = 3): TensorDataset {
  const g = new Generator(seed);
  const y = Int32Array.from({ length: n }, () => g.below(classes));
  const x = Float32Array.from({ length: n * features }, (_, i) => g.normal() + (i % features === y[Math.floor(i / features)] ? shift : 0));
  return new TensorDataset(new Tensor(x, [n, features]), new Tensor(y, [n], 'int32'));
}

/**
 * Where two float32 (or int32) arrays first differ in their bits, as "[i] got != want (hex)", or
 * null when every element has the same bits; with anyNaN a NaN matches any NaN (a backend need
 * not keep NaN payloads). For kernels that must be bit-identical to another formulation.
 */
export function firstBitDifference(got: Float32Array | Int32Array, want: Float32Array | Int32Array, anyNaN = false): string | null {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`;
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i] || (anyNaN && Number.isNaN(got[i]) && Number.isNaN(want[i]))) continue;
    return `[${i}] ${got[i]} != ${want[i]} (0x${a[i].toString(16)} vs 0x${b[i].toString(16)})`;
  }
  return null;
}

/** Asserts firstBitDifference finds nothing, naming `what` and the first difference. */
export function expectBits(got: Float32Array | Int32Array, want: Float32Array | Int32Array, what: string, anyNaN = false): void {
  const d = firstBitDifference(got, want, anyNaN);
  if (d !== null) assert.fail(`${what}${d.startsWith('[') ? '' : ': '}${d} (not bit-identical)`);
}
