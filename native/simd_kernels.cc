// Compiled three times: as part of the addon (baseline flags) and in the AVX2 and AVX-512
// static libraries with TC_SIMD_VARIANT set. Always with -ffp-contract=off, so a*b+c stays
// two roundings, as in the reference backend.
#include "simd_kernels.h"

#include "scratch.h"

#include <cmath>
#include <cstring>
#include <cstdint>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#ifndef TC_SIMD_VARIANT
#define TC_SIMD_VARIANT generic
#endif
#define TC_CAT2(a, b) a##b
#define TC_CAT(a, b) TC_CAT2(a, b)

namespace tc {
namespace TC_CAT(simd_, TC_SIMD_VARIANT) {
namespace {

template <int Op>
void unary_loop(const float* __restrict x, float* __restrict out, long n) {
  for (long i = 0; i < n; ++i) out[i] = unary_fn<Op>(x[i]);
}
template <int Op>
void vv_loop(const float* __restrict a, const float* __restrict b, float* __restrict out, long n) {
  for (long i = 0; i < n; ++i) out[i] = binary_fn<Op>(a[i], b[i]);
}
template <int Op>
void vs_loop(const float* __restrict a, float s, float* __restrict out, long n) {
  if (Op == B_POW && s == 2.0f) {  // x ** 2, the common case
    for (long i = 0; i < n; ++i) out[i] = a[i] * a[i];
    return;
  }
  for (long i = 0; i < n; ++i) out[i] = binary_fn<Op>(a[i], s);
}
template <int Op>
void sv_loop(float s, const float* __restrict b, float* __restrict out, long n) {
  for (long i = 0; i < n; ++i) out[i] = binary_fn<Op>(s, b[i]);
}

// torch.clamp: NaN stays NaN; lo > hi gives hi.
void clamp_loop(const float* __restrict x, float lo, float hi, float* __restrict out, long n) {
  for (long i = 0; i < n; ++i) {
    float v = x[i];
    v = v < lo ? lo : v;
    out[i] = v > hi ? hi : v;
  }
}

void where_loop(const float* __restrict c, const float* __restrict a, const float* __restrict b, float* __restrict out,
                long n) {
  for (long i = 0; i < n; ++i) out[i] = c[i] != 0.0f ? a[i] : b[i];
}

// torch.optim.Adam / AdamW, in float32 like PyTorch's CPU kernels:
//   AdamW: p *= 1 - lr*wd;  Adam with wd: g = g + wd*p
//   m = lerp(m, g, 1-b1);  v = b2*v + (1-b2)*g*g;  AMSGrad: vmax = maximum(vmax, v)
//   p -= (lr/bc1) * m / (sqrt(v or vmax) / sqrt(bc2) + eps)
void adam_loop(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
               float* __restrict vmax, long b, long e, const AdamArgs& a) {
  const float b2 = float(a.beta2), w1 = float(1.0 - a.beta1), w2 = float(1.0 - a.beta2), eps = float(a.eps);
  const float step = float(a.lr / a.bias_correction1);
  const float inv_bc2_sqrt = float(1.0 / std::sqrt(a.bias_correction2));
  const float decay = a.weight_decay != 0.0 && a.decoupled ? float(1.0 - a.lr * a.weight_decay) : 1.0f;
  const float l2 = a.weight_decay != 0.0 && !a.decoupled ? float(a.weight_decay) : 0.0f;
  if (vmax == nullptr && l2 == 0.0f) {
    for (long i = b; i < e; ++i) {
      const float pi = p[i] * decay, gi = g[i];
      const float mi = m[i] + w1 * (gi - m[i]);
      const float vi = b2 * v[i] + w2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = pi - step * (mi / (std::sqrt(vi) * inv_bc2_sqrt + eps));
    }
    return;
  }
  for (long i = b; i < e; ++i) {
    const float pi = p[i] * decay;
    const float gi = l2 == 0.0f ? g[i] : g[i] + l2 * pi;
    const float mi = m[i] + w1 * (gi - m[i]);
    float vi = b2 * v[i] + w2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    if (vmax != nullptr) {
      const float old = vmax[i];
      vi = (old > vi || old != old) ? old : vi;
      vmax[i] = vi;
    }
    p[i] = pi - step * (mi / (std::sqrt(vi) * inv_bc2_sqrt + eps));
  }
}

// torch.optim.SGD:  g = g + wd*p;  buf = first ? g : momentum*buf + (1-dampening)*g
//                   g = nesterov ? g + momentum*buf : buf;  p -= lr*g
void sgd_loop(float* __restrict p, const float* __restrict g, float* __restrict buf, long b, long e,
              const SgdArgs& a) {
  const float lr = float(a.lr), wd = float(a.weight_decay), mom = float(a.momentum), keep = float(1.0 - a.dampening);
  if (buf == nullptr) {
    for (long i = b; i < e; ++i) {
      const float d = wd != 0.0f ? g[i] + wd * p[i] : g[i];
      p[i] = p[i] - lr * d;
    }
    return;
  }
  for (long i = b; i < e; ++i) {
    const float d = wd != 0.0f ? g[i] + wd * p[i] : g[i];
    const float bi = a.first_step ? d : mom * buf[i] + keep * d;
    buf[i] = bi;
    const float step = a.nesterov ? d + mom * bi : bi;
    p[i] = p[i] - lr * step;
  }
}

#include "pool_2x2_kernels.h"

// Max (NaN-propagating), then exp(x - max) summed in float, scaled by the reciprocal (as
// PyTorch's vectorized kernel); log-softmax is (x - max) - log(sum). A row of all -inf gives
// NaN, as in PyTorch.
void softmax_row(const float* __restrict x, float* __restrict y, long n, bool log) {
  float m = -__builtin_inff();
  bool nan = false;
  for (long j = 0; j < n; ++j) {
    m = x[j] > m ? x[j] : m;
    nan |= x[j] != x[j];
  }
  if (nan) m = __builtin_nanf("");
  float sum = 0.0f;
  if (log) {
    for (long j = 0; j < n; ++j) sum += vm::exp(x[j] - m);
    const float lse = vm::log(sum);
    for (long j = 0; j < n; ++j) y[j] = (x[j] - m) - lse;
  } else {
    for (long j = 0; j < n; ++j) {
      const float e = vm::exp(x[j] - m);
      y[j] = e;
      sum += e;
    }
    const float inv = 1.0f / sum;
    for (long j = 0; j < n; ++j) y[j] *= inv;
  }
}

// One output row of im2col: d[ox] = s[ox * sw] for ox in [ox0, ox1), 0 elsewhere in [0, ow).
// s may point outside the image; only [ox0, ox1) is read. The AVX-512 path stores whole
// vectors and so may write up to 15 floats past d[ow): rows are produced in increasing
// address order and the column buffer has 16 floats of slack, so the spill is overwritten
// or harmless (masked stores are slow on some cores; masked loads are not).
inline void im2col_row(float* __restrict d, const float* s, long sw, long ox0, long ox1, long ow) {
#if defined(__AVX512F__)
  if (sw == 1) {
    for (long o = 0; o < ow; o += 16) {
      const long cnt = ow - o < 16 ? ow - o : 16;
      const long lo = ox0 - o < 0 ? 0 : ox0 - o, hi = ox1 - o < cnt ? ox1 - o : cnt;
      const __mmask16 valid = hi > lo ? __mmask16(((1u << hi) - 1) & ~((1u << lo) - 1)) : __mmask16(0);
      _mm512_storeu_ps(d + o, _mm512_maskz_loadu_ps(valid, s + o));
    }
    return;
  }
#endif
  for (long ox = 0; ox < ox0; ++ox) d[ox] = 0.0f;
  for (long ox = ox0; ox < ox1; ++ox) d[ox] = s[ox * sw];
  for (long ox = ox1; ox < ow; ++ox) d[ox] = 0.0f;
}

// The adjoint: d[ox * sw] += s[ox] for ox in [ox0, ox1).
inline void col2im_row(float* d, const float* __restrict s, long sw, long ox0, long ox1) {
#if defined(__AVX512F__)
  if (sw == 1) {
    for (long o = ox0; o < ox1; o += 16) {
      const long cnt = ox1 - o < 16 ? ox1 - o : 16;
      const __mmask16 m = __mmask16((1u << cnt) - 1);
      _mm512_mask_storeu_ps(d + o, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, d + o), _mm512_maskz_loadu_ps(m, s + o)));
    }
    return;
  }
#endif
  for (long ox = ox0; ox < ox1; ++ox) d[ox * sw] += s[ox];
}

// For kernel offset k (dilated) and output size o with stride s and padding p over an input
// of size n: the output range [lo, hi) whose input position o*s - p + k lies inside [0, n).
inline void valid_range(long k, long s, long p, long n, long o, long& lo, long& hi) {
  const long a = p - k;  // o*s - p + k >= 0  <=>  o >= ceil((p - k) / s)
  lo = a <= 0 ? 0 : (a + s - 1) / s;
  const long b = n - 1 + p - k;  // o*s - p + k <= n - 1  <=>  o <= floor((n - 1 + p - k) / s)
  hi = b < 0 ? 0 : b / s + 1;
  if (hi > o) hi = o;
  if (lo > hi) lo = hi;
}

// "Same" geometry at stride 1 (output as wide as the input, e.g. 3x3 with padding 1): output
// position i = oy*W + ox maps to input position i + shift, so col2im can add each (c, ky, kx)
// row of col with one contiguous loop from the first to the last valid position, once the
// entries in between that fall in the side padding (they alias the neighbouring input row)
// are zeroed. Rows of a 14-wide image are too short for a row-by-row loop to be anything but
// overhead.
inline bool same_stride1(const ConvGeom& g) { return g.sh == 1 && g.sw == 1 && g.ow == g.w; }

struct SameSpan {
  long oy0, oy1, ox0, ox1;  // valid output rows and columns
  long lo, hi;              // [lo, hi): first to last valid output position
  long shift;               // input position = output position + shift
  bool empty() const { return lo >= hi; }
};

inline SameSpan same_span(const ConvGeom& g, long ky, long kx) {
  SameSpan s;
  valid_range(ky * g.dh, 1, g.ph, g.h, g.oh, s.oy0, s.oy1);
  valid_range(kx * g.dw, 1, g.pw, g.w, g.ow, s.ox0, s.ox1);
  s.lo = s.oy0 * g.ow + s.ox0;
  s.hi = s.oy1 > s.oy0 && s.ox1 > s.ox0 ? (s.oy1 - 1) * g.ow + s.ox1 : s.lo;
  s.shift = (ky * g.dh - g.ph) * g.w + kx * g.dw - g.pw;
  return s;
}

// Zeroes the side-padding columns of rows oy0..oy1 within [lo, hi).
inline void zero_side_columns(float* row0, const ConvGeom& g, const SameSpan& s) {
  for (long oy = s.oy0; oy < s.oy1; ++oy) {
    float* r = row0 + oy * g.ow;
    if (oy > s.oy0)
      for (long ox = 0; ox < s.ox0; ++ox) r[ox] = 0.0f;
    if (oy + 1 < s.oy1)
      for (long ox = s.ox1; ox < g.ow; ++ox) r[ox] = 0.0f;
  }
}

// Stride-1 im2col through a zero-padded copy of the image (per thread, reused): every output
// row of a (c, ky, kx) slice is then a run of fixed 16-float copies from inside the padded
// image, with no bounds logic. Rows are written in increasing order, so a copy's overrun past
// the row's end is overwritten by the next row's copy; the last one lands in col's slack.
constexpr long kChunk = 16;
static_assert(kChunk <= kIm2colSlack, "the last row's overrun must fit in col's slack");

inline void copy_chunk(float* __restrict d, const float* __restrict s) {
  for (long i = 0; i < kChunk; ++i) d[i] = s[i];
}

void im2col_stride1(const float* x, long channels, const ConvGeom& g, float* col) {
  static thread_local Scratch t_padded;
  const long hp = g.h + 2 * g.ph, wp = g.w + 2 * g.pw, ohw = g.oh * g.ow;
  // Reads run up to a chunk past the last padded row's window: keep that much zeroed slack.
  float* xp = t_padded.get(size_t(channels * hp * wp + kChunk));
  std::memset(xp, 0, sizeof(float) * (channels * hp * wp + kChunk));
  for (long c = 0; c < channels; ++c)
    for (long y = 0; y < g.h; ++y)
      std::memcpy(xp + (c * hp + y + g.ph) * wp + g.pw, x + (c * g.h + y) * g.w, sizeof(float) * g.w);
  for (long c = 0; c < channels; ++c)
    for (long ky = 0; ky < g.kh; ++ky)
      for (long kx = 0; kx < g.kw; ++kx) {
        float* dst = col + ((c * g.kh + ky) * g.kw + kx) * ohw;
        const float* src = xp + (c * hp + ky * g.dh) * wp + kx * g.dw;
        for (long oy = 0; oy < g.oh; ++oy) {
          const float* s = src + oy * g.sh * wp;
          float* d = dst + oy * g.ow;
          for (long o = 0; o < g.ow; o += kChunk) copy_chunk(d + o, s + o);
        }
      }
}

// col2im for "same" stride-1 geometry: the side-padding entries of col are zeroed first (col is
// scratch), so one contiguous add per (c, ky, kx) row adds exactly zero at the positions that
// alias the neighbouring input row.
void col2im_same(float* col, long channels, const ConvGeom& g, float* x) {
  const long ohw = g.oh * g.ow;
  for (long c = 0; c < channels; ++c) {
    float* xc = x + c * g.h * g.w;
    for (long ky = 0; ky < g.kh; ++ky)
      for (long kx = 0; kx < g.kw; ++kx) {
        float* src = col + ((c * g.kh + ky) * g.kw + kx) * ohw;
        const SameSpan s = same_span(g, ky, kx);
        if (s.empty()) continue;
        zero_side_columns(src, g, s);
        float* __restrict dst = xc + s.shift;
        const float* __restrict from = src;
        for (long i = s.lo; i < s.hi; ++i) dst[i] += from[i];
      }
  }
}

void im2col_impl(const float* x, long channels, const ConvGeom& g, float* col) {
  const long ohw = g.oh * g.ow;
  if (g.sw == 1) {
    im2col_stride1(x, channels, g, col);
    return;
  }
  for (long c = 0; c < channels; ++c) {
    const float* xc = x + c * g.h * g.w;
    for (long ky = 0; ky < g.kh; ++ky) {
      long oy0, oy1;
      valid_range(ky * g.dh, g.sh, g.ph, g.h, g.oh, oy0, oy1);
      for (long kx = 0; kx < g.kw; ++kx) {
        long ox0, ox1;
        valid_range(kx * g.dw, g.sw, g.pw, g.w, g.ow, ox0, ox1);
        float* dst = col + ((c * g.kh + ky) * g.kw + kx) * ohw;
        for (long i = 0; i < oy0 * g.ow; ++i) dst[i] = 0.0f;
        for (long oy = oy0; oy < oy1; ++oy)
          im2col_row(dst + oy * g.ow, xc + (oy * g.sh - g.ph + ky * g.dh) * g.w - g.pw + kx * g.dw, g.sw, ox0, ox1,
                     g.ow);
        for (long i = oy1 * g.ow; i < ohw; ++i) dst[i] = 0.0f;
      }
    }
  }
}

void col2im_impl(float* col, long channels, const ConvGeom& g, float* x) {
  const long ohw = g.oh * g.ow;
  if (same_stride1(g)) {
    col2im_same(col, channels, g, x);
    return;
  }
  for (long c = 0; c < channels; ++c) {
    float* xc = x + c * g.h * g.w;
    for (long ky = 0; ky < g.kh; ++ky) {
      long oy0, oy1;
      valid_range(ky * g.dh, g.sh, g.ph, g.h, g.oh, oy0, oy1);
      for (long kx = 0; kx < g.kw; ++kx) {
        long ox0, ox1;
        valid_range(kx * g.dw, g.sw, g.pw, g.w, g.ow, ox0, ox1);
        const float* src = col + ((c * g.kh + ky) * g.kw + kx) * ohw;
        for (long oy = oy0; oy < oy1; ++oy)
          col2im_row(xc + (oy * g.sh - g.ph + ky * g.dh) * g.w - g.pw + kx * g.dw, src + oy * g.ow, g.sw, ox0, ox1);
      }
    }
  }
}

// ---- Implicit im2col (conv_pack.h): B panels packed straight from the padded image ----
// The offsets a packing loop applies on every row are copied into locals (registers) first:
// read from an array inside the loop, they made the same stores about three times slower
// (the loads wait on the stores in flight).

// Walks the depth index p = (c*KH + ky)*KW + kx of im2col's rows in order; off is where tap
// (c, ky, kx) of the window at output (0, 0) lies in the padded image.
struct TapWalk {
  long kw, kh, kx, ky, off;
  long step_x, step_y, step_c;  // off's change to the next kx, the next ky, the next channel
  TapWalk(const Im2colSource& s, long p)
      : kw(s.kw), kh(s.kh), kx(p % s.kw), ky(p / s.kw % s.kh),
        off((p / s.kw / s.kh * s.hp + ky * s.dh) * s.wp + kx * s.dw), step_x(s.dw),
        step_y(s.dh * s.wp - (s.kw - 1) * s.dw), step_c((s.hp - (s.kh - 1) * s.dh) * s.wp - (s.kw - 1) * s.dw) {}
  void next() {
    if (++kx < kw) {
      off += step_x;
    } else if (kx = 0, ++ky < kh) {
      off += step_y;
    } else {
      ky = 0;
      off += step_c;
    }
  }
};

// Walks the output pixels j = oy*OW + ox in order; at is where pixel j's window starts in the
// padded image.
struct PixelWalk {
  long ow, ox, at, step_x, step_y;  // at's change to the next pixel in the row, to the next row
  PixelWalk(const Im2colSource& s, long j)
      : ow(s.ow), ox(j % s.ow), at(j / s.ow * s.sh * s.wp + ox * s.sw), step_x(s.sw),
        step_y(s.sh * s.wp - (s.ow - 1) * s.sw) {}
  void next() {
    if (++ox < ow) {
      at += step_x;
    } else {
      ox = 0;
      at += step_y;
    }
  }
};

alignas(64) constexpr float kZeros[kChunk] = {};

// One 16-float copy into a forward panel's row: row[q, q+16) = image[tap + at, +16).
struct Piece {
  long q, at;
};

// The rows of one forward panel, n pieces each, then columns [zq, nr) zeroed. Every write lands
// at or after the previous one's start, so a chunk's overrun is overwritten by the next piece,
// row or panel (or lands in the buffer's slack).
inline void copy_pieces_any(const float* xp, TapWalk tap, long kc, long nr, const Piece* pieces, long n, long zq,
                            float* d) {
  for (long t = 0; t < kc; ++t, tap.next()) {
    const float* src = xp + tap.off;
    float* row = d + t * nr;
    for (long i = 0; i < n; ++i) copy_chunk(row + pieces[i].q, src + pieces[i].at);
    for (long o = zq; o < nr; o += kChunk) copy_chunk(row + o, kZeros);
  }
}

// The same for a fixed number of pieces, held in registers.
template <int N>
void copy_pieces(const float* xp, TapWalk tap, long kc, long nr, const Piece* pieces, long zq, float* d) {
  long q[N], at[N];
  for (int i = 0; i < N; ++i) q[i] = pieces[i].q, at[i] = pieces[i].at;
  for (long t = 0; t < kc; ++t, tap.next()) {
    const float* src = xp + tap.off;
    float* row = d + t * nr;
    for (int i = 0; i < N; ++i) copy_chunk(row + q[i], src + at[i]);
    for (long o = zq; o < nr; o += kChunk) copy_chunk(row + o, kZeros);
  }
}

// Forward: a panel's columns are output pixels and its rows are taps, so each row is the image
// read at the columns' window origins plus the row's tap offset. With stride 1 across, the
// pixels of one output row are consecutive in the image and a panel row is a few runs (a
// 24-wide panel over 14-wide output rows: 2 or 3), copied as whole 16-float chunks.
void pack_im2col(const Im2colSource& s, long p0, long kc, long j0, long nc, long nr, float* dst) {
  for (long jr = 0; jr < nc; jr += nr) {
    const long cols = nc - jr < nr ? nc - jr : nr;
    float* d = dst + jr * kc;
    const TapWalk tap(s, p0);
    if (s.sw == 1) {
      Piece pieces[kIm2colPackMaxNr];
      long n = 0;
      for (long q = 0; q < cols;) {
        const PixelWalk px(s, j0 + jr + q);
        const long len = s.ow - px.ox < cols - q ? s.ow - px.ox : cols - q;  // to the end of the output row
        for (long o = 0; o < len; o += kChunk) pieces[n++] = Piece{q + o, px.at + o};
        q += len;
      }
      switch (n) {
        case 1: copy_pieces<1>(s.xp, tap, kc, nr, pieces, cols, d); break;
        case 2: copy_pieces<2>(s.xp, tap, kc, nr, pieces, cols, d); break;
        case 3: copy_pieces<3>(s.xp, tap, kc, nr, pieces, cols, d); break;
        case 4: copy_pieces<4>(s.xp, tap, kc, nr, pieces, cols, d); break;
        default: copy_pieces_any(s.xp, tap, kc, nr, pieces, n, cols, d); break;
      }
    } else {
      long at[kIm2colPackMaxNr];
      PixelWalk px(s, j0 + jr);
      for (long q = 0; q < cols; ++q, px.next()) at[q] = px.at;
      TapWalk t_tap = tap;
      for (long t = 0; t < kc; ++t, t_tap.next()) {
        const float* src = s.xp + t_tap.off;
        float* row = d + t * nr;
        for (long q = 0; q < cols; ++q) row[q] = src[at[q]];
        for (long q = cols; q < nr; ++q) row[q] = 0.0f;
      }
    }
  }
}

// 32 independent lanes: vectorizes without reassociating (two zmm / four ymm accumulators).
inline float dot(const float* __restrict a, const float* __restrict b, long k) {
  float acc[32] = {0};
  long p = 0;
  for (; p + 32 <= k; p += 32)
    for (int l = 0; l < 32; ++l) acc[l] += a[p + l] * b[p + l];
  float tail = 0.0f;
  for (; p < k; ++p) tail += a[p] * b[p];
  for (int w = 16; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l) acc[l] += acc[l + w];
  return acc[0] + tail;
}

double sum_squares(const float* __restrict x, long n) {
  // Eight independent lanes: the vectorizer can keep them in registers without reordering a sum.
  double acc[8] = {};
  long i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) {
      const double v = x[i + l];
      acc[l] += v * v;
    }
  for (; i < n; ++i) {
    const double v = x[i];
    acc[0] += v * v;
  }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

void dot_rows(const float* M, long ld, long rows, long k, const float* v, float* y, long incy, float alpha,
              float beta) {
  for (long i = 0; i < rows; ++i) {
    const float d = alpha * dot(M + i * ld, v, k);
    y[i * incy] = beta == 0.0f ? d : d + beta * y[i * incy];
  }
}

void axpy_rows(const float* M, long ld, long k, long n, const float* v, long incv, float* y, long incy, float alpha,
               float beta) {
  // Accumulate a block of up to 1024 outputs over all of k, then write it out.
  constexpr long kBlock = 1024;
  float acc[kBlock];
  for (long j0 = 0; j0 < n; j0 += kBlock) {
    const long nb = n - j0 < kBlock ? n - j0 : kBlock;
    for (long j = 0; j < nb; ++j) acc[j] = 0.0f;
    for (long p = 0; p < k; ++p) {
      const float s = v[p * incv];
      const float* __restrict row = M + p * ld + j0;
      for (long j = 0; j < nb; ++j) acc[j] += s * row[j];
    }
    for (long j = 0; j < nb; ++j) {
      float* o = y + (j0 + j) * incy;
      *o = beta == 0.0f ? alpha * acc[j] : alpha * acc[j] + beta * *o;
    }
  }
}

constexpr SimdTable build() {
  SimdTable t{};
#define TC_STR2(x) #x
#define TC_STR(x) TC_STR2(x)
  t.name = TC_STR(TC_SIMD_VARIANT);
#define U(OP) t.unary[OP] = &unary_loop<OP>;
  U(U_NEG) U(U_EXP) U(U_LOG) U(U_SQRT) U(U_RSQRT) U(U_ABS) U(U_SIGN) U(U_RELU) U(U_SIGMOID) U(U_TANH) U(U_SIN)
  U(U_COS) U(U_RECIPROCAL) U(U_SQUARE) U(U_LOG1P) U(U_EXPM1) U(U_FLOOR) U(U_CEIL) U(U_ROUND) U(U_ERF)
  U(U_ISFINITE) U(U_STEP)
#undef U
#define B(OP)                           \
  t.binary_vv[OP] = &vv_loop<OP>;       \
  t.binary_vs[OP] = &vs_loop<OP>;       \
  t.binary_sv[OP] = &sv_loop<OP>;
  B(B_ADD) B(B_SUB) B(B_MUL) B(B_DIV) B(B_POW) B(B_MAXIMUM) B(B_MINIMUM) B(B_EQ) B(B_NE) B(B_LT) B(B_LE) B(B_GT)
  B(B_GE) B(B_RELU_BACKWARD)
#undef B
  t.clamp = &clamp_loop;
  t.where = &where_loop;
  t.adam = &adam_loop;
  t.sgd = &sgd_loop;
  t.max_pool_2x2 = &max_pool_2x2;
  t.max_pool_2x2_backward = max_pool_2x2_backward;  // (null in the baseline build)
  t.softmax_row = &softmax_row;
  t.dot_rows = &dot_rows;
  t.axpy_rows = &axpy_rows;
  t.sum_squares = &sum_squares;
  t.im2col = &im2col_impl;
  t.col2im = &col2im_impl;
  t.pack_im2col = &pack_im2col;
  return t;
}

constexpr SimdTable table = build();

}  // namespace
}  // namespace TC_CAT(simd_, TC_SIMD_VARIANT)

const SimdTable* TC_CAT(simd_table_, TC_SIMD_VARIANT)() { return &TC_CAT(simd_, TC_SIMD_VARIANT)::table; }

}  // namespace tc
