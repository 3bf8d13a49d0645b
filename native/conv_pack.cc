// Implicit im2col (see conv_pack.h): the padded image copy and the B packers handed to the GEMM.
#include "conv_pack.h"

#include <cstring>

#include "cpu.h"
#include "gemm_kernels.h"
#include "scratch.h"
#include "simd_kernels.h"

namespace tc {

bool im2col_packing_fits() {
  static const bool fits = gemm_blocking_for(cpu_isa()).nr <= kIm2colPackMaxNr;
  return fits;
}

namespace {

constexpr long kChunk = 16;
alignas(64) constexpr float kZeros[kChunk] = {};

inline void copy_chunk(float* __restrict d, const float* __restrict s) { std::memcpy(d, s, sizeof(float) * kChunk); }

// d[0, n) = s[0, n) in whole chunks: writes (and reads) up to kChunk - 1 floats past n.
inline void copy_chunks(float* d, const float* s, long n) {
  for (long o = 0; o < n; o += kChunk) copy_chunk(d + o, s + o);
}

}  // namespace

// Plane rows are short (14 floats in the CNN's second layer): a call to memcpy and memset per
// row cost more than the copy, so each row is whole 16-float chunks, written left to right
// (left border, pixels, right border): a chunk's overrun is overwritten by the next row's
// writes, or lands in the bottom border or the slack, both zeroed afterwards.
Im2colSource im2col_source(const float* x, long channels, const ConvGeom& g) {
  static thread_local Scratch t_padded;
  const long hp = g.h + 2 * g.ph, wp = g.w + 2 * g.pw, plane = hp * wp;
  float* xp = t_padded.get(size_t(channels * plane + kIm2colSourceSlack));
  const long chunked = (g.w + kChunk - 1) / kChunk * kChunk, end = channels * g.h * g.w;
  for (long c = 0; c < channels; ++c) {
    float* dst = xp + c * plane;
    const float* src = x + c * g.h * g.w;
    std::memset(dst, 0, sizeof(float) * g.ph * wp);
    for (long y = 0; y < g.h; ++y) {
      float* row = dst + (y + g.ph) * wp;
      for (long o = 0; o < g.pw; o += kChunk) copy_chunk(row + o, kZeros);
      // The last rows: whole chunks would read past the end of these planes of x.
      if ((c * g.h + y) * g.w + chunked > end) std::memcpy(row + g.pw, src + y * g.w, sizeof(float) * g.w);
      else copy_chunks(row + g.pw, src + y * g.w, g.w);
      for (long o = 0; o < g.pw; o += kChunk) copy_chunk(row + g.pw + g.w + o, kZeros);
    }
    std::memset(dst + (g.h + g.ph) * wp, 0, sizeof(float) * g.ph * wp);
  }
  std::memset(xp + channels * plane, 0, sizeof(float) * kIm2colSourceSlack);
  return Im2colSource{xp, hp, wp, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.oh, g.ow};
}

namespace {

void pack_forward(const void* ctx, long p0, long kc, long j0, long nc, long nr, float* dst) {
  simd().pack_im2col(*static_cast<const Im2colSource*>(ctx), p0, kc, j0, nc, nr, dst);
}

}  // namespace

BPacker im2col_packer(const Im2colSource& s) { return BPacker{&pack_forward, &s}; }

}  // namespace tc
