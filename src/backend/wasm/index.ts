/**
 * The WebAssembly backend: the TypeScript reference backend with its GEMM (and so conv2d and
 * both conv gradients, which are im2col around GEMM) replaced by a WebAssembly SIMD128 kernel
 * this package encodes itself at load time. Browser-portable: no Node imports, one thread,
 * baseline simd128 only (no relaxed SIMD, no threads/SharedArrayBuffer).
 *
 * The module is built and instantiated on first use; where WebAssembly or its SIMD is missing
 * `wasmAvailable()` is false, `wasmUnavailableReason()` says why and `loadWasmBackend()` throws.
 *
 * @example
 * import { loadWasmBackend } from './backend/wasm/index.js';
 * setBackend(loadWasmBackend());
 */
import type { Backend, F32 } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { makeConvKernels } from '../js/conv.js';
import { gemmKernel, gemmKernelError } from './kernel.js';
import { makeWasmGemm } from './gemm.js';

let gemmImpl: Backend['gemm'] | null = null;

function resolveGemm(): Backend['gemm'] {
  const kern = gemmKernel();
  if (!kern) throw new Error(unavailableMessage());
  return (gemmImpl = makeWasmGemm(kern));
}

/** Backend.gemm that instantiates the module on its first call. */
function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: F32, aOff: number, b: F32, bOff: number, beta: number, c: F32, cOff: number,
  batch: number, strideA: number, strideB: number, strideC: number,
): void {
  (gemmImpl ?? resolveGemm())(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, batch, strideA, strideB, strideC);
}

function unavailableMessage(): string {
  return `the wasm backend is unavailable: ${gemmKernelError() ?? 'unknown reason'}. ` +
    'It needs WebAssembly with 128-bit SIMD (Node >= 16.4, Chrome >= 91, Firefox >= 89, Safari >= 16.4); use the js backend instead.';
}

export function wasmAvailable(): boolean {
  return gemmKernel() !== null;
}

/** Why the wasm backend cannot run here, or null when it can. */
export function wasmUnavailableReason(): string | null {
  return wasmAvailable() ? null : unavailableMessage();
}

export const wasmBackend: Backend = {
  ...jsBackend,
  name: 'wasm',
  describe: () => {
    const s = gemmKernel()?.shape;
    return s
      ? `wasm: WebAssembly SIMD128 GEMM (${s.mr}x${4 * s.nv} f32x4 register tile, float32 accumulation, conv via im2col on it), other kernels from the TypeScript backend, 1 thread`
      : unavailableMessage();
  },
  gemm,
  ...makeConvKernels(gemm),
};

/** The wasm backend, after checking it can run here; throws a one-line reason otherwise. */
export function loadWasmBackend(): Backend {
  if (!wasmAvailable()) throw new Error(unavailableMessage());
  return wasmBackend;
}
