// Single-precision GEMM: C = alpha * op(A) @ op(B) + beta * C, row-major with leading
// dimensions, op = optional transpose. beta == 0 overwrites C without reading it.
#pragma once

#include <cstddef>

namespace tc {

// Multithreaded when the problem is large enough to pay for it (and not already inside a
// pool task, where it runs on the calling thread).
void sgemm(bool transA, bool transB, long m, long n, long k, float alpha, const float* a, long lda,
           const float* b, long ldb, float beta, float* c, long ldc);

// Always on the calling thread (for kernels that parallelize over something else, e.g. conv
// over images).
void sgemm_serial(bool transA, bool transB, long m, long n, long k, float alpha, const float* a,
                  long lda, const float* b, long ldb, float beta, float* c, long ldc);

// The Backend contract's batched form: contiguous operands, per-batch element strides
// (0 broadcasts).
void sgemm_batched(bool transA, bool transB, long m, long n, long k, float alpha, const float* a,
                   const float* b, float beta, float* c, long batch, long strideA, long strideB,
                   long strideC);

// A left operand packed once for many products (a convolution's weights across the images of a
// batch): sgemm_pack_a lays all of op(A) (m x k) out as the serial algorithm's packing would,
// block by block, into sgemm_packed_a_size(m, k) floats; sgemm_serial_packed_a then runs the
// serial algorithm without packing A. Same blocks, same kernel calls: the results are bit for
// bit those of sgemm_serial (except for m == 1 or n == 1, which sgemm_serial does as a
// matrix-vector product).
size_t sgemm_packed_a_size(long m, long k);
// The depth of each KC block for a product of depth k when the blocking's KC is `kc`: k itself
// up to kc * 9/8, else equal blocks no deeper than that. Each block re-reads C and re-packs B,
// so a 288-deep product (a 3x3 window over 32 channels) run as 256 + 32 paid that for an eighth
// of the work: one 288 block is 3.6% faster (64x196x288, one thread, in-process alternation on
// a Zen 3), two of 288 for depth 576 4.7% faster than 256 + 256 + 64; 512, 1024 and 2048 still
// split into 256s. Blocks sum separately, so the depth split is part of the rounding.
long gemm_depth_block(long k, long kc);
void sgemm_pack_a(bool transA, long m, long k, const float* a, long lda, float* dst);
void sgemm_serial_packed_a(bool transB, long m, long n, long k, float alpha, const float* packed_a, const float* b,
                           long ldb, float beta, float* c, long ldc);

// A right operand that packs itself (a convolution's image, read in place of its im2col
// matrix): pack(ctx, p0, kc, j0, nc, nr, dst) writes depth [p0, p0+kc) x columns [j0, j0+nc) of
// op(B) as GemmImpl::pack_b would, ceil(nc/nr) panels of kc x nr floats with the columns past
// nc zero, and may write up to kPackBSlack floats past the last panel. nr is the kernel's NR.
struct BPacker {
  void (*pack)(const void* ctx, long p0, long kc, long j0, long nc, long nr, float* dst);
  const void* ctx;
};
constexpr long kPackBSlack = 16;

// sgemm_serial (packed_a null) or sgemm_serial_packed_a (a, lda, transA unused) with B from a
// packer: same blocks, same kernel calls, so bit for bit their results when m > 1 and n > 1
// (there is no matrix-vector shortcut here: for a single row or column call those instead).
void sgemm_serial_packer(bool transA, long m, long n, long k, float alpha, const float* a, long lda,
                         const float* packed_a, const BPacker& b, float beta, float* c, long ldc);

const char* gemm_kernel_name();

// Gives every pool thread its packing buffers at full size, already faulted in: called when
// the addon loads so that the first products of a fresh process run at steady-state speed.
void gemm_warm_up();

}  // namespace tc
