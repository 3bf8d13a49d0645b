// Threads split the channels, so no two threads write the same output; each plane (one
// image's channel) is contiguous and its sum vectorizes.
#include "channel.h"

#include "threadpool.h"

namespace tc {

float plane_sum(const float* __restrict xp, long inner) {
  float acc[16] = {0};  // 16 float lanes: vectorizes without reassociating across lanes
  long i = 0;
  for (; i + 16 <= inner; i += 16)
    for (int l = 0; l < 16; ++l) acc[l] += xp[i + l];
  float plane = 0.0f;
  for (int l = 0; l < 16; ++l) plane += acc[l];
  for (; i < inner; ++i) plane += xp[i];
  return plane;
}

void channel_sum(const float* x, float* out, long n, long c, long inner) {
  constexpr long kGrain = 1 << 15;
  parallel_range(c, kGrain / (n * inner + 1) + 1, [&](long b, long e, int) {
    for (long ch = b; ch < e; ++ch) {
      double total = 0.0;
      for (long img = 0; img < n; ++img) total += plane_sum(x + (img * c + ch) * inner, inner);
      out[ch] = static_cast<float>(total);
    }
  });
}

void channel_sum_of_planes(const float* planes, float* out, long n, long c) {
  for (long ch = 0; ch < c; ++ch) {
    double total = 0.0;  // image by image, in double, as channel_sum adds its planes
    for (long img = 0; img < n; ++img) total += planes[img * c + ch];
    out[ch] = static_cast<float>(total);
  }
}

}  // namespace tc
