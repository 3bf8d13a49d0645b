// A second AVX2 + FMA register tile, 6 x 16 (BLIS's choice for Haswell-class cores: 12 ymm
// accumulators, 2 vectors of B, 6 broadcasts per step), for the install-time measurement to
// weigh against 4 x 24 (gemm_tuning.cc). Same per-element arithmetic as 4 x 24 (one FMA chain over
// the depth per element of C, same KC), so either gives the same bits.
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
#include <array>
#include <cstring>
#include <utility>

#include <immintrin.h>

#include "gemm_kernels.h"

namespace tc {
namespace {
#define TC_MR 6
#define TC_NV 2
#define TC_VW 8
#include "gemm_portable.h"
const GemmImpl impl = {"avx2", MR, NR, 72, 256, 2040, kernel, pack_a, pack_b, edge_panel, VW};
}  // namespace

const GemmImpl* gemm_impl_avx2_6x16() { return &impl; }

}  // namespace tc
#endif
