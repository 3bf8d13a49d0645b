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

void pack_a(const float* a, long lda, bool trans, long i0, long mc, long p0, long kc, float* dst) {
  for (long i = 0; i < mc; i += MR) {
    const long rows = mc - i < MR ? mc - i : MR;
    float* d = dst + i * kc;
    for (long p = 0; p < kc; ++p) {
      for (long r = 0; r < rows; ++r)
        d[p * MR + r] = trans ? a[(p0 + p) * lda + i0 + i + r] : a[(i0 + i + r) * lda + p0 + p];
      for (long r = rows; r < MR; ++r) d[p * MR + r] = 0.0f;
    }
  }
}

void pack_b(const float* b, long ldb, bool trans, long p0, long kc, long j0, long nc, float* dst) {
  for (long j = 0; j < nc; j += NR) {
    const long cols = nc - j < NR ? nc - j : NR;
    float* d = dst + j * kc;
    if (trans) {
      for (long q = 0; q < cols; ++q) {
        const float* s = b + (j0 + j + q) * ldb + p0;
        for (long p = 0; p < kc; ++p) d[p * NR + q] = s[p];
      }
      for (long p = 0; p < kc; ++p)
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
