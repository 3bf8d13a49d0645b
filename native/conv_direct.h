// Direct convolution for shallow windows (a few input channels, e.g. a network's first layer):
// no im2col and no packing. With a depth of (C/groups)*KH*KW = 9, im2col + GEMM ran at ~25
// GFLOP/s: the micro-kernel did 9 steps per tile before storing it, and the weight gradient
// filled 9 of a tile's 24 columns. Here the forward pass vectorizes across output pixels,
// reading the windows straight from a zero-padded copy of the image, with bias, relu and (for
// the fused call) the 2x2 max pool applied in registers; the weight gradient vectorizes across
// output channels, reading gy transposed.
//
// Bit for bit the im2col + GEMM results: each output element is the same sequence of
// multiply-adds as the GEMM computes for it (from 0, in im2col's depth order for the forward
// pass; over pixels in the GEMM's KC blocks, each block's sum added to the running total, for
// the weight gradient), rounded as that instruction set's micro-kernel rounds them
// (conv_direct_kernels.h). The plans decline the geometries where the GEMM would instead take
// its matrix-vector path (one output channel, one window element, or a threaded GEMM that
// could cut off a one-row or one-column block), which sums differently.
#pragma once

#include <cstdint>
#include <vector>

#include "conv.h"

namespace tc {

struct ConvDirectKernels;

// The forward pass of one batch: ready() when the geometry suits the direct kernel (stride 1,
// dilation 1, a shallow window), then image() replaces one image's im2col + GEMMs and
// epilogue, and relu_maxpool2x2() all of conv2d_relu_maxpool2x2.
class DirectConvForward {
 public:
  DirectConvForward(const float* w, const ConvGeom& g);
  bool ready() const { return k_ != nullptr; }
  // out (oc, oh*ow) = the convolution of image x (c, h, w), + bias (if any), relu (if asked);
  // `serial` as for_images passes it (false: the pool is free to split the image's channels).
  void image(const float* x, const float* bias, bool relu, float* out, bool serial) const;
  // The whole batch, as conv2d_relu_maxpool2x2: each pair of conv rows is pooled while in
  // registers, never stored.
  void relu_maxpool2x2(const float* x, const float* bias, float* out, int32_t* idx) const;

 private:
  template <class Run>
  void each_group(const float* x, const float* bias, bool relu, bool pooled, bool serial, Run&& run) const;

  const ConvGeom& g_;
  const ConvDirectKernels* k_ = nullptr;
  long cg_ = 0, ocg_ = 0, ckk_ = 0;
  std::vector<float> wt_;  // per group: its weights transposed, ckk x ocg
  std::vector<int32_t> off_, off_even_, off_odd_;  // im2col order; for forward_pool (conv_direct_kernels.h)
};

// Where image b's output gradient (oc x oh*ow) is: in the batch's array, or made on demand
// (conv2d_backward_from_pooled scatters each image's pooled gradient into cache).
struct GyImages {
  const float* (*of_fn)(const void* ctx, long b);
  const void* ctx;
  const float* of(long b) const { return of_fn(ctx, b); }
};

// The weight gradient: ready() when the geometry suits the direct kernel, then images()
// replaces the GEMMs of conv2d_backward_weight's `accumulate` over a range of images.
class DirectConvWeight {
 public:
  explicit DirectConvWeight(const ConvGeom& g);
  bool ready() const { return k_ != nullptr; }
  // dst (oc x ckk) = sum over images [b0, b1) of gy_b @ col_b^T, summed as the GEMMs sum it
  // with beta = 0 for image b0 and 1 after; gy.of(b) is asked once per group and image, images
  // in order within a group.
  void images(const float* x, const GyImages& gy, long b0, long b1, float* dst, bool serial) const;

 private:
  const ConvGeom& g_;
  const ConvDirectKernels* k_ = nullptr;
  long cg_ = 0, ocg_ = 0, ckk_ = 0, kc_ = 0;
  std::vector<int32_t> off_, qbase_;
};

}  // namespace tc
