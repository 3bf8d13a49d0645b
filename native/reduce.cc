#include "reduce.h"

#include <cmath>
#include <limits>

#include "scratch.h"
#include "simd_kernels.h"
#include "threadpool.h"

namespace tc {
namespace {

constexpr long kGrain = 1 << 15;  // elements per thread before a reduction is split

// Sum of a contiguous run in double (as the reference backend) with 16 independent partial
// sums, which vectorizes without reassociation flags.
float sum_contiguous(const float* __restrict x, long n) {
  double acc[16] = {0};
  long i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; ++j) acc[j] += x[i + j];
  double tail = 0.0;
  for (; i < n; ++i) tail += x[i];
  for (int w = 8; w >= 1; w /= 2)
    for (int j = 0; j < w; ++j) acc[j] += acc[j + w];
  return static_cast<float>(acc[0] + tail);
}

thread_local Scratch t_acc;

// max/min of a contiguous run, NaN-propagating.
template <bool Max>
float extreme_contiguous(const float* __restrict x, long n) {
  const float init = Max ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  float acc[16];
  int nan[16];
  for (int j = 0; j < 16; ++j) acc[j] = init, nan[j] = 0;
  long i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; ++j) {
      const float v = x[i + j];
      acc[j] = Max ? (v > acc[j] ? v : acc[j]) : (v < acc[j] ? v : acc[j]);
      nan[j] |= v != v;
    }
  float r = init;
  bool any_nan = false;
  for (int j = 0; j < 16; ++j) {
    r = Max ? (acc[j] > r ? acc[j] : r) : (acc[j] < r ? acc[j] : r);
    any_nan |= nan[j] != 0;
  }
  for (; i < n; ++i) {
    const float v = x[i];
    r = Max ? (v > r ? v : r) : (v < r ? v : r);
    any_nan |= v != v;
  }
  return any_nan ? std::numeric_limits<float>::quiet_NaN() : r;
}

}  // namespace

void reduce(int op, const float* x, long outer, long size, long inner, float* out) {
  const float init = op == R_SUM ? 0.0f
                     : op == R_MAX ? -std::numeric_limits<float>::infinity()
                                   : std::numeric_limits<float>::infinity();
  if (inner == 1) {
    const long grain = size >= kGrain ? 1 : kGrain / (size + 1) + 1;
    parallel_range(outer, grain, [&](long b, long e, int) {
      for (long o = b; o < e; ++o) {
        const float* r = x + o * size;
        out[o] = op == R_SUM ? sum_contiguous(r, size)
                 : op == R_MAX ? extreme_contiguous<true>(r, size)
                               : extreme_contiguous<false>(r, size);
      }
    });
    return;
  }
  // Rows of `inner` elements accumulate elementwise (vectorizes along inner). Split the
  // work over outer, or over inner when outer is small.
  const long per_outer = size * inner;
  auto run = [&](long o, long i0, long i1) {
    float* __restrict dst = out + o * inner;
    const float* src = x + o * per_outer;
    if (op == R_SUM) {
      // Accumulate in double, row after row (the reference backend's order).
      const long len = i1 - i0;
      double* __restrict acc = reinterpret_cast<double*>(t_acc.get(size_t(2 * len)));
      for (long i = 0; i < len; ++i) acc[i] = 0.0;
      for (long s = 0; s < size; ++s) {
        const float* __restrict r = src + s * inner + i0;
        for (long i = 0; i < len; ++i) acc[i] += r[i];
      }
      for (long i = 0; i < len; ++i) dst[i0 + i] = static_cast<float>(acc[i]);
    } else {
      for (long i = i0; i < i1; ++i) dst[i] = init;
      const bool mx = op == R_MAX;
      for (long s = 0; s < size; ++s) {
        const float* __restrict r = src + s * inner;
        for (long i = i0; i < i1; ++i) {
          const float v = r[i], d = dst[i];
          // NaN sticks: once d is NaN it stays (comparisons with NaN are false).
          dst[i] = (d != d) ? d : (v != v) ? v : (mx ? (v > d ? v : d) : (v < d ? v : d));
        }
      }
    }
  };
  if (outer >= num_threads() || outer * per_outer < 2 * kGrain) {
    const long grain = per_outer >= kGrain ? 1 : kGrain / (per_outer + 1) + 1;
    parallel_range(outer, grain, [&](long b, long e, int) {
      for (long o = b; o < e; ++o) run(o, 0, inner);
    });
  } else {
    for (long o = 0; o < outer; ++o)
      parallel_range(inner, kGrain / (size + 1) + 16, [&](long b, long e, int) { run(o, b, e); });
  }
}

void arg_reduce(bool is_max, const float* x, long outer, long size, long inner, int* out) {
  if (size == 0) {
    for (long i = 0; i < outer * inner; ++i) out[i] = 0;
    return;
  }
  const long per_outer = size * inner;
  const long grain = per_outer >= kGrain ? 1 : kGrain / (per_outer + 1) + 1;
  parallel_range(outer, grain, [&](long b, long e, int) {
    for (long o = b; o < e; ++o) {
      const float* src = x + o * per_outer;
      for (long i = 0; i < inner; ++i) {
        float best = src[i];
        long bi = 0;
        if (best == best) {
          for (long s = 1; s < size; ++s) {
            const float v = src[s * inner + i];
            if (v != v) {
              bi = s;
              break;
            }
            if (is_max ? v > best : v < best) best = v, bi = s;
          }
        }
        out[o * inner + i] = static_cast<int>(bi);
      }
    }
  });
}

double sum_squares(const float* x, long n) { return simd().sum_squares(x, n); }

}  // namespace tc
