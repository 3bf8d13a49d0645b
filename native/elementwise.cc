#include "elementwise.h"

#include "scalar_ops.h"
#include "simd_kernels.h"
#include "strided.h"
#include "threadpool.h"

namespace tc {
namespace {

// Elements per thread below which a map stays on one thread: memory-bound ops need a lot of
// work to pay for the wake-up; transcendental ones much less.
constexpr long kGrainCheap = 1 << 15;
constexpr long kGrainCostly = 1 << 12;

bool costly_unary(int op) {
  return !(op == U_NEG || op == U_ABS || op == U_RELU || op == U_SQUARE || op == U_STEP || op == U_SIGN ||
           op == U_SQRT || op == U_RSQRT || op == U_RECIPROCAL || op == U_ISFINITE || op == U_FLOOR ||
           op == U_CEIL || op == U_ROUND);
}

void binary_strided(int op, const float* a, const long* a_st, const float* b, const long* b_st, float* out,
                    const long* shape, int nd) {
  const SimdTable& T = simd();
  const long* strides[2] = {a_st, b_st};
  const Layout<2> L(shape, strides, nd);
  const long grain = op == B_POW ? kGrainCostly : kGrainCheap;
  parallel_range(L.total, grain, [&](long e0, long e1, int) {
    L.segments(e0, e1, [&](long o, const long* off, const long* st, long len) {
      const float* pa = a + off[0];
      const float* pb = b + off[1];
      float* po = out + o;
      if (st[0] == 1 && st[1] == 1) T.binary_vv[op](pa, pb, po, len);
      else if (st[0] == 1 && st[1] == 0) T.binary_vs[op](pa, *pb, po, len);
      else if (st[0] == 0 && st[1] == 1) T.binary_sv[op](*pa, pb, po, len);
      else {
        // Rare layouts (a transposed operand): gather chunks contiguously, then the SIMD loop.
        constexpr long kChunk = 256;
        float ta[kChunk], tb[kChunk];
        const long sa = st[0], sb = st[1];
        for (long i0 = 0; i0 < len; i0 += kChunk) {
          const long cn = len - i0 < kChunk ? len - i0 : kChunk;
          for (long i = 0; i < cn; ++i) ta[i] = pa[(i0 + i) * sa], tb[i] = pb[(i0 + i) * sb];
          T.binary_vv[op](ta, tb, po + i0, cn);
        }
      }
    });
  });
}

}  // namespace

void unary(int op, const float* x, float* out, long n) {
  auto fn = simd().unary[op];
  parallel_range(n, costly_unary(op) ? kGrainCostly : kGrainCheap,
                 [&](long b, long e, int) { fn(x + b, out + b, e - b); });
}

void binary_scalar(int op, const float* x, float s, float* out, long n, bool scalar_first) {
  const SimdTable& T = simd();
  const long grain = op == B_POW ? kGrainCostly : kGrainCheap;
  if (scalar_first) {
    auto fn = T.binary_sv[op];
    parallel_range(n, grain, [&](long b, long e, int) { fn(s, x + b, out + b, e - b); });
  } else {
    auto fn = T.binary_vs[op];
    parallel_range(n, grain, [&](long b, long e, int) { fn(x + b, s, out + b, e - b); });
  }
}

void binary(int op, const float* a, const long* a_st, const float* b, const long* b_st, float* out,
            const long* shape, int nd) {
  binary_strided(op, a, a_st, b, b_st, out, shape, nd);
}

void where(const float* cond, const long* c_st, const float* a, const long* a_st, const float* b, const long* b_st,
           float* out, const long* shape, int nd) {
  const long* strides[3] = {c_st, a_st, b_st};
  const Layout<3> L(shape, strides, nd);
  parallel_range(L.total, kGrainCheap, [&](long e0, long e1, int) {
    L.segments(e0, e1, [&](long o, const long* off, const long* st, long len) {
      const float* __restrict pc = cond + off[0];
      const float* __restrict pa = a + off[1];
      const float* __restrict pb = b + off[2];
      float* __restrict po = out + o;
      if (st[0] == 1 && st[1] == 1 && st[2] == 1) simd().where(pc, pa, pb, po, len);
      else {
        const long sc = st[0], sa = st[1], sb = st[2];
        for (long i = 0; i < len; ++i) po[i] = pc[i * sc] != 0.0f ? pa[i * sa] : pb[i * sb];
      }
    });
  });
}

void clamp(const float* x, float lo, float hi, float* out, long n) {
  auto fn = simd().clamp;
  parallel_range(n, kGrainCheap, [&](long b, long e, int) { fn(x + b, lo, hi, out + b, e - b); });
}

}  // namespace tc
