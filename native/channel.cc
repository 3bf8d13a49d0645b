// Planes (one image's channel) are the unit of work: contiguous, so the add and the sum
// vectorize; the sum threads over channels so no two threads write the same output.
#include "channel.h"

#include "threadpool.h"

namespace tc {

void channel_bias(const float* x, const float* bias, float* out, long n, long c, long inner) {
  constexpr long kGrain = 1 << 15;
  parallel_range(n * c, kGrain / (inner + 1) + 1, [&](long b, long e, int) {
    for (long p = b; p < e; ++p) {
      const float s = bias[p % c];
      const float* __restrict xp = x + p * inner;
      float* op = out + p * inner;
      for (long i = 0; i < inner; ++i) op[i] = xp[i] + s;
    }
  });
}

void channel_sum(const float* x, float* out, long n, long c, long inner) {
  constexpr long kGrain = 1 << 15;
  parallel_range(c, kGrain / (n * inner + 1) + 1, [&](long b, long e, int) {
    for (long ch = b; ch < e; ++ch) {
      double total = 0.0;
      for (long img = 0; img < n; ++img) {
        const float* __restrict xp = x + (img * c + ch) * inner;
        float acc[16] = {0};  // 16 float lanes: vectorizes without reassociating across lanes
        long i = 0;
        for (; i + 16 <= inner; i += 16)
          for (int l = 0; l < 16; ++l) acc[l] += xp[i + l];
        float plane = 0.0f;
        for (int l = 0; l < 16; ++l) plane += acc[l];
        for (; i < inner; ++i) plane += xp[i];
        total += plane;
      }
      out[ch] = static_cast<float>(total);
    }
  });
}

}  // namespace tc
