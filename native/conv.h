// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d) over NCHW input and
// (OC, C/groups, KH, KW) weights, by im2col + GEMM, and its two gradients.
#pragma once

#include <cstdint>

namespace tc {

struct ConvGeom {
  long n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups, oh, ow;
};

// bias (oc floats) may be null; relu applies relu after the bias.
void conv2d(const float* x, const float* w, const float* bias, bool relu, float* out, const ConvGeom& g);
// relu(conv2d + bias) then 2x2, stride-2 max pooling (floor(oh/2) x floor(ow/2) per plane), with
// the full-size activation never stored: out and idx as max pooling gives them. The numbers
// are those of conv2d (relu) followed by max_pool2d.
void conv2d_relu_maxpool2x2(const float* x, const float* w, const float* bias, float* out, int32_t* idx,
                            const ConvGeom& g);
void conv2d_backward_input(const float* gy, const float* w, float* gx, const ConvGeom& g);
void conv2d_backward_weight(const float* x, const float* gy, float* gw, const ConvGeom& g);
// The convolution's gradients under conv2d_relu_maxpool2x2, from the pooled gradient gp and the
// pool's indices; with act (the op's pooled output) non-null, relu's gate is applied first
// (gp where act > 0, else 0; null: gp is already gated). Each image's full-size gradient is scattered
// into this core's cache and used there by the input, weight and bias gradients, never written
// to memory. gx, gw and gb (oc floats) may each be null (not wanted). The bits are those of
// relu's gradient, max_pool2d_backward, then conv2d_backward_input/_weight and channel_sum. Returns false, having
// written nothing, when the geometry needs the batch-wide path (groups, fewer images than
// threads, an input gradient that is not a stride-1 convolution).
bool conv2d_backward_from_pooled(const float* gp, const int32_t* idx, const float* act, const float* x, const float* w,
                                 float* gx, float* gw, float* gb, const ConvGeom& g);

}  // namespace tc
