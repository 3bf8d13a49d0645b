/**
 * The native CPU backend: C++ kernels (SIMD GEMM with runtime ISA dispatch, a persistent
 * thread pool) behind N-API, built by `npm install` into build/Release/tradecraft.node.
 * This wrapper stays thin on purpose — a training step makes hundreds of kernel calls — so
 * it only maps op names to codes and packs shapes/geometry into reused Float64Arrays.
 *
 * Loading the addon (on glibc) raises malloc's mmap threshold so that large typed arrays reuse
 * already-mapped heap memory instead of page-faulting fresh mappings every step; set
 * TRADECRAFT_MALLOC_TUNING=0 to keep the C library's defaults (native/malloc_tuning.h).
 *
 * @example
 * const native = loadNativeBackend();
 * if (native) setBackend(native);
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BINARY_OPS, UNARY_OPS,
  type AdamStepArgs, type Backend, type BinaryOp, type Conv2dGeometry, type F32, type I32,
  type Pool2dGeometry, type SgdStepArgs, type UnaryOp,
} from './backend.js';

/** The addon's exports (native/addon.cc). */
/** The addon's instruction sets in its own numbering (native/cpu.h's Isa), lowest first. */
export const NATIVE_ISAS: readonly string[] = ['generic', 'avx2', 'avx512'];

interface Addon {
  describe(): string;
  threads(): number;
  noop(): void;
  /** The CPU (vendor, family/model, microarchitecture, caches) and the GEMM blocking, as JSON. */
  machine(): string;
  /**
   * [wall GFLOP/s, per-core GFLOP/s of CPU time] of the register-only FMA loop (kind 0) or the
   * GEMM micro-kernel on L1-resident packed panels (kind 1), for isa an index into NATIVE_ISAS,
   * over `threads` pool threads for about `seconds`; negative when the CPU lacks the isa.
   */
  peak(kind: number, isa: number, threads: number, seconds: number): [number, number];
  /**
   * Times every GEMM register tile, MC block size and loop order for this CPU, then NC for the
   * fastest (one thread, about `seconds` in all), and returns the report as JSON
   * (native/gemm_tuning.h); with `write`, keeps the choice in gemm-tuning.txt beside the addon for
   * the processes that load it afterwards.
   */
  tuneGemm(seconds: number, write: boolean): string;
  /** Whether loading the addon raised glibc's mmap/trim thresholds (native/malloc_tuning.h). */
  mallocTuned(): boolean;
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: F32, aOff: number,
    b: F32, bOff: number, beta: number, c: F32, cOff: number, batch: number, strideA: number, strideB: number,
    strideC: number): void;
  unary(op: number, x: F32, out: F32): void;
  binaryScalar(op: number, x: F32, s: number, out: F32, scalarFirst: boolean): void;
  binary(op: number, a: F32, b: F32, out: F32, nd: number, dims: Float64Array): void;
  where(cond: F32, a: F32, b: F32, out: F32, nd: number, dims: Float64Array): void;
  clamp(x: F32, lo: number, hi: number, out: F32): void;
  reduce(op: number, x: F32, outer: number, size: number, inner: number, out: F32): void;
  sumSquares(x: F32): number;
  argReduce(isMax: boolean, x: F32, outer: number, size: number, inner: number, out: I32): void;
  copyStrided(src: F32 | I32, offset: number, nd: number, dims: Float64Array, dst: F32 | I32): void;
  softmax(x: F32, rows: number, cols: number, out: F32, log: boolean): void;
  channelSum(x: F32, out: F32, n: number, c: number, inner: number): void;
  indexSelect(x: F32, outer: number, size: number, inner: number, idx: I32, out: F32): void;
  indexAdd(g: F32, outer: number, size: number, inner: number, idx: I32, gx: F32): void;
  gather(x: F32, outer: number, size: number, inner: number, idx: I32, k: number, out: F32): void;
  scatterAdd(g: F32, outer: number, size: number, inner: number, idx: I32, k: number, gx: F32): void;
  conv2d(x: F32, w: F32, out: F32, geom: Float64Array, bias: F32 | null, relu: boolean): void;
  conv2dBackwardInput(gy: F32, w: F32, gx: F32, geom: Float64Array): void;
  conv2dBackwardWeight(x: F32, gy: F32, gw: F32, geom: Float64Array): void;
  /** Absent from addons built before it existed. */
  conv2dReluMaxPool2x2?(x: F32, w: F32, bias: F32 | null, out: F32, idx: I32, geom: Float64Array): void;
  conv2dBackwardFromPooled?(gp: F32, idx: I32, act: F32 | null, x: F32, w: F32, gx: F32 | null, gw: F32 | null, gb: F32 | null, geom: Float64Array): boolean;
  maxPool2d(x: F32, out: F32, idx: I32, geom: Float64Array): void;
  maxPool2dBackward(gy: F32, idx: I32, gx: F32, geom: Float64Array): void;
  avgPool2d(x: F32, out: F32, geom: Float64Array): void;
  avgPool2dBackward(gy: F32, gx: F32, geom: Float64Array): void;
  adamStep(p: F32, grad: F32, m: F32, v: F32, vmax: F32 | null, args: Float64Array): void;
  sgdStep(p: F32, grad: F32, buf: F32 | null, args: Float64Array): void;
}

/** The native kernels accept at most this many dimensions (after dropping size-1 ones). */
const MAX_DIMS = 16;

/** Where the addon is: build/Release/ under the package root (the directory with package.json). */
function addonPath(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const p = join(dir, 'build', 'Release', 'tradecraft.node');
      if (existsSync(p)) return p;
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The raw addon, or null when it is not built or fails to load. */
export function loadNativeAddon(): Addon | null {
  try {
    const path = addonPath();
    if (path === null) return null;
    return createRequire(import.meta.url)(path) as Addon;
  } catch {
    return null;
  }
}

const UNARY_CODE = Object.fromEntries(UNARY_OPS.map((op, i) => [op, i])) as Record<UnaryOp, number>;
const BINARY_CODE = Object.fromEntries(BINARY_OPS.map((op, i) => [op, i])) as Record<BinaryOp, number>;
const REDUCE_CODE = { sum: 0, max: 1, min: 2 } as const;

/**
 * Packs shape and up to three stride vectors as [shape, s0, s1, s2] into `dims`, dropping
 * size-1 dimensions only when there are too many for the kernels. Returns the dimension count.
 */
function packDims(dims: Float64Array, shape: number[], s0: number[], s1?: number[], s2?: number[]): number {
  const nd = shape.length;
  if (nd <= MAX_DIMS) {
    for (let d = 0; d < nd; d++) {
      dims[d] = shape[d];
      dims[nd + d] = s0[d];
      if (s1 !== undefined) dims[2 * nd + d] = s1[d];
      if (s2 !== undefined) dims[3 * nd + d] = s2[d];
    }
    return nd;
  }
  const keep: number[] = [];
  for (let d = 0; d < nd; d++) if (shape[d] !== 1) keep.push(d);
  const k = keep.length;
  if (k > MAX_DIMS) throw new RangeError(`native backend: at most ${MAX_DIMS} non-trivial dimensions, got ${k}`);
  for (let i = 0; i < k; i++) {
    const d = keep[i];
    dims[i] = shape[d];
    dims[k + i] = s0[d];
    if (s1 !== undefined) dims[2 * k + i] = s1[d];
    if (s2 !== undefined) dims[3 * k + i] = s2[d];
  }
  return k;
}

/** The native backend, or null when the addon is missing or failed to load. Never throws. */
export function loadNativeBackend(): Backend | null {
  const addon = loadNativeAddon();
  if (addon === null) return null;
  try {
    return makeBackend(addon);
  } catch {
    return null;
  }
}

function makeBackend(n: Addon): Backend {
  const description = n.describe();
  // Scratch for shapes/strides and geometry, reused by every call (kernels are synchronous).
  const dims = new Float64Array(4 * MAX_DIMS);
  const convG = new Float64Array(16);
  const poolG = new Float64Array(13);
  const optArgs = new Float64Array(8);

  const conv = (g: Conv2dGeometry): Float64Array => {
    convG[0] = g.n; convG[1] = g.c; convG[2] = g.h; convG[3] = g.w;
    convG[4] = g.oc; convG[5] = g.kh; convG[6] = g.kw;
    convG[7] = g.strideH; convG[8] = g.strideW; convG[9] = g.padH; convG[10] = g.padW;
    convG[11] = g.dilationH; convG[12] = g.dilationW; convG[13] = g.groups;
    convG[14] = g.oh; convG[15] = g.ow;
    return convG;
  };
  const pool = (g: Pool2dGeometry): Float64Array => {
    poolG[0] = g.n; poolG[1] = g.c; poolG[2] = g.h; poolG[3] = g.w;
    poolG[4] = g.kh; poolG[5] = g.kw; poolG[6] = g.strideH; poolG[7] = g.strideW;
    poolG[8] = g.padH; poolG[9] = g.padW; poolG[10] = g.oh; poolG[11] = g.ow;
    poolG[12] = g.countIncludePad ? 1 : 0;
    return poolG;
  };

  return {
    name: 'native',
    describe: () => description,
    gemm: (transA, transB, m, nn, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC) =>
      n.gemm(transA, transB, m, nn, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC),
    unary: (op, x, out) => n.unary(UNARY_CODE[op], x, out),
    binaryScalar: (op, x, s, out, scalarFirst) => n.binaryScalar(BINARY_CODE[op], x, s, out, scalarFirst),
    binary: (op, a, aStrides, b, bStrides, out, outShape) =>
      n.binary(BINARY_CODE[op], a, b, out, packDims(dims, outShape, aStrides, bStrides), dims),
    where: (cond, cStrides, a, aStrides, b, bStrides, out, outShape) =>
      n.where(cond, a, b, out, packDims(dims, outShape, cStrides, aStrides, bStrides), dims),
    clamp: (x, lo, hi, out) => n.clamp(x, lo, hi, out),
    reduce: (op, x, outer, size, inner, out) => n.reduce(REDUCE_CODE[op], x, outer, size, inner, out),
    sumSquares: (x) => n.sumSquares(x),
    argReduce: (op, x, outer, size, inner, out) => n.argReduce(op === 'argmax', x, outer, size, inner, out),
    copyStrided: (src, offset, shape, strides, dst) => {
      if ((src instanceof Float32Array) !== (dst instanceof Float32Array)) {
        throw new TypeError('copyStrided: src and dst must have the same element type');
      }
      n.copyStrided(src, offset, packDims(dims, shape, strides), dims, dst);
    },
    softmax: (x, rows, cols, out, log) => n.softmax(x, rows, cols, out, log),
    channelSum: (x, out, nn, c, inner) => n.channelSum(x, out, nn, c, inner),
    indexSelect: (x, outer, size, inner, idx, out) => n.indexSelect(x, outer, size, inner, idx, out),
    indexAdd: (g, outer, size, inner, idx, gx) => n.indexAdd(g, outer, size, inner, idx, gx),
    gather: (x, outer, size, inner, idx, k, out) => n.gather(x, outer, size, inner, idx, k, out),
    scatterAdd: (g, outer, size, inner, idx, k, gx) => n.scatterAdd(g, outer, size, inner, idx, k, gx),
    conv2d: (x, w, out, g, bias, relu) => n.conv2d(x, w, out, conv(g), bias ?? null, relu ?? false),
    conv2dBackwardInput: (gy, w, gx, g) => n.conv2dBackwardInput(gy, w, gx, conv(g)),
    conv2dBackwardWeight: (x, gy, gw, g) => n.conv2dBackwardWeight(x, gy, gw, conv(g)),
    ...(n.conv2dReluMaxPool2x2 ? { conv2dReluMaxPool2x2: (x: F32, w: F32, bias: F32 | null, out: F32, idx: I32, g: Conv2dGeometry) => n.conv2dReluMaxPool2x2!(x, w, bias, out, idx, conv(g)) } : {}),
    ...(n.conv2dBackwardFromPooled ? {
      conv2dBackwardFromPooled: (gp: F32, idx: I32, act: F32 | null, x: F32, w: F32, gx: F32 | null, gw: F32 | null, gb: F32 | null, g: Conv2dGeometry) =>
        n.conv2dBackwardFromPooled!(gp, idx, act, x, w, gx, gw, gb, conv(g)),
    } : {}),
    maxPool2d: (x, out, idx, g) => n.maxPool2d(x, out, idx, pool(g)),
    maxPool2dBackward: (gy, idx, gx, g) => n.maxPool2dBackward(gy, idx, gx, pool(g)),
    avgPool2d: (x, out, g) => n.avgPool2d(x, out, pool(g)),
    avgPool2dBackward: (gy, gx, g) => n.avgPool2dBackward(gy, gx, pool(g)),
    adamStep: (p, grad, m, v, vmax, a: AdamStepArgs) => {
      optArgs[0] = a.lr; optArgs[1] = a.beta1; optArgs[2] = a.beta2; optArgs[3] = a.eps;
      optArgs[4] = a.weightDecay; optArgs[5] = a.decoupled ? 1 : 0;
      optArgs[6] = a.biasCorrection1; optArgs[7] = a.biasCorrection2;
      n.adamStep(p, grad, m, v, vmax, optArgs);
    },
    sgdStep: (p, grad, buf, a: SgdStepArgs) => {
      optArgs[0] = a.lr; optArgs[1] = a.momentum; optArgs[2] = a.dampening; optArgs[3] = a.nesterov ? 1 : 0;
      optArgs[4] = a.weightDecay; optArgs[5] = a.firstStep ? 1 : 0;
      n.sgdStep(p, grad, buf, optArgs);
    },
  };
}
