// AVX-512 GEMM micro-kernel and packing (compiled with -mavx512f -mavx512bw -mavx512dq
// -mavx512vl -mfma). The register tile is MR rows x NR = 16*NV columns of C: per depth step
// it loads NV vectors of B and broadcasts MR values of A into MR*NV FMAs, so the MR*NV
// accumulators, the B vectors and one broadcast fit the 32 zmm registers.
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
#include <immintrin.h>

#include <array>
#include <utility>

#include "gemm_kernels.h"

namespace tc {
namespace {

#ifndef TC_AVX512_MR
#define TC_AVX512_MR 12
#endif
#ifndef TC_AVX512_NV
#define TC_AVX512_NV 2
#endif
constexpr int MR = TC_AVX512_MR;
constexpr int NV = TC_AVX512_NV;
constexpr int NR = 16 * NV;

inline __mmask16 tail_mask(long n) { return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1); }

// One tile shape: M rows (M <= MR) and V vectors (V <= NV); nr columns valid (the last
// vector masked). Instantiated for every edge shape so edges cost no wasted FMAs in m.
template <int M, int V>
void tile(long kc, const float* __restrict ap, const float* __restrict bp, float* __restrict c, long ldc,
          long nr, float alpha, float beta) {
  __m512 acc[M][V];
#pragma GCC unroll 16
  for (int i = 0; i < M; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[i][v] = _mm512_setzero_ps();
#pragma GCC unroll 16
  for (int i = 0; i < M; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16 * V - 1), _MM_HINT_T0);
  }
#pragma GCC unroll 4
  for (long p = 0; p < kc; ++p) {
    __m512 b[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) b[v] = _mm512_load_ps(bp + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      __m512 a = _mm512_set1_ps(ap[i]);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[i][v] = _mm512_fmadd_ps(a, b[v], acc[i][v]);
    }
    ap += MR;
    bp += NR;
  }
  const __mmask16 last = tail_mask(nr - 16 * (V - 1));
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      float* cr = c + i * ldc;
#pragma GCC unroll 4
      for (int v = 0; v < V - 1; ++v) _mm512_storeu_ps(cr + 16 * v, _mm512_mul_ps(va, acc[i][v]));
      _mm512_mask_storeu_ps(cr + 16 * (V - 1), last, _mm512_mul_ps(va, acc[i][V - 1]));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
      float* cr = c + i * ldc;
#pragma GCC unroll 4
      for (int v = 0; v < V - 1; ++v) {
        __m512 old = _mm512_loadu_ps(cr + 16 * v);
        _mm512_storeu_ps(cr + 16 * v, _mm512_fmadd_ps(vb, old, _mm512_mul_ps(va, acc[i][v])));
      }
      __m512 old = _mm512_maskz_loadu_ps(last, cr + 16 * (V - 1));
      _mm512_mask_storeu_ps(cr + 16 * (V - 1), last, _mm512_fmadd_ps(vb, old, _mm512_mul_ps(va, acc[i][V - 1])));
    }
  }
}

using TileFn = void (*)(long, const float*, const float*, float*, long, long, float, float);

template <int... I>
constexpr std::array<TileFn, MR * NV> make_table(std::integer_sequence<int, I...>) {
  return {{&tile<I / NV + 1, I % NV + 1>...}};
}
constexpr std::array<TileFn, MR * NV> kEdge = make_table(std::make_integer_sequence<int, MR * NV>{});

void kernel(long kc, const float* ap, const float* bp, float* c, long ldc, long mr, long nr, float alpha,
            float beta) {
  if (mr == MR && nr == NR) tile<MR, NV>(kc, ap, bp, c, ldc, nr, alpha, beta);
  else kEdge[(mr - 1) * NV + (nr + 15) / 16 - 1](kc, ap, bp, c, ldc, nr, alpha, beta);
}

// 16x16 transpose of zmm rows r[0..15] in place (r[i][j] -> r[j][i]).
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {
    r[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
    r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
    r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  // r[4q + s] now holds, for each 128-bit lane L, element (row 4q+{0..3}, col 4L+s).
  for (int i = 0; i < 4; ++i) {
    t[i + 0] = _mm512_shuffle_f32x4(r[i + 0], r[i + 4], 0x88);
    t[i + 4] = _mm512_shuffle_f32x4(r[i + 0], r[i + 4], 0xDD);
    t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
  }
  for (int i = 0; i < 4; ++i) {
    r[i + 0] = _mm512_shuffle_f32x4(t[i + 0], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i + 0], t[i + 8], 0xDD);
    r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
    r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xDD);
  }
}

// Packs a panel of W (<= 16*groups) "rows" of a source whose rows run along the depth:
// dst[p*ld + w] = src[w*lds + p] for w < rows, p < kc; columns rows..ld-1 are zeroed.
// Used for A (not transposed) and B (transposed), where the panel runs across rows.
void pack_transposed(const float* src, long lds, long rows, long kc, float* dst, long ld) {
  for (long w0 = 0; w0 < ld; w0 += 16) {
    const long wn = rows - w0 < 16 ? (rows - w0 < 0 ? 0 : rows - w0) : 16;
    const long width = ld - w0 < 16 ? ld - w0 : 16;  // floats to store per depth step
    const __mmask16 wmask = tail_mask(width);
    long p = 0;
    for (; p + 16 <= kc; p += 16) {
      __m512 r[16];
      for (int i = 0; i < 16; ++i) r[i] = i < wn ? _mm512_loadu_ps(src + (w0 + i) * lds + p) : _mm512_setzero_ps();
      transpose16(r);
      for (int i = 0; i < 16; ++i) _mm512_mask_storeu_ps(dst + (p + i) * ld + w0, wmask, r[i]);
    }
    if (p < kc) {
      const __mmask16 pm = tail_mask(kc - p);
      __m512 r[16];
      for (int i = 0; i < 16; ++i)
        r[i] = i < wn ? _mm512_maskz_loadu_ps(pm, src + (w0 + i) * lds + p) : _mm512_setzero_ps();
      transpose16(r);
      for (long i = 0; i < kc - p; ++i) _mm512_mask_storeu_ps(dst + (p + i) * ld + w0, wmask, r[i]);
    }
  }
}

// dst[p*ld + w] = src[p*lds + w] for w < cols (zero beyond, up to ld).
void pack_straight(const float* src, long lds, long cols, long kc, float* dst, long ld) {
  for (long p = 0; p < kc; ++p) {
    const float* s = src + p * lds;
    float* d = dst + p * ld;
    for (long w0 = 0; w0 < ld; w0 += 16) {
      const long width = ld - w0 < 16 ? ld - w0 : 16;
      const long valid = cols - w0 < 0 ? 0 : (cols - w0 < width ? cols - w0 : width);
      __m512 x = _mm512_maskz_loadu_ps(tail_mask(valid), s + w0);
      _mm512_mask_storeu_ps(d + w0, tail_mask(width), x);
    }
  }
}

void pack_a(const float* a, long lda, bool trans, long i0, long mc, long p0, long kc, float* dst) {
  for (long i = 0; i < mc; i += MR) {
    const long rows = mc - i < MR ? mc - i : MR;
    float* d = dst + i * kc;
    if (trans) pack_straight(a + p0 * lda + i0 + i, lda, rows, kc, d, MR);
    else pack_transposed(a + (i0 + i) * lda + p0, lda, rows, kc, d, MR);
  }
}

void pack_b(const float* b, long ldb, bool trans, long p0, long kc, long j0, long nc, float* dst) {
  for (long j = 0; j < nc; j += NR) {
    const long cols = nc - j < NR ? nc - j : NR;
    float* d = dst + j * kc;
    if (trans) pack_transposed(b + (j0 + j) * ldb + p0, ldb, cols, kc, d, NR);
    else pack_straight(b + p0 * ldb + j0 + j, ldb, cols, kc, d, NR);
  }
}

#ifndef TC_AVX512_MC
#define TC_AVX512_MC 144
#endif
#ifndef TC_AVX512_KC
#define TC_AVX512_KC 256
#endif
#ifndef TC_AVX512_NC
#define TC_AVX512_NC 1024
#endif

const GemmImpl impl = {"avx512", MR, NR, TC_AVX512_MC, TC_AVX512_KC, TC_AVX512_NC, kernel, pack_a, pack_b, nullptr, 16};

}  // namespace

const GemmImpl* gemm_impl_avx512() { return &impl; }

}  // namespace tc
#endif
