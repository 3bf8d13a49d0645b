// AVX2 + FMA GEMM: a 6 x 16 tile (12 ymm accumulators), the shape BLIS uses on Haswell/Zen.
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
#include <cstring>

#include "gemm_kernels.h"

namespace tc {
namespace {
#define TC_MR 6
#define TC_NV 2
#define TC_VW 8
#include "gemm_portable.h"
const GemmImpl impl = {"avx2", MR, NR, 72, 256, 2040, kernel, pack_a, pack_b};
}  // namespace

const GemmImpl* gemm_impl_avx2() { return &impl; }

}  // namespace tc
#endif
