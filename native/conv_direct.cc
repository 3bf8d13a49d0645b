// The direct convolution's plans (conv_direct.h): which geometries it takes, the padded image,
// the transposed weights and gy, and how an image's work is split when the pool is free.
#include "conv_direct.h"

#include <cstring>

#include "cpu.h"
#include "conv_direct_kernels.h"
#include "gemm.h"
#include "gemm_kernels.h"
#include "scratch.h"
#include "threadpool.h"

namespace tc {
namespace {

// Window depths up to this go direct. On Zen 3 the direct tiles beat im2col + GEMM at every
// depth measured up to 75 (3 channels of 5x5): by 1.17-1.65x at 72-75 on AVX2, 1.3-1.4x on
// the generic family. At 144 the generic forward pass lost (0.94x). The AVX-512 GEMM (16
// floats a vector, where these tiles have 8) keeps deeper windows: its bound is a guess,
// unmeasured.
long max_direct_depth() { return cpu_isa() == Isa::Avx512 ? 32 : 80; }

// As gemm.cc: below this many multiply-adds one thread does an image's work.
constexpr double kThreadMinMacs = 1 << 19;

const ConvDirectKernels* kernels_for_isa() {
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
  // The AVX-512 micro-kernel rounds as the AVX2 one does (an FMA chain from 0 per element;
  // alpha = 1, beta = 0 or 1 are exact), so the AVX2 tiles give its results too.
  if (cpu_isa() != Isa::Generic) return conv_direct_avx2();
#endif
  return conv_direct_generic();
}

// Stride 1, dilation 1 and a shallow window, with 1x1 unpadded convolutions left to the GEMM
// (they need no im2col), and planes small enough for int32 offsets.
bool direct_geometry(const ConvGeom& g) {
  const long ckk = g.c / g.groups * g.kh * g.kw;
  const bool pointwise = g.kh == 1 && g.kw == 1 && g.ph == 0 && g.pw == 0;
  const double padded = double(g.c / g.groups) * double(g.h + 2 * g.ph) * double(g.w + 2 * g.pw);
  return g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && !pointwise && ckk <= max_direct_depth() &&
         ckk <= gemm_blocking_for(cpu_isa()).kc && padded < double(1L << 30);
}

// Whether the GEMM path would take a matrix-vector product for part of a product with m rows
// and n columns: gemm.cc does for one row or column (n only for the weight gradient's layout),
// and its threaded split (images fewer than threads) can leave a last block of one row (m % MR
// == 1) or one column (n % NR == 1). Conservative: the split may not happen.
bool gemm_may_take_gemv(long m, long n, bool n_too, bool serial) {
  if (m <= 1 || (n_too && n <= 1)) return true;
  if (serial || num_threads() == 1) return false;
  const GemmBlocking& b = gemm_blocking_for(cpu_isa());
  return m % b.mr == 1 || (n_too && n % b.nr == 1);
}

bool images_serial(const ConvGeom& g) { return g.n >= num_threads(); }

// The window's element offsets in the padded planes, in im2col order (c, ky, kx).
std::vector<int32_t> window_offsets(const ConvGeom& g, long cg) {
  const long hp = g.h + 2 * g.ph, wp = g.w + 2 * g.pw;
  std::vector<int32_t> off;
  for (long c = 0; c < cg; ++c)
    for (long ky = 0; ky < g.kh; ++ky)
      for (long kx = 0; kx < g.kw; ++kx) off.push_back(int32_t(c * hp * wp + ky * wp + kx));
  return off;
}

// A zero-padded copy of `planes` input planes (in this thread's scratch), with
// kDirectSlack zeros after it for the tiles' whole-vector reads.
const float* pad_planes(const float* x, long planes, const ConvGeom& g) {
  static thread_local Scratch t_pad;
  const long hp = g.h + 2 * g.ph, wp = g.w + 2 * g.pw, size = planes * hp * wp + kDirectSlack;
  float* xp = t_pad.get(size_t(size));
  std::memset(xp, 0, sizeof(float) * size_t(size));
  for (long c = 0; c < planes; ++c)
    for (long y = 0; y < g.h; ++y)
      std::memcpy(xp + (c * hp + y + g.ph) * wp + g.pw, x + (c * g.h + y) * g.w, sizeof(float) * g.w);
  return xp;
}

inline long round_up(long x, long to) { return (x + to - 1) / to * to; }

// For the fused call: the padded planes with each row split into its even columns, then its
// odd ones, `half` = ceil(wp/2) floats each, so that the even and the odd output columns of a
// pooled window are both contiguous. Padded pixel (y, c) is at row y, column c/2 (+ half if c
// is odd); rows 2*half floats apart.
long split_half(const ConvGeom& g) { return (g.w + 2 * g.pw + 1) / 2; }

std::vector<int32_t> split_offsets(const ConvGeom& g, long cg, bool odd_column) {
  const long hp = g.h + 2 * g.ph, half = split_half(g), row = 2 * half;
  std::vector<int32_t> off;
  for (long c = 0; c < cg; ++c)
    for (long ky = 0; ky < g.kh; ++ky)
      for (long kx = 0; kx < g.kw; ++kx) {
        // Output column 2j (+1 if odd_column) reads padded column 2j + kx (+1).
        const long col = kx + (odd_column ? 1 : 0);
        off.push_back(int32_t(c * hp * row + ky * row + (col % 2 != 0 ? half : 0) + col / 2));
      }
  return off;
}

const float* pad_planes_split(const float* x, long planes, const ConvGeom& g) {
  static thread_local Scratch t_split;
  const long hp = g.h + 2 * g.ph, half = split_half(g), row = 2 * half, size = planes * hp * row + kDirectSlack;
  float* xp = t_split.get(size_t(size));
  std::memset(xp, 0, sizeof(float) * size_t(size));
  for (long c = 0; c < planes; ++c)
    for (long y = 0; y < g.h; ++y) {
      float* r = xp + (c * hp + y + g.ph) * row;
      const float* s = x + (c * g.h + y) * g.w;
      // Input column i is padded column i + pw: the even ones first, then the odd ones.
      const long i0 = g.pw % 2;
      for (long i = i0; i < g.w; i += 2) r[(i + g.pw) / 2] = s[i];
      for (long i = 1 - i0; i < g.w; i += 2) r[half + (i + g.pw) / 2] = s[i];
    }
  return xp;
}

}  // namespace

DirectConvForward::DirectConvForward(const float* w, const ConvGeom& g) : g_(g) {
  cg_ = g.c / g.groups, ocg_ = g.oc / g.groups, ckk_ = cg_ * g.kh * g.kw;
  if (!direct_geometry(g) || g.oh * g.ow <= 1 || gemm_may_take_gemv(ocg_, 0, false, images_serial(g))) return;
  k_ = kernels_for_isa();
  off_ = window_offsets(g, cg_);
  off_even_ = split_offsets(g, cg_, false);
  off_odd_ = split_offsets(g, cg_, true);
  wt_.resize(size_t(g.groups * ckk_ * ocg_));
  for (long gr = 0; gr < g.groups; ++gr)
    for (long o = 0; o < ocg_; ++o)
      for (long p = 0; p < ckk_; ++p) wt_[size_t((gr * ckk_ + p) * ocg_ + o)] = w[(gr * ocg_ + o) * ckk_ + p];
}

// One image, group by group: `run(args, o0, o1)` computes channels [o0, o1) of a group, on
// this thread or (when the pool is free and the image is big enough) split across the pool.
// `pooled`: the input laid out for forward_pool.
template <class Run>
void DirectConvForward::each_group(const float* x, const float* bias, bool relu, bool pooled, bool serial,
                                   Run&& run) const {
  const ConvGeom& g = g_;
  const long nt = num_threads();
  const bool split = !serial && nt > 1 && double(ocg_) * double(g.oh * g.ow) * double(ckk_) >= kThreadMinMacs;
  for (long gr = 0; gr < g.groups; ++gr) {
    const float* xg = x + gr * cg_ * g.h * g.w;
    DirectForwardArgs a{};
    if (pooled) {
      a.xp = pad_planes_split(xg, cg_, g), a.wp = 2 * split_half(g);
      a.off = off_even_.data(), a.off_odd = off_odd_.data();
    } else {
      a.xp = pad_planes(xg, cg_, g), a.wp = g.w + 2 * g.pw, a.off = off_.data();
    }
    a.ckk = ckk_, a.wt = wt_.data() + gr * ckk_ * ocg_, a.ldw = ocg_;
    a.oh = g.oh, a.ow = g.ow, a.bias = bias != nullptr ? bias + gr * ocg_ : nullptr, a.relu = relu;
    if (!split) run(a, gr, 0, ocg_);
    else parallel_for(nt, [&](long t, int) { run(a, gr, ocg_ * t / nt, ocg_ * (t + 1) / nt); });
  }
}

void DirectConvForward::image(const float* x, const float* bias, bool relu, float* out, bool serial) const {
  const long ohw = g_.oh * g_.ow;
  each_group(x, bias, relu, false, serial, [&](DirectForwardArgs& a, long gr, long o0, long o1) {
    a.out = out + gr * ocg_ * ohw;
    k_->forward(a, o0, o1);
  });
}

void DirectConvForward::relu_maxpool2x2(const float* x, const float* bias, float* out, int32_t* idx) const {
  const ConvGeom& g = g_;
  const long phw = (g.oh / 2) * (g.ow / 2);
  auto one = [&](long b, bool serial) {
    each_group(x + b * g.c * g.h * g.w, bias, true, true, serial, [&](DirectForwardArgs& a, long gr, long o0, long o1) {
      a.pout = out + (b * g.oc + gr * ocg_) * phw, a.pidx = idx + (b * g.oc + gr * ocg_) * phw;
      k_->forward_pool(a, o0, o1);
    });
  };
  // As conv.cc's for_images: images across the pool when there are enough of them.
  if (g.n >= num_threads()) parallel_for(g.n, [&](long b, int) { one(b, true); });
  else
    for (long b = 0; b < g.n; ++b) one(b, false);
}

DirectConvWeight::DirectConvWeight(const ConvGeom& g) : g_(g) {
  cg_ = g.c / g.groups, ocg_ = g.oc / g.groups, ckk_ = cg_ * g.kh * g.kw;
  if (!direct_geometry(g) || gemm_may_take_gemv(ocg_, ckk_, true, images_serial(g))) return;
  k_ = kernels_for_isa();
  kc_ = gemm_depth_block(g.oh * g.ow, gemm_blocking_for(cpu_isa()).kc);  // the GEMM's depth blocks over pixels
  off_ = window_offsets(g, cg_);
  const long wp = g.w + 2 * g.pw;
  qbase_.resize(size_t(g.oh * g.ow));
  for (long oy = 0; oy < g.oh; ++oy)
    for (long ox = 0; ox < g.ow; ++ox) qbase_[size_t(oy * g.ow + ox)] = int32_t(oy * wp + ox);
}

void DirectConvWeight::images(const float* x, const GyImages& gy, long b0, long b1, float* dst, bool serial) const {
  const ConvGeom& g = g_;
  const long ohw = g.oh * g.ow, hw = g.h * g.w, ocp = round_up(ocg_, k_->vw), nt = num_threads();
  const bool split = !serial && nt > 1 && double(ocg_) * double(ohw) * double(ckk_) >= kThreadMinMacs;
  // The running sums, transposed (ckk x ocp) so that a vector holds consecutive channels.
  static thread_local Scratch t_sum, t_gyt;
  float* sum = t_sum.get(size_t(ckk_ * ocp));
  float* gyt = t_gyt.get(size_t((ohw < kc_ ? ohw : kc_) * ocp));
  for (long gr = 0; gr < g.groups; ++gr) {
    for (long b = b0; b < b1; ++b) {
      const float* gyg = gy.of(b) + gr * ocg_ * ohw;  // first: making it may pad planes in this thread's buffer
      const float* xp = pad_planes(x + b * g.c * hw + gr * cg_ * hw, cg_, g);
      for (long pc = 0; pc < ohw; pc += kc_) {
        const long kc = ohw - pc < kc_ ? ohw - pc : kc_;
        k_->transpose(gyg + pc, ohw, ocg_, kc, gyt, ocp);
        const DirectWeightArgs a{xp,  off_.data(), ckk_, qbase_.data() + pc, kc, gyt, ocp, ocp / k_->vw,
                                 sum, ocp,         b == b0 && pc == 0};
        if (!split) {
          k_->weight_block(a);
          continue;
        }
        const long tasks = nt < ckk_ ? nt : ckk_;
        parallel_for(tasks, [&](long t, int) {
          const long p0 = ckk_ * t / tasks, p1 = ckk_ * (t + 1) / tasks;
          DirectWeightArgs part = a;
          part.off += p0, part.ckk = p1 - p0, part.c += p0 * ocp;
          k_->weight_block(part);
        });
      }
    }
    float* d = dst + gr * ocg_ * ckk_;
    for (long o = 0; o < ocg_; ++o)
      for (long p = 0; p < ckk_; ++p) d[o * ckk_ + p] = sum[p * ocp + o];
  }
}

}  // namespace tc
