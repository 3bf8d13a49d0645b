/**
 * Output buffers. Zero-filling a buffer that a kernel then overwrites completely costs a full
 * pass over memory (a 6 MB activation: ~0.3 ms), so ops ask for `emptyF32` where the kernel
 * writes every element, and `new Float32Array` where it accumulates. The default is a zeroed
 * array (browsers); the Node entry installs an uninitialized allocator.
 */
let allocate = (n: number): Float32Array => new Float32Array(n);

/** A float32 buffer of n elements whose contents are unspecified: the caller must write all of them. */
export function emptyF32(n: number): Float32Array {
  return allocate(n);
}

/** An int32 buffer of n elements whose contents are unspecified (pooling's argmax indices). */
export function emptyI32(n: number): Int32Array {
  const f = allocate(n);
  return new Int32Array(f.buffer, f.byteOffset, n);
}

export function setUninitializedAllocator(fn: (n: number) => Float32Array): void {
  allocate = fn;
}
