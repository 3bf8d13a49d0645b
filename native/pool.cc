// Pooling windows follow PyTorch's CPU kernels: a window is clipped to the input (padding
// never wins a max), a NaN in the window wins the max, and avg pooling's divisor is the
// window clipped to the padded input (count_include_pad) or to the input itself.
#include "pool.h"

#include <cstring>
#include <limits>

#include "simd_kernels.h"
#include "threadpool.h"

namespace tc {
namespace {

constexpr long kGrain = 1 << 14;

inline long max_l(long a, long b) { return a > b ? a : b; }
inline long min_l(long a, long b) { return a < b ? a : b; }

template <class F>
void for_planes(const PoolGeom& g, long work_per_plane, F&& f) {
  parallel_range(g.n * g.c, kGrain / (work_per_plane + 1) + 1, [&](long b, long e, int) {
    for (long p = b; p < e; ++p) f(p);
  });
}

// Non-overlapping 2x2 windows inside the input: SimdTable's max_pool_2x2 kernels.
inline bool is_2x2(const PoolGeom& g) {
  return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && 2 * g.oh <= g.h &&
         2 * g.ow <= g.w;
}

}  // namespace

void max_pool2d(const float* x, float* out, int32_t* idx, const PoolGeom& g) {
  const long hw = g.h * g.w, ohw = g.oh * g.ow;
  if (is_2x2(g)) {  // the common case, vectorized
    auto fn = simd().max_pool_2x2;
    parallel_range(g.n * g.c, kGrain / (ohw * 4 + 1) + 1, [&](long b, long e, int) {
      fn(x + b * hw, out + b * ohw, idx + b * ohw, e - b, g.h, g.w, g.oh, g.ow);
    });
    return;
  }
  for_planes(g, ohw * g.kh * g.kw, [&](long p) {
    const float* xp = x + p * hw;
    float* op = out + p * ohw;
    int32_t* ip = idx + p * ohw;
    for (long oy = 0; oy < g.oh; ++oy) {
      const long y0 = oy * g.sh - g.ph;
      const long ys = max_l(y0, 0), ye = min_l(y0 + g.kh, g.h);
      for (long ox = 0; ox < g.ow; ++ox) {
        const long x0 = ox * g.sw - g.pw;
        const long xs = max_l(x0, 0), xe = min_l(x0 + g.kw, g.w);
        float best = -std::numeric_limits<float>::infinity();
        long bi = ys * g.w + xs;
        for (long yy = ys; yy < ye; ++yy)
          for (long xx = xs; xx < xe; ++xx) {
            const float v = xp[yy * g.w + xx];
            if (v > best || v != v) best = v, bi = yy * g.w + xx;
          }
        op[oy * g.ow + ox] = best;
        ip[oy * g.ow + ox] = static_cast<int32_t>(bi);
      }
    }
  });
}

namespace {

// Plane p's gradient: one pass writing every input once for 2x2 windows whose indices are the
// forward's (one_pass non-null), else zeros and a scatter-add.
void max_pool_backward_plane(const float* gy, const int32_t* idx, float* gx, long p, const PoolGeom& g,
                             bool (*one_pass)(const float*, const int32_t*, float*, long, long, long, long)) {
  const long hw = g.h * g.w, ohw = g.oh * g.ow;
  if (one_pass != nullptr && one_pass(gy + p * ohw, idx + p * ohw, gx + p * hw, g.h, g.w, g.oh, g.ow)) return;
  float* gp = gx + p * hw;
  std::memset(gp, 0, sizeof(float) * hw);
  const float* yp = gy + p * ohw;
  const int32_t* ip = idx + p * ohw;
  for (long i = 0; i < ohw; ++i) gp[ip[i]] += yp[i];
}

}  // namespace

void max_pool2d_backward(const float* gy, const int32_t* idx, float* gx, const PoolGeom& g) {
  const auto one_pass = is_2x2(g) ? simd().max_pool_2x2_backward : nullptr;
  for_planes(g, g.h * g.w + g.oh * g.ow, [&](long p) { max_pool_backward_plane(gy, idx, gx, p, g, one_pass); });
}

void max_pool2d_backward_planes(const float* gy, const int32_t* idx, float* gx, long planes, const PoolGeom& g) {
  const auto one_pass = is_2x2(g) ? simd().max_pool_2x2_backward : nullptr;
  for (long p = 0; p < planes; ++p) max_pool_backward_plane(gy, idx, gx, p, g, one_pass);
}

namespace {
// Window of output (oy, ox): clipped to the input in [ys,ye)x[xs,xe), and its divisor.
struct Window {
  long ys, ye, xs, xe;
  float div;
};
inline Window window(const PoolGeom& g, long oy, long ox) {
  long y0 = oy * g.sh - g.ph, x0 = ox * g.sw - g.pw;
  long y1 = min_l(y0 + g.kh, g.h + g.ph), x1 = min_l(x0 + g.kw, g.w + g.pw);
  const long padded = (y1 - y0) * (x1 - x0);
  Window w;
  w.ys = max_l(y0, 0), w.xs = max_l(x0, 0);
  w.ye = min_l(y1, g.h), w.xe = min_l(x1, g.w);
  w.div = static_cast<float>(g.count_include_pad ? padded : (w.ye - w.ys) * (w.xe - w.xs));
  return w;
}
}  // namespace

void avg_pool2d(const float* x, float* out, const PoolGeom& g) {
  const long hw = g.h * g.w, ohw = g.oh * g.ow;
  for_planes(g, ohw * g.kh * g.kw, [&](long p) {
    const float* xp = x + p * hw;
    float* op = out + p * ohw;
    for (long oy = 0; oy < g.oh; ++oy)
      for (long ox = 0; ox < g.ow; ++ox) {
        const Window w = window(g, oy, ox);
        if (w.ys >= w.ye || w.xs >= w.xe) {  // a window entirely in the padding: 0, as PyTorch
          op[oy * g.ow + ox] = 0.0f;
          continue;
        }
        float s = 0.0f;
        for (long yy = w.ys; yy < w.ye; ++yy)
          for (long xx = w.xs; xx < w.xe; ++xx) s += xp[yy * g.w + xx];
        op[oy * g.ow + ox] = s / w.div;
      }
  });
}

void avg_pool2d_backward(const float* gy, float* gx, const PoolGeom& g) {
  const long hw = g.h * g.w, ohw = g.oh * g.ow;
  for_planes(g, ohw * g.kh * g.kw + hw, [&](long p) {
    float* gp = gx + p * hw;
    std::memset(gp, 0, sizeof(float) * hw);
    const float* yp = gy + p * ohw;
    for (long oy = 0; oy < g.oh; ++oy)
      for (long ox = 0; ox < g.ow; ++ox) {
        const Window w = window(g, oy, ox);
        if (w.ys >= w.ye || w.xs >= w.xe) continue;
        const float v = yp[oy * g.ow + ox] / w.div;
        for (long yy = w.ys; yy < w.ye; ++yy)
          for (long xx = w.xs; xx < w.xe; ++xx) gp[yy * g.w + xx] += v;
      }
  });
}

}  // namespace tc
