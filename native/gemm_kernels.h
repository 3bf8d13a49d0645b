// The per-instruction-set pieces of GEMM: a register-blocked micro-kernel and the packing
// routines that lay A and B out for it. Each family lives in its own translation unit
// compiled with its own -m flags; gemm.cc picks one at runtime.
#pragma once

#include "cpu.h"

namespace tc {

// Computes the mr x nr tile C = alpha * Ap·Bp + beta * C from packed panels:
// Ap is kc steps of MR floats (row i of the tile at Ap[p*MR + i]), Bp is kc steps of NR
// floats. mr <= MR, nr <= NR; beta == 0 never reads C.
using MicroKernel = void (*)(long kc, const float* ap, const float* bp, float* c, long ldc, long mr,
                             long nr, float alpha, float beta);

// Computes a column panel of C narrower than the register tile (nr < NR) over all mc rows of a
// packed block of A (its MR-row panels kc * MR floats apart): with fewer columns per tile it can
// take rows from two panels at once, so that enough independent multiply-add chains hide the
// latency. Same results as the micro-kernel tile by tile.
using EdgePanel = void (*)(long kc, const float* ablock, long mc, const float* bp, float* c, long ldc, long nr,
                           float alpha, float beta);

// Packs rows [i0, i0+mc) x depth [p0, p0+kc) of op(A) into ceil(mc/MR) panels (zero padded).
// op(A)(i, p) = trans ? a[p*lda + i] : a[i*lda + p].
using PackA = void (*)(const float* a, long lda, bool trans, long i0, long mc, long p0, long kc,
                       float* dst);
// Packs depth [p0, p0+kc) x columns [j0, j0+nc) of op(B) into ceil(nc/NR) panels, the last
// zero padded at least as far as its kernel reads (to NR, or to whole vectors when the kernel
// reads only those). op(B)(p, j) = trans ? b[j*ldb + p] : b[p*ldb + j].
using PackB = void (*)(const float* b, long ldb, bool trans, long p0, long kc, long j0, long nc,
                       float* dst);

struct GemmImpl {
  const char* name;
  int mr, nr;      // register tile
  long mc, kc, nc; // cache blocks: A block mc x kc, B block kc x nc
  MicroKernel kernel;
  PackA pack_a;
  PackB pack_b;
  EdgePanel edge_panel = nullptr;  // nullptr: the driver runs the micro-kernel tile by tile
  int vw = 0;                      // floats per vector: the finest column split between threads
};

// The cache blocking the driver uses with one implementation. KC (the depth of one pass) is
// fixed per instruction set, because it decides where partial sums are rounded: results then
// depend only on the instruction set and never on the cache sizes. MC and NC (which rows and
// columns share one packed block) change no result and are sized from this CPU's caches.
// The order of the two innermost loops around the micro-kernel. kJrIr (the default): for each
// micro-panel of B (kept in L1), every micro-panel of A streams from L2. kIrJr: for each
// micro-panel of A (kept in L1), every micro-panel of B streams from L2. Each tile of C gets the
// same arithmetic either way; which is faster depends on L1's size against KC x NR floats of B.
enum class GemmOrder { kJrIr = 0, kIrJr = 1 };
const char* gemm_order_name(GemmOrder o);  // "jr-ir" or "ir-jr"

struct GemmBlocking {
  int mr, nr;
  long mc, kc, nc;
  const char* source;  // how the tile and MC/NC were chosen: "measured", "caches", "env" or "built-in"
  GemmOrder order = GemmOrder::kJrIr;
};

// The implementation for an instruction set (nullptr when this build lacks it) and its blocking
// on this CPU. Neither checks that the CPU runs the instruction set: see cpu_isa().
const GemmImpl* gemm_impl_for(Isa isa);
const GemmBlocking& gemm_blocking_for(Isa isa);

const GemmImpl* gemm_impl_generic();
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
const GemmImpl* gemm_impl_avx2();
const GemmImpl* gemm_impl_avx2_6x16();
const GemmImpl* gemm_impl_avx512();
#endif

// MC and NC sized from this CPU's caches for implementation g (its built-in values when the
// cache sizes are unknown).
GemmBlocking gemm_blocking_from_caches(const GemmImpl& g);

// The serial algorithm with an explicit implementation and blocking (the tuner's entry; no
// matrix-vector shortcut). Bit for bit sgemm_serial's result for every candidate of an ISA.
void sgemm_serial_with(const GemmImpl& g, const GemmBlocking& bl, bool transA, bool transB, long m, long n, long k,
                       float alpha, const float* a, long lda, const float* b, long ldb, float beta, float* c, long ldc);

}  // namespace tc
