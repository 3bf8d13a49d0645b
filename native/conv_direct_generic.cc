// The direct convolution's tiles for the generic GEMM family (4-wide vectors, no FMA: a
// multiply then an add, as gemm_generic.cc; this file gets the addon's -ffp-contract=off).
#include <array>
#include <cstring>
#include <utility>

#include "conv_direct_kernels.h"

namespace tc {
namespace {
#define TC_VW 4
#include "conv_direct_portable.h"
}  // namespace

const ConvDirectKernels* conv_direct_generic() { return &kKernels; }

}  // namespace tc
