// The 2x2/stride-2 max pool's loops, forward and backward (SimdTable::max_pool_2x2 and
// max_pool_2x2_backward). Included by simd_kernels.cc inside its per-instruction-set namespace,
// so it is compiled once per TC_SIMD_VARIANT: AVX-512 and AVX2 intrinsics where the compiler
// may use them, plain loops for the baseline build.
//
// Every variant selects exactly what the scalar rule selects (for window c0 c1 / c2 c3, best =
// c0, then each of c1, c2, c3 is taken if it is greater or NaN), so values (NaN payloads
// included) and indices are the same on every instruction set; the vectors only change how
// many windows are looked at per step.
// (the including file provides <cstdint>, <cstring> and, when __AVX2__ is defined, <immintrin.h>)

#if defined(__AVX2__)
namespace pool2x2 {

// The first n of 8 lanes set (n in [0, 8]): kLaneMask + 8 - n.
alignas(64) constexpr int32_t kLaneMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
inline __m256i first_lanes(long n) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLaneMask + 8 - n));
}

// The taken-mask of the scalar rule: c > best || c != c.
inline __m256 takes(__m256 c, __m256 best) {
  return _mm256_or_ps(_mm256_cmp_ps(c, best, _CMP_GT_OQ), _mm256_cmp_ps(c, c, _CMP_UNORD_Q));
}

struct Pooled {
  __m256 best;
  __m256i idx;
};

// Windows 0..7 of rows r0 (a0 = columns 0..7, a1 = 8..15) and r1 (b0, b1); ix0 = the flat
// index of window 0's top-left input, in every lane. The in-lane shuffles that split even
// (left) and odd (right) columns leave the windows in the order 0 1 4 5 2 3 6 7; the compare
// chain is lane-wise, so one 64-bit permute of the result and one of the offsets restore the
// order (2 cross-lane permutes per step instead of 4).
inline Pooled pool8(__m256 a0, __m256 a1, __m256 b0, __m256 b1, __m256i ix0, __m256i w, __m256i w1) {
  const __m256 c0 = _mm256_shuffle_ps(a0, a1, _MM_SHUFFLE(2, 0, 2, 0));
  const __m256 c1 = _mm256_shuffle_ps(a0, a1, _MM_SHUFFLE(3, 1, 3, 1));
  const __m256 c2 = _mm256_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0));
  const __m256 c3 = _mm256_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1));
  __m256 best = c0;
  __m256 off = _mm256_setzero_ps();  // int32 offsets, carried in float registers (blendvps)
  __m256 t = takes(c1, best);
  best = _mm256_blendv_ps(best, c1, t);
  off = _mm256_blendv_ps(off, _mm256_castsi256_ps(_mm256_set1_epi32(1)), t);
  t = takes(c2, best);
  best = _mm256_blendv_ps(best, c2, t);
  off = _mm256_blendv_ps(off, _mm256_castsi256_ps(w), t);
  t = takes(c3, best);
  best = _mm256_blendv_ps(best, c3, t);
  off = _mm256_blendv_ps(off, _mm256_castsi256_ps(w1), t);
  constexpr int kRestore = _MM_SHUFFLE(3, 1, 2, 0);  // 64-bit pairs (0 1)(4 5)(2 3)(6 7) -> in order
  const __m256i iota2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  Pooled r;
  r.best = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(best), kRestore));
  r.idx = _mm256_add_epi32(_mm256_add_epi32(ix0, iota2),
                           _mm256_permute4x64_epi64(_mm256_castps_si256(off), kRestore));
  return r;
}

// Loads 16 floats at p, of which the first n (n in [1, 16]) are needed: whole vectors when all
// 16 lie before end, masked loads (which never touch a masked-out lane) otherwise.
inline void load16(const float* p, long n, const float* end, __m256& lo, __m256& hi) {
  if (p + 16 <= end) {
    lo = _mm256_loadu_ps(p);
    hi = _mm256_loadu_ps(p + 8);
    return;
  }
  lo = _mm256_maskload_ps(p, first_lanes(n < 8 ? n : 8));
  hi = _mm256_maskload_ps(p + 8, first_lanes(n > 8 ? n - 8 : 0));
}

}  // namespace pool2x2
#endif

#if defined(__AVX512F__)
// A row in blocks of 16 outputs: two masked loads per input row, even/odd columns split with
// vpermt2ps, then compare-and-blend. Short rows (MNIST's 14 and 7) take one block.
inline void max_pool_2x2_row(const float* r0, const float* r1, float* out, int32_t* idx, long ow, int32_t base,
                             int32_t w) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i iota2 = _mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 1);
  const __m512i one = _mm512_set1_epi32(1), vw = _mm512_set1_epi32(w), vw1 = _mm512_set1_epi32(w + 1);
  for (long ox = 0; ox < ow; ox += 16) {
    const long cnt = ow - ox < 16 ? ow - ox : 16;
    const __mmask16 mo = __mmask16((1u << cnt) - 1);
    const __mmask16 mlo = cnt >= 8 ? __mmask16(0xFFFF) : __mmask16((1u << (2 * cnt)) - 1);
    const __mmask16 mhi = cnt > 8 ? __mmask16((1u << (2 * cnt - 16)) - 1) : __mmask16(0);
    const __m512 a0 = _mm512_maskz_loadu_ps(mlo, r0 + 2 * ox), a1 = _mm512_maskz_loadu_ps(mhi, r0 + 2 * ox + 16);
    const __m512 b0 = _mm512_maskz_loadu_ps(mlo, r1 + 2 * ox), b1 = _mm512_maskz_loadu_ps(mhi, r1 + 2 * ox + 16);
    const __m512 c0 = _mm512_permutex2var_ps(a0, even, a1), c1 = _mm512_permutex2var_ps(a0, odd, a1);
    const __m512 c2 = _mm512_permutex2var_ps(b0, even, b1), c3 = _mm512_permutex2var_ps(b0, odd, b1);
    __m512 best = c0;
    __m512i off = _mm512_setzero_si512();
    __mmask16 t = _mm512_cmp_ps_mask(c1, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(c1, c1, _CMP_UNORD_Q);
    best = _mm512_mask_mov_ps(best, t, c1);
    off = _mm512_mask_mov_epi32(off, t, one);
    t = _mm512_cmp_ps_mask(c2, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(c2, c2, _CMP_UNORD_Q);
    best = _mm512_mask_mov_ps(best, t, c2);
    off = _mm512_mask_mov_epi32(off, t, vw);
    t = _mm512_cmp_ps_mask(c3, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(c3, c3, _CMP_UNORD_Q);
    best = _mm512_mask_mov_ps(best, t, c3);
    off = _mm512_mask_mov_epi32(off, t, vw1);
    const __m512i ix = _mm512_add_epi32(_mm512_add_epi32(_mm512_set1_epi32(base + 2 * int32_t(ox)), iota2), off);
    _mm512_mask_storeu_ps(out + ox, mo, best);
    _mm512_mask_storeu_epi32(idx + ox, mo, ix);
  }
}

#elif defined(__AVX2__)
// 8 outputs per step (pool2x2::pool8). Rows of 8 or more end with a block shifted back to end
// at the row's end (it recomputes a few outputs). Shorter rows take one block each, done in
// increasing address order: its extra lanes land on the next rows' outputs, which are written
// afterwards, as long as the call's output has room (masked stores, slow on AMD cores, only at
// the very end of the call: once per call, not worth store_first's piecewise stores of ints).
void max_pool_2x2(const float* x, float* out, int32_t* idx, long planes, long h, long w, long oh, long ow) {
  using namespace pool2x2;
  const __m256i vw = _mm256_set1_epi32(int32_t(w)), vw1 = _mm256_set1_epi32(int32_t(w + 1));
  if (ow >= 8) {
    for (long p = 0; p < planes; ++p)
      for (long oy = 0; oy < oh; ++oy) {
        const float* r0 = x + p * h * w + 2 * oy * w;
        const float* r1 = r0 + w;
        float* o = out + (p * oh + oy) * ow;
        int32_t* io = idx + (p * oh + oy) * ow;
        for (long ox = 0;; ox += 8) {
          if (ox + 8 > ow) ox = ow - 8;
          const Pooled r = pool8(_mm256_loadu_ps(r0 + 2 * ox), _mm256_loadu_ps(r0 + 2 * ox + 8),
                                 _mm256_loadu_ps(r1 + 2 * ox), _mm256_loadu_ps(r1 + 2 * ox + 8),
                                 _mm256_set1_epi32(int32_t(2 * oy * w + 2 * ox)), vw, vw1);
          _mm256_storeu_ps(o + ox, r.best);
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(io + ox), r.idx);
          if (ox + 8 == ow) break;
        }
      }
    return;
  }
  const float* xend = x + planes * h * w;
  const float* oend = out + planes * oh * ow;
  for (long p = 0; p < planes; ++p)
    for (long oy = 0; oy < oh; ++oy) {
      const float* r0 = x + p * h * w + 2 * oy * w;
      float* o = out + (p * oh + oy) * ow;
      int32_t* io = idx + (p * oh + oy) * ow;
      __m256 a0, a1, b0, b1;
      load16(r0, 2 * ow, xend, a0, a1);
      load16(r0 + w, 2 * ow, xend, b0, b1);
      const Pooled r = pool8(a0, a1, b0, b1, _mm256_set1_epi32(int32_t(2 * oy * w)), vw, vw1);
      if (o + 8 <= oend) {
        _mm256_storeu_ps(o, r.best);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(io), r.idx);
      } else {
        const __m256i m = first_lanes(ow);
        _mm256_maskstore_ps(o, m, r.best);
        _mm256_maskstore_epi32(io, m, r.idx);
      }
    }
}

#else
// Branch-free so that it vectorizes: the comparisons become masks and blends.
inline void max_pool_2x2_row(const float* __restrict r0, const float* __restrict r1, float* __restrict out,
                             int32_t* __restrict idx, long ow, int32_t base, int32_t w) {
  for (long ox = 0; ox < ow; ++ox) {
    const float c0 = r0[2 * ox], c1 = r0[2 * ox + 1], c2 = r1[2 * ox], c3 = r1[2 * ox + 1];
    float best = c0;
    int32_t off = 0;
    const bool t1 = c1 > best || c1 != c1;
    best = t1 ? c1 : best;
    off = t1 ? 1 : off;
    const bool t2 = c2 > best || c2 != c2;
    best = t2 ? c2 : best;
    off = t2 ? w : off;
    const bool t3 = c3 > best || c3 != c3;
    best = t3 ? c3 : best;
    off = t3 ? w + 1 : off;
    out[ox] = best;
    idx[ox] = base + 2 * int32_t(ox) + off;
  }
}

#endif

#if defined(__AVX512F__) || !defined(__AVX2__)
// The row kernel over every output row of every plane (the AVX2 version above runs whole planes
// itself, its blocks crossing rows).
void max_pool_2x2(const float* x, float* out, int32_t* idx, long planes, long h, long w, long oh, long ow) {
  for (long p = 0; p < planes; ++p) {
    const float* xp = x + p * h * w;
    for (long oy = 0; oy < oh; ++oy) {
      const float* r0 = xp + 2 * oy * w;
      const long o = (p * oh + oy) * ow;
      max_pool_2x2_row(r0, r0 + w, out + o, idx + o, ow, int32_t(2 * oy * w), int32_t(w));
    }
  }
}
#endif

// The backward of one plane, in one pass: gx = gy at the input each window picked and 0
// elsewhere. The scatter-add it replaces (zero the plane, then gx[idx] += gy) leaves the same
// bits, since windows do not overlap and each window's index lies in the window: every input
// is 0 or 0 + gy once (so -0 becomes +0 and a signalling NaN is quieted, here too). Returns
// false, with the plane partly written, when an index is not in its window.
#if defined(__AVX2__)
namespace pool2x2 {

// The first n (in [0, 8]) floats of v at p, without a masked store (vmaskmovps to memory is
// slow on this Zen 3: 0.83 vs 0.71 ns per window on 14x14 planes, which end with one pair).
inline void store_first(float* p, __m256 v, long n) {
  __m128 q = _mm256_castps256_ps128(v);
  if (n >= 4) {
    _mm_storeu_ps(p, q);
    if (n == 8) return _mm_storeu_ps(p + 4, _mm256_extractf128_ps(v, 1));
    q = _mm256_extractf128_ps(v, 1), p += 4, n -= 4;
  }
  if (n >= 2) _mm_storel_pi(reinterpret_cast<__m64*>(p), q), q = _mm_movehl_ps(q, q), p += 2, n -= 2;
  if (n >= 1) _mm_store_ss(p, q);
}

// Stores the first n (in [1, 16]) of the 16 floats lo, hi at p: whole vectors up to end.
inline void store16(float* p, __m256 lo, __m256 hi, long n, const float* end) {
  if (p + 16 <= end) {
    _mm256_storeu_ps(p, lo);
    _mm256_storeu_ps(p + 8, hi);
    return;
  }
  store_first(p, lo, n < 8 ? n : 8);
  store_first(p + 8, hi, n > 8 ? n - 8 : 0);
}

// Columns 2*ox .. 2*ox+15 of one row: e0 at the even ones, e1 at the odd ones.
inline void store_interleaved(float* p, __m256 e0, __m256 e1, long n, const float* end) {
  const __m256 lo = _mm256_unpacklo_ps(e0, e1), hi = _mm256_unpackhi_ps(e0, e1);  // (0 1 4 5), (2 3 6 7)
  store16(p, _mm256_permute2f128_ps(lo, hi, 0x20), _mm256_permute2f128_ps(lo, hi, 0x31), n, end);
}

}  // namespace pool2x2

// 8 windows per step: each of their 4 inputs is 0 + gy or 0, by comparing the index with the
// window's 4 positions; the two rows are interleaved from those. Rows of 8 or more windows end
// with a block shifted back to end at the row's end; shorter rows take one block each, in
// increasing address order, spilling into the next row or into the columns and rows past the
// windows (zeroed afterwards) while the plane has room.
bool max_pool_2x2_backward(const float* gy, const int32_t* idx, float* gx, long h, long w, long oh, long ow) {
  using namespace pool2x2;
  const __m256i one = _mm256_set1_epi32(1), vw = _mm256_set1_epi32(int32_t(w)), vw1 = _mm256_set1_epi32(int32_t(w + 1));
  const __m256i iota2 = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const __m256 zero = _mm256_setzero_ps();
  const float* gxend = gx + h * w;
  // Lanes out of the row (short rows) count as in their window.
  const __m256i outside = _mm256_xor_si256(first_lanes(ow < 8 ? ow : 8), _mm256_set1_epi32(-1));
  __m256i good = _mm256_set1_epi32(-1);
  // The block of windows ox .. ox+7 of row oy, from gy and idx at g and ix (loaded).
  const auto block = [&](float* top, __m256 g, __m256i ix, long oy, long ox, long n) {
    const __m256i d = _mm256_sub_epi32(ix, _mm256_add_epi32(_mm256_set1_epi32(int32_t(2 * oy * w + 2 * ox)), iota2));
    const __m256i m0 = _mm256_cmpeq_epi32(d, _mm256_setzero_si256()), m1 = _mm256_cmpeq_epi32(d, one);
    const __m256i m2 = _mm256_cmpeq_epi32(d, vw), m3 = _mm256_cmpeq_epi32(d, vw1);
    const __m256i in = _mm256_or_si256(_mm256_or_si256(m0, m1), _mm256_or_si256(m2, m3));
    good = _mm256_and_si256(good, _mm256_or_si256(in, outside));
    const __m256 v = _mm256_add_ps(zero, g);
    const auto pick = [v](__m256i m) { return _mm256_and_ps(_mm256_castsi256_ps(m), v); };
    store_interleaved(top, pick(m0), pick(m1), n, gxend);
    store_interleaved(top + w, pick(m2), pick(m3), n, gxend);
  };
  if (ow >= 8) {
    for (long oy = 0; oy < oh; ++oy) {
      float* top = gx + 2 * oy * w;
      const float* g = gy + oy * ow;
      const int32_t* ix = idx + oy * ow;
      for (long ox = 0;; ox += 8) {
        if (ox + 8 > ow) ox = ow - 8;
        block(top + 2 * ox, _mm256_loadu_ps(g + ox), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ix + ox)),
              oy, ox, 16);
        if (ox + 8 == ow) break;
      }
    }
  } else {
    long oy = 0;
    for (; oy < oh && oy * ow + 8 <= oh * ow; ++oy)
      block(gx + 2 * oy * w, _mm256_loadu_ps(gy + oy * ow),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(idx + oy * ow)), oy, 0, 2 * ow);
    const __m256i lanes = first_lanes(ow);
    for (; oy < oh; ++oy)  // the last rows: gy and idx end within 8 floats
      block(gx + 2 * oy * w, _mm256_maskload_ps(gy + oy * ow, lanes), _mm256_maskload_epi32(idx + oy * ow, lanes),
            oy, 0, 2 * ow);
  }
  // The columns and rows outside the windows, after every spill.
  if (2 * ow < w)
    for (long y = 0; y < 2 * oh; ++y) std::memset(gx + y * w + 2 * ow, 0, sizeof(float) * (w - 2 * ow));
  std::memset(gx + 2 * oh * w, 0, sizeof(float) * (h - 2 * oh) * w);
  return _mm256_testc_si256(good, _mm256_set1_epi32(-1)) != 0;
}

#else
// Without vectors, zeroing the plane and adding gy at idx is the faster way (a one-pass loop
// that compares every input with its window's index measured 3x slower): no one-pass kernel.
constexpr bool (*max_pool_2x2_backward)(const float*, const int32_t*, float*, long, long, long, long) = nullptr;
#endif
