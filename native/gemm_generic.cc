// Portable GEMM (SSE2 on x86-64, NEON on arm64 — whatever the baseline vector unit is):
// a 6 x 8 tile of 4-wide vectors, 12 accumulators.
#include <array>
#include <cstring>
#include <utility>

#include "gemm_kernels.h"

namespace tc {
namespace {
#define TC_MR 6
#define TC_NV 2
#define TC_VW 4
#include "gemm_portable.h"
const GemmImpl impl = {"generic", MR, NR, 72, 256, 1024, kernel, pack_a, pack_b, edge_panel, VW};
}  // namespace

const GemmImpl* gemm_impl_generic() { return &impl; }

}  // namespace tc
