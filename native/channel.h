// A convolution's bias gradient over a tensor viewed as [n, c, inner]: one pass instead of a
// strided reduce over three axes.
#pragma once

namespace tc {

// out[ch] = sum over b and i of x[b, ch, i], accumulated in double per plane.
void channel_sum(const float* x, float* out, long n, long c, long inner);

// One plane's float sum as channel_sum adds it up before its double total over images: for
// callers that hold one image at a time and must give channel_sum's bits.
float plane_sum(const float* xp, long inner);
// out[ch] = channel_sum's total from plane sums already taken (planes: n x c, plane_sum's).
void channel_sum_of_planes(const float* planes, float* out, long n, long c);

}  // namespace tc
