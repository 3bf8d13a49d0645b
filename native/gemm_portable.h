// A GEMM micro-kernel and packing written with GCC/Clang vector extensions, so one source
// serves any instruction set: gemm_avx2.cc instantiates it with 8-wide vectors under
// -mavx2 -mfma, gemm_generic.cc with 4-wide vectors and no flags (SSE2 on x86-64, NEON on
// arm64). Include once per translation unit, inside an anonymous namespace, after defining
// TC_MR (rows of the tile), TC_NV (vectors per row) and TC_VW (floats per vector).
// (the including file provides <cstring>)

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

void kernel(long kc, const float* __restrict ap, const float* __restrict bp, float* __restrict c, long ldc, long mr,
            long nr, float alpha, float beta) {
  vec acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = vec{} ;
  // C's rows are ldc apart and usually not in cache: ask for them now so that the misses
  // overlap the kc multiply-add steps instead of stalling the stores at the end.
  for (int i = 0; i < MR; ++i) {
    __builtin_prefetch(c + i * ldc, 1, 3);
    __builtin_prefetch(c + i * ldc + NR - 1, 1, 3);
  }
#pragma GCC unroll 4
  for (long p = 0; p < kc; ++p) {
    vec b[NV];
    for (int v = 0; v < NV; ++v) b[v] = load_v(bp + v * VW);
    for (int i = 0; i < MR; ++i) {
      const float s = ap[i];
      vec a = s - vec{};  // broadcast
      for (int v = 0; v < NV; ++v) acc[i][v] += a * b[v];
    }
    ap += MR;
    bp += NR;
  }
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; ++i) {
      float* cr = c + i * ldc;
      for (int v = 0; v < NV; ++v) {
        vec r = acc[i][v] * alpha;
        if (beta != 0.0f) r += load_v(cr + v * VW) * beta;
        store_v(cr + v * VW, r);
      }
    }
    return;
  }
  float tile[MR * NR];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) store_v(tile + i * NR + v * VW, acc[i][v]);
  for (long i = 0; i < mr; ++i) {
    float* cr = c + i * ldc;
    for (long j = 0; j < nr; ++j) cr[j] = beta == 0.0f ? alpha * tile[i * NR + j] : alpha * tile[i * NR + j] + beta * cr[j];
  }
}

#if TC_MR == 4 && TC_VW == 8
// Four full rows of A, eight depth steps at a time: a 4 x 8 register transpose instead of 32
// scalar gathers (packing A was ~0.4 ns a float, a fifth of a convolution's per-image GEMM).
typedef int ivec __attribute__((vector_size(32)));
inline long pack_a_rows4(const float* a, long lda, long kc, float* d) {
  long p = 0;
  for (; p + 8 <= kc; p += 8) {
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
// Eight rows of B^T (columns of op(B)), eight depth steps at a time: an 8 x 8 register
// transpose per group of eight columns instead of scattered scalar stores (x @ W^T, every
// Linear layer's forward product, packs this way).
inline long pack_bt_cols(const float* s, long ldb, long kc, float* d) {
  typedef int ivec8 __attribute__((vector_size(32)));
  long p = 0;
  for (; p + 8 <= kc; p += 8) {
    for (int g = 0; g < NV; ++g) {
      const float* r = s + long(g) * 8 * ldb + p;
      vec t[8], u[8];
      for (int i = 0; i < 8; i += 2) {
        const vec x = load_v(r + i * ldb), y = load_v(r + (i + 1) * ldb);
        t[i] = __builtin_shuffle(x, y, ivec8{0, 8, 1, 9, 4, 12, 5, 13});
        t[i + 1] = __builtin_shuffle(x, y, ivec8{2, 10, 3, 11, 6, 14, 7, 15});
      }
      for (int h = 0; h < 8; h += 4) {  // rows h..h+3: depth c | c+4 in each vector
        u[h] = __builtin_shuffle(t[h], t[h + 2], ivec8{0, 1, 8, 9, 4, 5, 12, 13});
        u[h + 1] = __builtin_shuffle(t[h], t[h + 2], ivec8{2, 3, 10, 11, 6, 7, 14, 15});
        u[h + 2] = __builtin_shuffle(t[h + 1], t[h + 3], ivec8{0, 1, 8, 9, 4, 5, 12, 13});
        u[h + 3] = __builtin_shuffle(t[h + 1], t[h + 3], ivec8{2, 3, 10, 11, 6, 7, 14, 15});
      }
      float* o = d + p * NR + g * 8;
      for (int c = 0; c < 4; ++c) {
        store_v(o + c * NR, __builtin_shuffle(u[c], u[c + 4], ivec8{0, 1, 2, 3, 8, 9, 10, 11}));
        store_v(o + (c + 4) * NR, __builtin_shuffle(u[c], u[c + 4], ivec8{4, 5, 6, 7, 12, 13, 14, 15}));
      }
    }
  }
  return p;
}
#endif

void pack_b(const float* b, long ldb, bool trans, long p0, long kc, long j0, long nc, float* dst) {
  for (long j = 0; j < nc; j += NR) {
    const long cols = nc - j < NR ? nc - j : NR;
    float* d = dst + j * kc;
    if (trans) {
      long p1 = 0;
#if TC_VW == 8
      if (cols == NR) p1 = pack_bt_cols(b + (j0 + j) * ldb + p0, ldb, kc, d);
#endif
      if (p1 == kc) continue;
      for (long q = 0; q < cols; ++q) {
        const float* s = b + (j0 + j + q) * ldb + p0;
        for (long p = p1; p < kc; ++p) d[p * NR + q] = s[p];
      }
      for (long p = p1; p < kc; ++p)
        for (long q = cols; q < NR; ++q) d[p * NR + q] = 0.0f;
    } else {
      for (long p = 0; p < kc; ++p) {
        const float* s = b + (p0 + p) * ldb + j0 + j;
        for (long q = 0; q < cols; ++q) d[p * NR + q] = s[q];
        for (long q = cols; q < NR; ++q) d[p * NR + q] = 0.0f;
      }
    }
  }
}
