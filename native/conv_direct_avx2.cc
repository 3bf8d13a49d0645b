// The direct convolution's tiles for the AVX2 GEMM family (8-wide vectors, one FMA per
// multiply-add: built in the same static library, with the same flags, as gemm_avx2.cc).
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
#include <array>
#include <cstring>
#include <utility>

#include "conv_direct_kernels.h"

namespace tc {
namespace {
#define TC_VW 8
#include "conv_direct_portable.h"
}  // namespace

const ConvDirectKernels* conv_direct_avx2() { return &kKernels; }

}  // namespace tc
#endif
