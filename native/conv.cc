// Threads split the batch: each image's GEMMs run serially on one core; the forward ones pack
// their right operand straight from the image (conv_pack.h), and so does a stride-1 input
// gradient, run as a forward convolution of gy; the other gradients run over an im2col
// buffer in that core's L2. With fewer images than threads the GEMMs are threaded instead, over
// an im2col buffer. A 1x1, stride-1, unpadded convolution needs no im2col: the image is already
// the matrix. Shallow stride-1 windows (a first layer's) skip im2col and the GEMM: conv_direct.h.
#include "conv.h"

#include <cstring>
#include <optional>

#include "conv_direct.h"
#include "channel.h"
#include "conv_pack.h"
#include "gemm.h"
#include "pool.h"
#include "scratch.h"
#include "simd_kernels.h"
#include "threadpool.h"

namespace tc {
namespace {

thread_local Scratch t_col;

bool is_pointwise(const ConvGeom& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
}

// Runs fn(image, serial) for every image: across the pool with serial GEMMs when there are
// enough images, else one image at a time with threaded GEMMs.
template <class F>
void for_images(long n, F&& fn) {
  if (n >= num_threads()) parallel_for(n, [&](long b, int) { fn(b, true); });
  else
    for (long b = 0; b < n; ++b) fn(b, false);
}

void gemm_any(bool serial, bool ta, bool tb, long m, long n, long k, const float* a, long lda, const float* b, long ldb,
              float beta, float* c, long ldc) {
  if (serial) sgemm_serial(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  else sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

// The weights of every group packed once for the whole batch (their packing was ~7% of a
// per-image GEMM), when the images' GEMMs run serially and are not matrix-vector products.
// Returns null when the per-image GEMMs should pack A themselves.
const float* pack_weights(const float* w, bool trans, long m, long k, long lda, long n_cols, const ConvGeom& g,
                          long group_stride) {
  if (g.n < num_threads() || m <= 1 || n_cols <= 1) return nullptr;
  static thread_local Scratch t_wpack;
  const size_t per = sgemm_packed_a_size(m, k);
  float* dst = t_wpack.get(per * size_t(g.groups));
  for (long gr = 0; gr < g.groups; ++gr) sgemm_pack_a(trans, m, k, w + gr * group_stride, lda, dst + per * gr);
  return dst;
}

}  // namespace

// Adds each channel's bias (if any) and applies relu (if asked) to one image's (oc, ohw)
// output right after its GEMMs wrote it, while it is still in this core's cache.
static void epilogue(float* out, const float* bias, bool relu, long oc, long ohw) {
  for (long ch = 0; ch < oc; ++ch) {
    float* __restrict o = out + ch * ohw;
    const float s = bias != nullptr ? bias[ch] : 0.0f;
    if (bias != nullptr && relu)
      for (long i = 0; i < ohw; ++i) {
        const float v = o[i] + s;
        o[i] = v < 0.0f ? 0.0f : v;  // NaN < 0 is false: NaN passes, as relu
      }
    else if (bias != nullptr)
      for (long i = 0; i < ohw; ++i) o[i] += s;
    else
      for (long i = 0; i < ohw; ++i) o[i] = o[i] < 0.0f ? 0.0f : o[i];
  }
}

namespace {

// How one image's forward pass runs, decided once for the batch: the direct kernel for shallow
// windows, else GEMMs against the weights packed once.
class ForwardPlan {
 public:
  ForwardPlan(const float* w, const ConvGeom& g)
      : g_(g), w_(w), cg_(g.c / g.groups), ocg_(g.oc / g.groups), ckk_(cg_ * g.kh * g.kw), direct_(w, g),
        pointwise_(is_pointwise(g)),
        wpacked_(direct_.ready() ? nullptr : pack_weights(w, false, ocg_, ckk_, ckk_, g.oh * g.ow, g, ocg_ * ckk_)),
        wper_(sgemm_packed_a_size(ocg_, ckk_)) {}

  // Image xb's (oc, oh*ow) output into ob; serial when the batch's images run across the pool.
  void image(const float* xb, const float* bias, bool relu, float* ob, bool serial) const {
    const ConvGeom& g = g_;
    if (direct_.ready()) return direct_.image(xb, bias, relu, ob, serial);  // bias and relu applied in its tiles
    const long cg = cg_, ocg = ocg_, ckk = ckk_, ohw = g.oh * g.ow;
    for (long gr = 0; gr < g.groups; ++gr) {
      const float* xg = xb + gr * cg * g.h * g.w;
      if (!pointwise_ && serial && wpacked_ != nullptr && im2col_packing_fits()) {
        const Im2colSource src = im2col_source(xg, cg, g);
        sgemm_serial_packer(false, ocg, ohw, ckk, 1.0f, nullptr, 0, wpacked_ + wper_ * gr, im2col_packer(src), 0.0f,
                            ob + gr * ocg * ohw, ohw);
        continue;
      }
      const float* col = xg;
      if (!pointwise_) {
        float* buf = t_col.get(size_t(ckk * ohw + kIm2colSlack));
        simd().im2col(xg, cg, g, buf);
        col = buf;
      }
      if (serial && wpacked_ != nullptr)
        sgemm_serial_packed_a(false, ocg, ohw, ckk, 1.0f, wpacked_ + wper_ * gr, col, ohw, 0.0f, ob + gr * ocg * ohw, ohw);
      else
        gemm_any(serial, false, false, ocg, ohw, ckk, w_ + gr * ocg * ckk, ckk, col, ohw, 0.0f, ob + gr * ocg * ohw, ohw);
    }
    if (bias != nullptr || relu) epilogue(ob, bias, relu, g.oc, ohw);
  }

 private:
  const ConvGeom& g_;
  const float* w_;
  const long cg_, ocg_, ckk_;  // input and output channels per group; window depth (the GEMM's k)
  const DirectConvForward direct_;
  const bool pointwise_;
  const float* wpacked_;
  const size_t wper_;
};

// The forward pass, image by image: `out_of(b)` says where image b's (oc, oh*ow) output goes,
// `after(b, ob)` runs once it is complete (while it is still in this core's cache).
template <class OutOf, class After>
void conv2d_images(const float* x, const float* w, const float* bias, bool relu, const ConvGeom& g, OutOf&& out_of,
                   After&& after) {
  const ForwardPlan plan(w, g);
  for_images(g.n, [&](long b, bool serial) {
    float* ob = out_of(b);
    plan.image(x + b * g.c * g.h * g.w, bias, relu, ob, serial);
    after(b, ob);
  });
}

}  // namespace

void conv2d(const float* x, const float* w, const float* bias, bool relu, float* out, const ConvGeom& g) {
  const long ohw = g.oh * g.ow;
  conv2d_images(x, w, bias, relu, g, [&](long b) { return out + b * g.oc * ohw; }, [](long, float*) {});
}

void conv2d_relu_maxpool2x2(const float* x, const float* w, const float* bias, float* out, int32_t* idx,
                            const ConvGeom& g) {
  const DirectConvForward direct(w, g);
  if (direct.ready()) return direct.relu_maxpool2x2(x, bias, out, idx);
  const long ohw = g.oh * g.ow, ph = g.oh / 2, pw = g.ow / 2, phw = ph * pw;
  // Each image's activation lives only in this thread's scratch: pooled while in cache, never
  // written to (or read back from) memory at full size.
  static thread_local Scratch t_act;
  conv2d_images(x, w, bias, true, g, [&](long) { return t_act.get(size_t(g.oc * ohw)); },
                [&](long b, float* act) {
                  simd().max_pool_2x2(act, out + b * g.oc * phw, idx + b * g.oc * phw, g.oc, g.oh, g.ow, ph, pw);
                });
}

namespace {

// A stride-1, undilated, ungrouped window's input gradient is itself a forward convolution:
// gx = conv(gy, w', padding k-1-p) with w'[c][o][i][j] = w[o][c][kh-1-i][kw-1-j]. The forward
// path packs its panels straight from gy, so the column buffer, col2im's scatter-add and the
// zeroing of gx go away (the MNIST CNN's conv2, batch 64, one thread: 8.3 -> 7.3 ms of CPU,
// median of 7 alternating pairs, ratio 0.90 on a Zen 3). Each element is
// then one multiply-add chain over (o, i, j) instead of per-tap chains that col2im adds up, so
// the rounding differs from the column path's (tested against the reference backend).
bool input_grad_as_conv(const ConvGeom& g) {
  return g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.groups == 1 && g.ph < g.kh && g.pw < g.kw &&
         !is_pointwise(g) && g.n >= num_threads() && im2col_packing_fits();
}

// The input gradient's forward convolution: its geometry, over gy's (oc, oh, ow) images.
ConvGeom input_grad_geom(const ConvGeom& g) {
  return ConvGeom{g.n, g.oc, g.oh, g.ow, g.c, g.kh, g.kw, 1, 1, g.kh - 1 - g.ph, g.kw - 1 - g.pw, 1, 1, 1, g.h, g.w};
}

// Its weights w' (c, oc, kh, kw), in the calling thread's scratch.
const float* flipped_weights(const float* w, const ConvGeom& g) {
  static thread_local Scratch t_flipped;
  const long kk = g.kh * g.kw;
  float* wt = t_flipped.get(size_t(g.c * g.oc * kk));
  for (long o = 0; o < g.oc; ++o)
    for (long c = 0; c < g.c; ++c) {
      const float* src = w + (o * g.c + c) * kk;
      float* dst = wt + (c * g.oc + o) * kk;
      for (long t = 0; t < kk; ++t) dst[t] = src[kk - 1 - t];
    }
  return wt;
}

void input_grad_by_conv(const float* gy, const float* w, float* gx, const ConvGeom& g) {
  conv2d(gy, flipped_weights(w, g), nullptr, false, gx, input_grad_geom(g));
}

// Image b's output gradient in the batch's array.
struct BatchGy {
  const float* gy;
  long per_image;
  static const float* of(const void* ctx, long b) {
    const BatchGy* s = static_cast<const BatchGy*>(ctx);
    return s->gy + b * s->per_image;
  }
};

// dst (oc x ckk) = sum over images [b0, b1) of gy_b @ col_b^T, beta = 0 for image b0.
void weight_grad_range(const float* x, const GyImages& gy, long b0, long b1, float* dst, bool serial,
                       const ConvGeom& g, const DirectConvWeight& direct) {
  if (direct.ready()) return direct.images(x, gy, b0, b1, dst, serial);
  const long cg = g.c / g.groups, ocg = g.oc / g.groups;
  const long ohw = g.oh * g.ow, ckk = cg * g.kh * g.kw, hw = g.h * g.w;
  const bool pointwise = is_pointwise(g);
  for (long b = b0; b < b1; ++b) {
    const float* gyb = gy.of(b);  // first: a gradient made on demand may use this thread's im2col buffer
    const float* xb = x + b * g.c * hw;
    for (long gr = 0; gr < g.groups; ++gr) {
      const float* xg = xb + gr * cg * hw;
      const float* col = xg;
      if (!pointwise) {
        float* buf = t_col.get(size_t(ckk * ohw + kIm2colSlack));
        simd().im2col(xg, cg, g, buf);
        col = buf;
      }
      gemm_any(serial, false, true, ocg, ckk, ohw, gyb + gr * ocg * ohw, ohw, col, ohw, b == b0 ? 0.0f : 1.0f,
               dst + gr * ocg * ckk, ckk);
    }
  }
}

// gw over the batch: each task sums a contiguous range of images into its own buffer (task 0
// straight into gw), a few ranges per thread (balance on a busy machine); the buffers are added
// in task order at the end. The ranges depend only on the batch and thread count, so the bits do.
void weight_grad(const float* x, const GyImages& gy, float* gw, const ConvGeom& g) {
  const long wsize = g.oc * (g.c / g.groups) * g.kh * g.kw;
  const DirectConvWeight direct(g);
  const long nt = num_threads();
  if (g.n <= 0) {
    std::memset(gw, 0, sizeof(float) * wsize);
    return;
  }
  if (nt == 1 || g.n < nt) return weight_grad_range(x, gy, 0, g.n, gw, false, g, direct);
  const long tasks = g.n < 4 * nt ? g.n : 4 * nt;
  static thread_local Scratch t_partials;
  float* parts = t_partials.get(size_t((tasks - 1) * wsize));
  parallel_for(tasks, [&](long t, int) {
    const long b0 = g.n * t / tasks, b1 = g.n * (t + 1) / tasks;
    weight_grad_range(x, gy, b0, b1, t == 0 ? gw : parts + (t - 1) * wsize, true, g, direct);
  });
  for (long t = 1; t < tasks; ++t) {
    const float* __restrict p = parts + (t - 1) * wsize;
    for (long i = 0; i < wsize; ++i) gw[i] += p[i];
  }
}

}  // namespace

void conv2d_backward_input(const float* gy, const float* w, float* gx, const ConvGeom& g) {
  if (input_grad_as_conv(g)) return input_grad_by_conv(gy, w, gx, g);
  const long cg = g.c / g.groups, ocg = g.oc / g.groups;
  const long ohw = g.oh * g.ow, ckk = cg * g.kh * g.kw, hw = g.h * g.w;
  const bool pointwise = is_pointwise(g);
  const float* wpacked = pack_weights(w, true, ckk, ocg, ckk, ohw, g, ocg * ckk);
  const size_t wper = sgemm_packed_a_size(ckk, ocg);
  for_images(g.n, [&](long b, bool serial) {
    const float* gyb = gy + b * g.oc * ohw;
    float* gxb = gx + b * g.c * hw;
    if (!pointwise) std::memset(gxb, 0, sizeof(float) * g.c * hw);
    for (long gr = 0; gr < g.groups; ++gr) {
      const float* wg = w + gr * ocg * ckk;
      const float* gyg = gyb + gr * ocg * ohw;
      float* gxg = gxb + gr * cg * hw;
      float* dst = pointwise ? gxg : t_col.get(size_t(ckk * ohw + kIm2colSlack));
      if (serial && wpacked != nullptr)
        sgemm_serial_packed_a(false, ckk, ohw, ocg, 1.0f, wpacked + wper * gr, gyg, ohw, 0.0f, dst, ohw);
      else
        gemm_any(serial, true, false, ckk, ohw, ocg, wg, ckk, gyg, ohw, 0.0f, dst, ohw);
      if (!pointwise) simd().col2im(dst, cg, g, gxg);
    }
  });
}

void conv2d_backward_weight(const float* x, const float* gy, float* gw, const ConvGeom& g) {
  const BatchGy batch{gy, g.oc * g.oh * g.ow};
  weight_grad(x, GyImages{&BatchGy::of, &batch}, gw, g);
}

namespace {

// conv2d_backward_from_pooled's images: image b's gradient scattered from the pooled one into
// this thread's cache; on the way, that image's bias-gradient plane sums and input gradient.
struct PooledGy {
  const float* gp;
  const int32_t* idx;
  const float* act;            // relu's gate (the pooled output), or null: gp is gated
  const ConvGeom* g;
  PoolGeom pg;
  float* planes;               // n x oc plane sums for the bias gradient, or null
  float* gx;                   // or null
  const ForwardPlan* input;    // the input gradient's convolution, when gx
  static const float* of(const void* ctx, long b) {
    const PooledGy& s = *static_cast<const PooledGy*>(ctx);
    const ConvGeom& g = *s.g;
    const long ohw = g.oh * g.ow, phw = s.pg.oh * s.pg.ow;
    static thread_local Scratch t_gy, t_gated;
    float* gyb = t_gy.get(size_t(g.oc * ohw));
    const float* gpb = s.gp + b * g.oc * phw;
    if (s.act != nullptr) {  // relu's gradient, as the reluBackward op computes it
      // The reluBackward op's own kernel (per instruction set): written as a select in this
      // baseline file, GCC made it a branch per element, mispredicted on half of them.
      simd().binary_vv[B_RELU_BACKWARD](gpb, s.act + b * g.oc * phw, t_gated.get(size_t(g.oc * phw)), g.oc * phw);
      gpb = t_gated.p;
    }
    max_pool2d_backward_planes(gpb, s.idx + b * g.oc * phw, gyb, g.oc, s.pg);
    if (s.planes != nullptr)
      for (long ch = 0; ch < g.oc; ++ch) s.planes[b * g.oc + ch] = plane_sum(gyb + ch * ohw, ohw);
    if (s.gx != nullptr) s.input->image(gyb, nullptr, false, s.gx + b * g.c * g.h * g.w, true);
    return gyb;
  }
};

}  // namespace

bool conv2d_backward_from_pooled(const float* gp, const int32_t* idx, const float* act, const float* x, const float* w,
                                 float* gx, float* gw, float* gb, const ConvGeom& g) {
  if (g.groups != 1 || g.n < num_threads() || g.n <= 0 || g.oh < 2 || g.ow < 2) return false;
  if (gx != nullptr && !input_grad_as_conv(g)) return false;
  static thread_local Scratch t_planes;
  const PoolGeom pg{g.n, g.oc, g.oh, g.ow, 2, 2, 2, 2, 0, 0, g.oh / 2, g.ow / 2, false};
  const ConvGeom ig = input_grad_geom(g);
  std::optional<ForwardPlan> input;
  if (gx != nullptr) input.emplace(flipped_weights(w, g), ig);
  const PooledGy src{gp, idx, act, &g, pg, gb != nullptr ? t_planes.get(size_t(g.n * g.oc)) : nullptr, gx,
                     input ? &*input : nullptr};
  const GyImages gy{&PooledGy::of, &src};
  if (gw != nullptr) weight_grad(x, gy, gw, g);
  else parallel_for(g.n, [&](long b, int) { gy.of(b); });
  if (gb != nullptr) channel_sum_of_planes(src.planes, gb, g.n, g.oc);
  return true;
}

}  // namespace tc
