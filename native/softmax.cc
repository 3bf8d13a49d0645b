// Rows are independent: split them over the pool; each row is one vectorized pass for the
// max and one for exp-and-sum (simd_kernels.cc).
#include "softmax.h"

#include "simd_kernels.h"
#include "threadpool.h"

namespace tc {

void softmax(const float* x, long rows, long cols, float* out, bool log) {
  constexpr long kGrain = 1 << 13;  // elements per thread (exp is not free)
  auto row = simd().softmax_row;
  const long grain = cols >= kGrain ? 1 : kGrain / (cols + 1) + 1;
  parallel_range(rows, grain, [&](long b, long e, int) {
    for (long r = b; r < e; ++r) row(x + r * cols, out + r * cols, cols, log);
  });
}

}  // namespace tc
