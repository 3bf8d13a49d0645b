// A convolution's bias gradient over a tensor viewed as [n, c, inner]: one pass instead of a
// strided reduce over three axes.
#pragma once

namespace tc {

// out[ch] = sum over b and i of x[b, ch, i], accumulated in double per plane.
void channel_sum(const float* x, float* out, long n, long c, long inner);

}  // namespace tc
