// The direct convolution's register tiles, written with GCC/Clang vector extensions so one
// source serves every GEMM family: include once per translation unit, inside an anonymous
// namespace, after defining TC_VW (floats per vector), and compile with that family's GEMM
// flags. Every output element is one accumulator that starts at 0 and takes `acc += a * b`
// once per depth step, in order: the expression and the flags of gemm_portable.h's
// micro-kernel, so the roundings (one fused multiply-add per step under -mfma
// -ffp-contract=fast, a multiply then an add without) are the GEMM's. Bias, relu and the 2x2
// max pool then only add and select, as conv.cc's epilogue and max_pool_2x2 do.
// (the including file provides <array>, <cstring>, <utility> and conv_direct_kernels.h)

typedef float vec __attribute__((vector_size(TC_VW * 4)));
typedef int ivec __attribute__((vector_size(TC_VW * 4)));
constexpr int VW = TC_VW;
// A tile is M rows of N vectors: M*N accumulators, M broadcasts and the one vector loaded at
// a time fit in 16 vector registers.
constexpr int kMaxN = 4;
constexpr int kMaxM[kMaxN + 1] = {0, 7, 5, 3, 3};

inline vec load_v(const float* p) {
  vec v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline void store_v(float* p, vec v) { std::memcpy(p, &v, sizeof(v)); }
// The first n < VW lanes of v (out of line, so that the tiles' accumulators stay in registers;
// a fixed-trip loop, which GCC does not turn into a memmove call).
__attribute__((noinline)) void store_n(float* p, vec v, long n) {
  float t[VW];
  store_v(t, v);
  for (int j = 0; j < VW; ++j)
    if (j < n) p[j] = t[j];
}
__attribute__((noinline)) void store_n(int32_t* p, ivec v, long n) {
  int32_t t[VW];
  std::memcpy(t, &v, sizeof(v));
  for (int j = 0; j < VW; ++j)
    if (j < n) p[j] = t[j];
}
inline long min_l(long a, long b) { return a < b ? a : b; }
inline vec broadcast(float s) { return s - vec{}; }

// conv.cc's epilogue on one vector of channel o: + bias (none: no addition, which would turn
// -0 into +0), then relu (NaN < 0 is false: NaN passes).
inline vec finish(vec r, const float* bias, long o, bool relu) {
  if (bias != nullptr) r += broadcast(bias[o]);
  if (relu) r = r < vec{} ? vec{} : r;
  return r;
}

// Forward: M output channels x N vectors of one row segment [ox0, ox0 + N*VW), every row.
// The last vector holds `last` valid pixels; when `spill` (the segment is the whole row, and
// at least as wide as the invalid lanes) they are stored anyway, into the start of the next
// row, which the next iteration overwrites (only the plane's last row needs the exact store).
template <int M, int N>
void forward_tile(const DirectForwardArgs& a, long o0, long ox0, long last, bool spill) {
  const long ohw = a.oh * a.ow;
  const float* __restrict wt = a.wt + o0;
  const int32_t* __restrict off = a.off;
  for (long oy = 0; oy < a.oh; ++oy) {
    const float* x = a.xp + oy * a.wp + ox0;
    vec acc[M][N];
    for (int i = 0; i < M; ++i)
      for (int v = 0; v < N; ++v) acc[i][v] = vec{};
    for (long p = 0; p < a.ckk; ++p) {
      const float* s = x + off[p];
      vec w[M];
      for (int i = 0; i < M; ++i) w[i] = broadcast(wt[p * a.ldw + i]);
      for (int v = 0; v < N; ++v) {
        const vec b = load_v(s + v * VW);
        for (int i = 0; i < M; ++i) acc[i][v] += w[i] * b;
      }
    }
    float* o = a.out + o0 * ohw + oy * a.ow + ox0;
    const bool whole = last == VW || (spill && oy + 1 < a.oh);
    for (int i = 0; i < M; ++i) {
      float* r = o + i * ohw;
      for (int v = 0; v < N - 1; ++v) store_v(r + v * VW, finish(acc[i][v], a.bias, o0 + i, a.relu));
      const vec t = finish(acc[i][N - 1], a.bias, o0 + i, a.relu);
      if (whole) store_v(r + (N - 1) * VW, t);
      else store_n(r + (N - 1) * VW, t, last);
    }
  }
}

#if TC_VW == 8
constexpr ivec kTwiceLane = {0, 2, 4, 6, 8, 10, 12, 14};
#elif TC_VW == 4
constexpr ivec kTwiceLane = {0, 2, 4, 6};
#endif

// A later candidate c wins if greater or NaN. (The mask as bits, selected with and/or: a
// vector ?: on an or of two comparisons costs GCC an extra comparison to normalize it.)
inline void take(vec c, int32_t c_off, vec& best, ivec& off) {
  const ivec t = (c > best) | (c != c);
  best = (vec)(((ivec)c & t) | ((ivec)best & ~t));
  off = (off & ~t) | ((ivec{} + c_off) & t);
}

// VW pooled outputs from the four conv pixels of each 2x2 window (c0 top-left, c1 top-right,
// c2 bottom-left, c3 bottom-right, already through finish): max_pool_2x2_row's comparisons,
// lane by lane, and the index base + 2*lane + the winner's offset (0, 1, ow, ow + 1).
inline void pool_window(vec c0, vec c1, vec c2, vec c3, int32_t base, int32_t ow, vec& best, ivec& idx) {
  best = c0;
  ivec off = ivec{};
  take(c1, 1, best, off);
  take(c2, ow, best, off);
  take(c3, ow + 1, best, off);
  idx = (ivec{} + base) + kTwiceLane + off;
}

// The fused call: M channels x VW pooled columns, for every pooled row: the conv pixels of
// the windows' four corners are four vectors (even and odd columns of two rows, read from the
// column-split padded image: a.off for even output columns, a.off_odd for odd ones), through
// bias, relu and the 2x2 max pool in registers; the conv rows are never stored. A pooled
// row's last segment spills as forward_tile's rows do.
template <int M>
void pool_tile(const DirectForwardArgs& a, long o0) {
  const long ph = a.oh / 2, pw = a.ow / 2, phw = ph * pw;
  const long nseg = (pw + VW - 1) / VW, last = pw - (nseg - 1) * VW;
  const bool spill = VW - last <= pw;
  const float* __restrict wt = a.wt + o0;
  const int32_t* __restrict off[2] = {a.off, a.off_odd};
  for (long py = 0; py < ph; ++py)
    for (long sg = 0; sg < nseg; ++sg) {
      const float* x = a.xp + 2 * py * a.wp + sg * VW;
      vec acc[M][4];  // top-left, top-right, bottom-left, bottom-right
      for (int i = 0; i < M; ++i)
        for (int v = 0; v < 4; ++v) acc[i][v] = vec{};
      for (long p = 0; p < a.ckk; ++p) {
        vec w[M];
        for (int i = 0; i < M; ++i) w[i] = broadcast(wt[p * a.ldw + i]);
        for (int v = 0; v < 4; ++v) {
          const vec b = load_v(x + off[v & 1][p] + (v >> 1) * a.wp);
          for (int i = 0; i < M; ++i) acc[i][v] += w[i] * b;
        }
      }
      const long n = sg + 1 == nseg ? last : VW;
      const bool whole = n == VW || (spill && py + 1 < ph);
      const long at = py * pw + sg * VW;
      const int32_t base = int32_t(2 * py * a.ow + 2 * sg * VW);
      for (int i = 0; i < M; ++i) {
        vec f[4];
        for (int v = 0; v < 4; ++v) f[v] = finish(acc[i][v], a.bias, o0 + i, true);
        vec best;
        ivec idx;
        pool_window(f[0], f[1], f[2], f[3], base, int32_t(a.ow), best, idx);
        float* po = a.pout + (o0 + i) * phw + at;
        int32_t* pi = a.pidx + (o0 + i) * phw + at;
        if (whole) {
          store_v(po, best);
          std::memcpy(pi, &idx, sizeof(idx));
        } else {
          store_n(po, best, n);
          store_n(pi, idx, n);
        }
      }
    }
}

// Weight gradient: M window offsets x N vectors of output channels over one depth block.
template <int M, int N>
void weight_tile(const DirectWeightArgs& a, long p0, long v0) {
  const float* __restrict g = a.gyt + v0 * VW;
  const float* xs[M];
  for (int i = 0; i < M; ++i) xs[i] = a.xp + a.off[p0 + i];
  const int32_t* __restrict qbase = a.qbase;
  vec acc[M][N];
  for (int i = 0; i < M; ++i)
    for (int v = 0; v < N; ++v) acc[i][v] = vec{};
  for (long q = 0; q < a.kc; ++q) {
    const long base = qbase[q];
    vec x[M];
    for (int i = 0; i < M; ++i) x[i] = broadcast(xs[i][base]);
    for (int v = 0; v < N; ++v) {
      const vec b = load_v(g + q * a.ldg + v * VW);
      for (int i = 0; i < M; ++i) acc[i][v] += x[i] * b;
    }
  }
  // As the micro-kernel's store with alpha = 1 and beta = 0 (first block of the first image)
  // or 1 (every later block): the block's sum, then that sum plus C, one rounding.
  float* c = a.c + p0 * a.ldc + v0 * VW;
  for (int i = 0; i < M; ++i)
    for (int v = 0; v < N; ++v) {
      float* cp = c + i * a.ldc + v * VW;
      vec r = acc[i][v];
      if (!a.first) r += load_v(cp);
      store_v(cp, r);
    }
}

using ForwardTileFn = void (*)(const DirectForwardArgs&, long, long, long, bool);
using WeightTileFn = void (*)(const DirectWeightArgs&, long, long);

// Tiles indexed [(m-1)*kMaxN + n-1]; shapes beyond the register budget are never called.
template <int I>
constexpr ForwardTileFn forward_entry() {
  constexpr int m = I / kMaxN + 1, n = I % kMaxN + 1;
  if constexpr (m <= kMaxM[n]) return &forward_tile<m, n>;
  else return nullptr;
}
template <int I>
constexpr WeightTileFn weight_entry() {
  constexpr int m = I / kMaxN + 1, n = I % kMaxN + 1;
  if constexpr (m <= kMaxM[n]) return &weight_tile<m, n>;
  else return nullptr;
}
template <int... I>
constexpr std::array<ForwardTileFn, sizeof...(I)> forward_table(std::integer_sequence<int, I...>) {
  return {{forward_entry<I>()...}};
}
template <int... I>
constexpr std::array<WeightTileFn, sizeof...(I)> weight_table(std::integer_sequence<int, I...>) {
  return {{weight_entry<I>()...}};
}
constexpr auto kForward = forward_table(std::make_integer_sequence<int, kMaxM[1] * kMaxN>{});
constexpr auto kWeight = weight_table(std::make_integer_sequence<int, kMaxM[1] * kMaxN>{});
// pool_tile holds 4*M accumulators: M <= kMaxM[4].
using PoolTileFn = void (*)(const DirectForwardArgs&, long);
constexpr PoolTileFn kPool[kMaxM[4]] = {&pool_tile<1>, &pool_tile<2>, &pool_tile<3>};

// A row is cut into segments of kMaxN vectors; a tile covers as many channels as the widest
// segment allows, row after row (its inputs and weights stay in L1).
void forward(const DirectForwardArgs& a, long o0, long o1) {
  const long nvec = (a.ow + VW - 1) / VW, nseg = (nvec + kMaxN - 1) / kMaxN;
  const long mmax = kMaxM[min_l(nvec, kMaxN)], last = a.ow - (nvec - 1) * VW;
  // A row's spill must land inside the next row of the same plane.
  const bool spill = nseg == 1 && VW - last <= a.ow;
  for (long o = o0; o < o1; o += mmax) {
    const long m = min_l(mmax, o1 - o);
    for (long s = 0; s < nseg; ++s) {
      const long n = min_l(kMaxN, nvec - s * kMaxN);
      kForward[(m - 1) * kMaxN + n - 1](a, o, s * kMaxN * VW, s + 1 == nseg ? last : VW, spill);
    }
  }
}

void forward_pool(const DirectForwardArgs& a, long o0, long o1) {
  for (long o = o0; o < o1; o += kMaxM[4]) kPool[min_l(kMaxM[4], o1 - o) - 1](a, o);
}

void weight_block(const DirectWeightArgs& a) {
  for (long v = 0; v < a.nov; v += kMaxN) {
    const long n = min_l(kMaxN, a.nov - v), mmax = kMaxM[n];
    for (long p = 0; p < a.ckk; p += mmax) kWeight[(min_l(mmax, a.ckk - p) - 1) * kMaxN + n - 1](a, p, v);
  }
}

#if TC_VW == 8
#include "transpose_8x8.h"
#endif

// Whole VW x VW blocks go through registers (a 32-row gy block is 25k floats an image, as
// much as the tiles' loads); the edges element by element.
inline void transpose_block(const float* s, long lds, float* d, long ldd) {
  vec r[VW];
  for (int i = 0; i < VW; ++i) r[i] = load_v(s + i * lds);
#if TC_VW == 8
  vec out[8];
  transpose_8x8_regs(r, out);
  for (int c = 0; c < 8; ++c) store_v(d + c * ldd, out[c]);
#elif TC_VW == 4
  const vec t0 = __builtin_shuffle(r[0], r[1], ivec{0, 4, 1, 5}), t1 = __builtin_shuffle(r[0], r[1], ivec{2, 6, 3, 7});
  const vec t2 = __builtin_shuffle(r[2], r[3], ivec{0, 4, 1, 5}), t3 = __builtin_shuffle(r[2], r[3], ivec{2, 6, 3, 7});
  store_v(d, __builtin_shuffle(t0, t2, ivec{0, 1, 4, 5}));
  store_v(d + ldd, __builtin_shuffle(t0, t2, ivec{2, 3, 6, 7}));
  store_v(d + 2 * ldd, __builtin_shuffle(t1, t3, ivec{0, 1, 4, 5}));
  store_v(d + 3 * ldd, __builtin_shuffle(t1, t3, ivec{2, 3, 6, 7}));
#else
  for (int i = 0; i < VW; ++i)
    for (int j = 0; j < VW; ++j) d[j * ldd + i] = s[i * lds + j];
#endif
}

void transpose(const float* src, long lds, long rows, long cols, float* dst, long ldd) {
  const long rows_full = rows / VW * VW, cols_full = cols / VW * VW;
  for (long i = 0; i < rows_full; i += VW) {
    for (long j = 0; j < cols_full; j += VW) transpose_block(src + i * lds + j, lds, dst + j * ldd + i, ldd);
    for (long j = cols_full; j < cols; ++j)
      for (long r = 0; r < VW; ++r) dst[j * ldd + i + r] = src[(i + r) * lds + j];
  }
  if (rows_full == ldd) return;
  for (long j = 0; j < cols; ++j) {
    float* d = dst + j * ldd;
    for (long i = rows_full; i < rows; ++i) d[i] = src[i * lds + j];
    for (long i = rows; i < ldd; ++i) d[i] = 0.0f;
  }
}

const ConvDirectKernels kKernels = {VW, forward, forward_pool, weight_block, transpose};
