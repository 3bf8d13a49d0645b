// Per-channel bias over NCHW-style tensors viewed as [n, c, inner]: the bias add of a
// convolution and its gradient, each one pass instead of a broadcast op and a strided reduce.
#pragma once

namespace tc {

// out[b, ch, i] = x[b, ch, i] + bias[ch]; out may be x.
void channel_bias(const float* x, const float* bias, float* out, long n, long c, long inner);

// out[ch] = sum over b and i of x[b, ch, i], accumulated in double per plane.
void channel_sum(const float* x, float* out, long n, long c, long inner);

}  // namespace tc
