/**
 * Staging: one bulk copy of an operand's storage from its JavaScript Float32Array into the
 * wasm memory (Float32Array.set, i.e. memcpy speed), so the wasm packing kernels
 * (pack-kernels.ts) can build the micro-panels of every block from there with SIMD loads.
 *
 * An operand contributes op(X), `outer` x k (A: m x k, B^T: n x k). Its storage is either
 * k-contiguous (outer rows of k: A untransposed, B transposed) or outer-contiguous (k rows of
 * outer). The staged copy is padded with zeros in k up to a multiple of the depth quantum (at
 * least 4, the transpose's step) so a block's padded depth only ever reads zeros past k: padding
 * must be zero, not neighbouring data, or an Inf there would turn a 0 * Inf into NaN.
 */
import type { F32 } from '../backend.js';
import type { PackFns } from './kernel.js';

export interface StagedOperand {
  /** First float of the copy in the memory view. */
  base: number;
  /** Float stride between source rows of the copy (k-contiguous: >= k; else outer). */
  ld: number;
  kContiguous: boolean;
}

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;

/** Floats the staged copy of an outer x k operand takes, given the depth quantum kq. */
export function stagedFloats(outer: number, k: number, kContiguous: boolean, kq: number): number {
  return kContiguous ? outer * roundUp(k, kq) : (k + kq) * outer;
}

/** Copies the operand at x[off...] into mem[base...] with zero depth padding. */
export function stage(
  x: F32, off: number, outer: number, k: number, kContiguous: boolean, kq: number, mem: F32, base: number,
): StagedOperand {
  if (!kContiguous) {
    // k rows of `outer` floats, then kq rows of zeros for the padded depth of the last block.
    mem.set(x.subarray(off, off + k * outer), base);
    mem.fill(0, base + k * outer, base + (k + kq) * outer);
    return { base, ld: outer, kContiguous };
  }
  const ld = roundUp(k, kq);
  if (ld === k) {
    mem.set(x.subarray(off, off + outer * k), base);
  } else {
    // Rows re-strided to a whole number of transpose steps, each row's tail zeroed.
    for (let i = 0; i < outer; i++) {
      const d = base + i * ld;
      mem.set(x.subarray(off + i * k, off + (i + 1) * k), d);
      mem.fill(0, d + k, d + ld);
    }
  }
  return { base, ld, kContiguous };
}

/**
 * Packs `panels` full micro-panels of width `width` covering op(X) rows outer0 .. outer0 +
 * panels*width at depth p0 .. p0 + kcPad into mem[dst...] (panel stride kcPad*width floats).
 * kcPad must be a multiple of 4 and p0 + kcPad within the staged (zero-padded) depth.
 */
export function packStaged(
  st: StagedOperand, fns: PackFns, width: number, outer0: number, panels: number,
  p0: number, kcPad: number, dst: number,
): void {
  if (panels <= 0) return;
  if (st.kContiguous) {
    fns.transpose((st.base + outer0 * st.ld + p0) * 4, st.ld * 4, kcPad, panels, dst * 4, kcPad * width * 4);
  } else {
    fns.copy((st.base + p0 * st.ld + outer0) * 4, st.ld * 4, kcPad, panels, dst * 4, kcPad * width * 4);
  }
}
