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

}  // namespace tc
