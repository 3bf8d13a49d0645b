// Fused optimizer updates: the per-element loops live in simd_kernels.cc (vectorized per
// instruction set); here they are split across the thread pool.
#include "optim.h"

#include "simd_kernels.h"
#include "threadpool.h"

namespace tc {
namespace {
constexpr long kGrain = 1 << 14;
}

void adam_step(float* p, const float* grad, float* m, float* v, float* vmax, long n, const AdamArgs& a) {
  auto fn = simd().adam;
  parallel_range(n, kGrain, [&](long b, long e, int) { fn(p, grad, m, v, vmax, b, e, a); });
}

void sgd_step(float* p, const float* grad, float* buf, long n, const SgdArgs& a) {
  auto fn = simd().sgd;
  parallel_range(n, kGrain, [&](long b, long e, int) { fn(p, grad, buf, b, e, a); });
}

}  // namespace tc
