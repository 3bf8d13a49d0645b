// A GEMM micro-kernel and packing written with GCC/Clang vector extensions, so one source
// serves any instruction set: gemm_avx2.cc instantiates it with 8-wide vectors under
// -mavx2 -mfma, gemm_generic.cc with 4-wide vectors and no flags (SSE2 on x86-64, NEON on
// arm64). Include once per translation unit, inside an anonymous namespace, after defining
// TC_MR (rows of the tile), TC_NV (vectors per row) and TC_VW (floats per vector).
// (the including file provides <array>, <cstring> and <utility>, and <immintrin.h> under AVX2)

typedef float vec __attribute__((vector_size(TC_VW * 4)));
constexpr int MR = TC_MR;
constexpr int VW = TC_VW;
constexpr int NV = TC_NV;
constexpr int NR = VW * NV;

inline vec load_v(const float* p) {
  vec v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline void store_v(float* p, vec v) { std::memcpy(p, &v, sizeof(v)); }

// The first n (0 < n < VW) floats at p, zeros in the other lanes; reads nothing beyond them, so
// it is safe at the end of a row or an array.
#if defined(__AVX2__) && TC_VW == 8
// AVX2's masked moves: one instruction instead of a loop over the lanes.
inline __m256i first_lanes(long n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline vec load_first(const float* p, long n) { return (vec)_mm256_maskload_ps(p, first_lanes(n)); }
inline void store_first(float* p, long n, vec v) { _mm256_maskstore_ps(p, first_lanes(n), (__m256)v); }
#else
inline vec load_first(const float* p, long n) {
  vec v = vec{};
  for (long j = 0; j < n; ++j) v[j] = p[j];
  return v;
}
inline void store_first(float* p, long n, vec v) {
  for (long j = 0; j < n; ++j) p[j] = v[j];
}
#endif

// The multiply-adds of R rows of A (MR from one packed panel, or 2*MR from two consecutive ones,
// the second a2 - a1 floats further on) by the first V of B's NV vectors: edge panels of C that
// need fewer than NV vectors skip the FMAs of the zero padding. Every accumulator is the same
// chain of multiply-adds over the depth as in the full tile, so the bits do not change.
template <int R, int V>
inline void accumulate(long kc, const float* __restrict a1, const float* __restrict a2, const float* __restrict bp,
                       vec (&acc)[R][V]) {
  for (int i = 0; i < R; ++i)
    for (int v = 0; v < V; ++v) acc[i][v] = vec{};
#pragma GCC unroll 4
  for (long p = 0; p < kc; ++p) {
    vec b[V];
    for (int v = 0; v < V; ++v) b[v] = load_v(bp + v * VW);
    for (int i = 0; i < R; ++i) {
      const float s = i < MR ? a1[i] : a2[i - MR];
      vec a = s - vec{};  // broadcast
      for (int v = 0; v < V; ++v) acc[i][v] += a * b[v];
    }
    a1 += MR;
    if (R > MR) a2 += MR;
    bp += NR;
  }
}

// C's rows are ldc apart and usually not in cache: ask for them now so that the misses
// overlap the kc multiply-add steps instead of stalling the stores at the end.
inline void prefetch_c(float* c, long ldc, long rows, long cols) {
  for (long i = 0; i < rows; ++i) {
    __builtin_prefetch(c + i * ldc, 1, 3);
    __builtin_prefetch(c + i * ldc + cols - 1, 1, 3);
  }
}

// alpha * acc + beta * old. Under FMA contraction (the AVX2 build) the compiler fused the
// product with acc into one multiply-add onto the rounded beta * old; written out here so that
// every store path rounds that way whichever product the compiler would pick.
inline vec scale_add(vec acc, vec old, float alpha, float beta) {
#if defined(__FMA__) && TC_VW == 8
  return (vec)_mm256_fmadd_ps((__m256)acc, _mm256_set1_ps(alpha), (__m256)(old * beta));
#else
  return acc * alpha + old * beta;
#endif
}

// C = alpha * acc + beta * C (beta == 0 never reads C), one vector.
inline vec combine(vec acc, const float* cr, float alpha, float beta) {
  return beta != 0.0f ? scale_add(acc, load_v(cr), alpha, beta) : acc * alpha;
}

// Stores rows [0, mr) x columns [0, nr) of the tile, nr <= V * VW: the same arithmetic per
// element as the full tile, the last partial vector through masked (or lane by lane) moves.
template <int V>
inline void store_edge(const vec (*acc)[V], float* c, long ldc, long mr, long nr, float alpha, float beta) {
  const long whole = nr / VW, rest = nr - whole * VW;
  for (long i = 0; i < mr; ++i) {
    float* cr = c + i * ldc;
    for (long v = 0; v < whole; ++v) store_v(cr + v * VW, combine(acc[i][v], cr + v * VW, alpha, beta));
    if (rest == 0) continue;
    float* cv = cr + whole * VW;
    store_first(cv, rest, beta != 0.0f ? scale_add(acc[i][whole], load_first(cv, rest), alpha, beta)
                                       : acc[i][whole] * alpha);
  }
}

// An edge tile (mr < MR or nr < NR) of one A panel, V = ceil(nr / VW) vectors wide.
template <int V>
void edge_tile(long kc, const float* ap, const float* bp, float* c, long ldc, long mr, long nr, float alpha,
               float beta) {
  vec acc[MR][V];
  prefetch_c(c, ldc, mr, nr);
  accumulate<MR, V>(kc, ap, ap, bp, acc);
  store_edge<V>(acc, c, ldc, mr, nr, alpha, beta);
}

using EdgeFn = void (*)(long, const float*, const float*, float*, long, long, long, float, float);

template <int... V>
constexpr std::array<EdgeFn, NV> make_edge_table(std::integer_sequence<int, V...>) {
  return {{&edge_tile<V + 1>...}};
}
constexpr std::array<EdgeFn, NV> kEdge = make_edge_table(std::make_integer_sequence<int, NV>{});

// Rows from two consecutive A panels (a2 = a1 + MR * kc) by one vector of B: a one-vector tile of
// MR rows has only MR multiply-add chains, fewer than FMA latency times FMA pipes (4 x 2 on Zen 3)
// keep busy; the pair has twice as many, and 2*MR accumulators, B and a broadcast still fit the
// 16 vector registers. (4 x 24, 4 columns: 7.0 -> 4.6 us for 64 rows x 288; 6 x 16: -8%;
// generic, no FMA: unchanged.)
constexpr bool kPairRows = MR < 8 && 2 * MR + 2 <= 16;

void pair_tile(long kc, const float* a1, const float* bp, float* c, long ldc, long mr, long nr, float alpha,
               float beta) {
  vec acc[2 * MR][1];
  prefetch_c(c, ldc, mr, nr);
  accumulate<2 * MR, 1>(kc, a1, a1 + MR * kc, bp, acc);
  store_edge<1>(acc, c, ldc, mr, nr, alpha, beta);
}

// GemmImpl::edge_panel: a column panel narrower than NR over all mc rows of the A block.
void edge_panel(long kc, const float* ablock, long mc, const float* bp, float* c, long ldc, long nr, float alpha,
                float beta) {
  const long v = (nr + VW - 1) / VW;
  long ir = 0;
  if (kPairRows && v == 1)
    for (; ir + MR < mc; ir += 2 * MR) {
      const long rows = mc - ir < 2 * MR ? mc - ir : 2 * MR;
      pair_tile(kc, ablock + ir * kc, bp, c + ir * ldc, ldc, rows, nr, alpha, beta);
    }
  for (; ir < mc; ir += MR)
    kEdge[v - 1](kc, ablock + ir * kc, bp, c + ir * ldc, ldc, mc - ir < MR ? mc - ir : MR, nr, alpha, beta);
}

void kernel(long kc, const float* __restrict ap, const float* __restrict bp, float* __restrict c, long ldc, long mr,
            long nr, float alpha, float beta) {
  if (mr < MR || nr < NR) {
    kEdge[(nr + VW - 1) / VW - 1](kc, ap, bp, c, ldc, mr, nr, alpha, beta);
    return;
  }
  vec acc[MR][NV];
  prefetch_c(c, ldc, MR, NR);
  accumulate<MR, NV>(kc, ap, ap, bp, acc);
  for (int i = 0; i < MR; ++i) {
    float* cr = c + i * ldc;
    for (int v = 0; v < NV; ++v) store_v(cr + v * VW, combine(acc[i][v], cr + v * VW, alpha, beta));
  }
}

#if TC_MR == 4 && TC_VW == 8
// Four full rows of A, eight depth steps at a time: a 4 x 8 register transpose instead of 32
// scalar gathers (packing A was ~0.4 ns a float, a fifth of a convolution's per-image GEMM).
typedef int ivec __attribute__((vector_size(32)));
inline long pack_a_rows4(const float* a, long lda, long kc, float* d) {
  long p = 0;
  for (; p + 8 <= kc; p += 8) {
    for (int r = 4; r < 8; ++r) __builtin_prefetch(a + r * lda + p);
    const vec r0 = load_v(a + p), r1 = load_v(a + lda + p), r2 = load_v(a + 2 * lda + p), r3 = load_v(a + 3 * lda + p);
    const vec lo01 = __builtin_shuffle(r0, r1, ivec{0, 8, 1, 9, 4, 12, 5, 13});
    const vec hi01 = __builtin_shuffle(r0, r1, ivec{2, 10, 3, 11, 6, 14, 7, 15});
    const vec lo23 = __builtin_shuffle(r2, r3, ivec{0, 8, 1, 9, 4, 12, 5, 13});
    const vec hi23 = __builtin_shuffle(r2, r3, ivec{2, 10, 3, 11, 6, 14, 7, 15});
    const vec s04 = __builtin_shuffle(lo01, lo23, ivec{0, 1, 8, 9, 4, 5, 12, 13});  // depth 0 | 4
    const vec s15 = __builtin_shuffle(lo01, lo23, ivec{2, 3, 10, 11, 6, 7, 14, 15});
    const vec s26 = __builtin_shuffle(hi01, hi23, ivec{0, 1, 8, 9, 4, 5, 12, 13});
    const vec s37 = __builtin_shuffle(hi01, hi23, ivec{2, 3, 10, 11, 6, 7, 14, 15});
    float* o = d + p * 4;
    store_v(o, __builtin_shuffle(s04, s15, ivec{0, 1, 2, 3, 8, 9, 10, 11}));
    store_v(o + 8, __builtin_shuffle(s26, s37, ivec{0, 1, 2, 3, 8, 9, 10, 11}));
    store_v(o + 16, __builtin_shuffle(s04, s15, ivec{4, 5, 6, 7, 12, 13, 14, 15}));
    store_v(o + 24, __builtin_shuffle(s26, s37, ivec{4, 5, 6, 7, 12, 13, 14, 15}));
  }
  return p;
}
#endif

void pack_a(const float* a, long lda, bool trans, long i0, long mc, long p0, long kc, float* dst) {
  for (long i = 0; i < mc; i += MR) {
    const long rows = mc - i < MR ? mc - i : MR;
    float* d = dst + i * kc;
    long p = 0;
#if TC_MR == 4 && TC_VW == 8
    if (!trans && rows == MR) p = pack_a_rows4(a + (i0 + i) * lda + p0, lda, kc, d);
#endif
    for (; p < kc; ++p) {
      for (long r = 0; r < rows; ++r)
        d[p * MR + r] = trans ? a[(p0 + p) * lda + i0 + i + r] : a[(i0 + i + r) * lda + p0 + p];
      for (long r = rows; r < MR; ++r) d[p * MR + r] = 0.0f;
    }
  }
}

#if TC_VW == 8
#include "transpose_8x8.h"

// Eight rows of B^T (columns of op(B)), eight depth steps: an 8 x 8 register transpose instead
// of scattered scalar stores (x @ W^T, every Linear layer's forward product, packs this way).
// Rows from `rows` on (an edge panel's missing columns) read as zeros.
inline void transpose_8x8(const float* r, long ldb, long rows, float* o) {
  vec in[8], out[8];
  for (int i = 0; i < 8; ++i) in[i] = i < rows ? load_v(r + i * ldb) : vec{};
  transpose_8x8_regs(in, out);
  for (int c = 0; c < 8; ++c) store_v(o + c * NR, out[c]);
}

// The first `cols` columns of op(B) = B^T, eight depth steps at a time, padded with zeros to
// whole vectors; returns the depth packed (a multiple of 8).
inline long pack_bt_cols(const float* s, long ldb, long cols, long kc, float* d) {
  const long whole = cols / 8, rest = cols - whole * 8;
  long p = 0;
  for (; p + 8 <= kc; p += 8) {
    for (long g = 0; g < whole; ++g) transpose_8x8(s + g * 8 * ldb + p, ldb, 8, d + p * NR + g * 8);
    if (rest > 0) transpose_8x8(s + whole * 8 * ldb + p, ldb, rest, d + p * NR + whole * 8);
  }
  return p;
}
#endif

// Packs B's column panels. The micro-kernel reads only ceil(cols / VW) vectors of an edge panel
// (edge_tile), so an edge panel is padded with zeros to whole vectors, not to NR: the zeros
// beyond were written for nothing (as a `rep stos` per depth step, 40% of a 4-column edge).
void pack_b(const float* b, long ldb, bool trans, long p0, long kc, long j0, long nc, float* dst) {
  if (!trans) {
    // Row by row across all panels: B's rows are contiguous, where panel by panel walked down
    // 2 KB-strided rows (packing was 6.5% of a 512 product on one thread, stalled on L3 loads).
    const long full = nc / NR * NR, rest = nc - full, whole = rest / VW * VW;
    for (long p = 0; p < kc; ++p) {
      const float* s = b + (p0 + p) * ldb + j0;
      for (long q = 0; q < full; q += NR)
        for (int v = 0; v < NV; ++v) store_v(dst + q * kc + p * NR + v * VW, load_v(s + q + v * VW));
      if (rest == 0) continue;
      float* o = dst + full * kc + p * NR;
      for (long q = 0; q < whole; q += VW) store_v(o + q, load_v(s + full + q));
      if (whole < rest) store_v(o + whole, load_first(s + full + whole, rest - whole));
    }
    return;
  }
  for (long j = 0; j < nc; j += NR) {
    const long cols = nc - j < NR ? nc - j : NR;
    const long width = (cols + VW - 1) / VW * VW;
    float* d = dst + j * kc;
    long p1 = 0;
#if TC_VW == 8
    p1 = pack_bt_cols(b + (j0 + j) * ldb + p0, ldb, cols, kc, d);
#endif
    if (p1 == kc) continue;
    if (width > cols)
      for (long p = p1; p < kc; ++p) store_v(d + p * NR + width - VW, vec{});
    for (long q = 0; q < cols; ++q) {
      const float* s = b + (j0 + j + q) * ldb + p0;
      for (long p = p1; p < kc; ++p) d[p * NR + q] = s[p];
    }
  }
}
