/**
 * The instantiated GEMM module: its macro-kernel and its linear memory, which is the only place
 * the kernel can read and write. The JavaScript side packs operands into that memory through a
 * Float32Array view; growing the memory detaches the old ArrayBuffer, so the view is re-made
 * whenever the buffer changed. Instantiated once, lazily, synchronously.
 */
import { buildGemmModule, DEFAULT_SHAPE, type GemmKernelShape } from './gemm-module.js';
import { instantiate, type WasmMemory } from './wasm-api.js';

type MacroFn = (
  aPtr: number, bPtr: number, cPtr: number, mTiles: number, nTiles: number,
  kSteps: number, ldcBytes: number, accumulate: number,
) => void;

/** (src, ldBytes, kSteps, panels, dst, panelStrideBytes): see pack-kernels.ts. */
export type PackFn = (src: number, ldBytes: number, kSteps: number, panels: number, dst: number, panelStrideBytes: number) => void;

/** Packing of one operand from its staged copy: `copy` when a k step's panel values are contiguous, `transpose` when k is. */
export interface PackFns { copy: PackFn; transpose: PackFn }

export interface GemmKernel {
  readonly shape: GemmKernelShape;
  /** C (+)= packed A @ packed B; byte addresses into the module memory (see gemm-module.ts). */
  readonly macro: MacroFn;
  /** Wasm packing of A panels (null when MR is not a multiple of 4) and of B panels. */
  readonly packA: PackFns | null;
  readonly packB: PackFns;
  /** A float view over the memory, grown first so it spans at least `bytes` bytes. */
  view(bytes: number): Float32Array;
}

const PAGE = 65536;

export function createGemmKernel(shape: GemmKernelShape = DEFAULT_SHAPE): GemmKernel {
  const inst = instantiate(buildGemmModule(shape));
  const memory = inst.exports.memory as WasmMemory;
  const macro = inst.exports.macro as MacroFn;
  let f32 = new Float32Array(memory.buffer);
  const ex = inst.exports as Record<string, PackFn | undefined>;
  return {
    shape,
    macro,
    packA: ex.packACopy && ex.packATrans ? { copy: ex.packACopy, transpose: ex.packATrans } : null,
    packB: { copy: ex.packBCopy!, transpose: ex.packBTrans! },
    view(bytes: number): Float32Array {
      const have = memory.buffer.byteLength;
      if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE));
      if (f32.buffer !== memory.buffer) f32 = new Float32Array(memory.buffer);
      return f32;
    },
  };
}

let kernel: GemmKernel | null = null;
let loadError: string | null = null;

/** The shared kernel, or null with `gemmKernelError()` saying why (no WebAssembly, no SIMD). */
export function gemmKernel(): GemmKernel | null {
  if (kernel || loadError) return kernel;
  try {
    kernel = createGemmKernel();
  } catch (e) {
    loadError = (e as Error).message;
  }
  return kernel;
}

export function gemmKernelError(): string | null {
  gemmKernel();
  return loadError;
}
