// 2-D max and average pooling over NCHW planes, forward and backward.
#pragma once

#include <cstdint>

namespace tc {

struct PoolGeom {
  long n, c, h, w, kh, kw, sh, sw, ph, pw, oh, ow;
  bool count_include_pad;
};

void max_pool2d(const float* x, float* out, int32_t* idx, const PoolGeom& g);
void max_pool2d_backward(const float* gy, const int32_t* idx, float* gx, const PoolGeom& g);
// The same for `planes` consecutive planes on the calling thread (g.n and g.c unused).
void max_pool2d_backward_planes(const float* gy, const int32_t* idx, float* gx, long planes, const PoolGeom& g);
void avg_pool2d(const float* x, float* out, const PoolGeom& g);
void avg_pool2d_backward(const float* gy, float* gx, const PoolGeom& g);

}  // namespace tc
