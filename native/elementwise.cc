#include "elementwise.h"

#include "scalar_ops.h"
#include "strided.h"
#include "threadpool.h"

namespace tc {
namespace {

// Elements per thread below which a map stays on one thread: memory-bound ops need a lot of
// work to pay for the wake-up; transcendental ones much less.
constexpr long kGrainCheap = 1 << 15;
constexpr long kGrainCostly = 1 << 12;

constexpr bool costly_unary(int op) {
  return !(op == U_NEG || op == U_ABS || op == U_RELU || op == U_SQUARE || op == U_STEP || op == U_SIGN ||
           op == U_SQRT || op == U_RSQRT || op == U_RECIPROCAL || op == U_ISFINITE || op == U_FLOOR ||
           op == U_CEIL || op == U_ROUND);
}

template <int Op>
void unary_t(const float* __restrict x, float* __restrict out, long n) {
  parallel_range(n, costly_unary(Op) ? kGrainCostly : kGrainCheap, [&](long b, long e, int) {
    for (long i = b; i < e; ++i) out[i] = unary_fn<Op>(x[i]);
  });
}

template <int Op>
void binary_scalar_t(const float* __restrict x, float s, float* __restrict out, long n, bool first) {
  const long grain = Op == B_POW ? kGrainCostly : kGrainCheap;
  if (Op == B_POW && !first && s == 2.0f) {  // x ** 2, the common case
    parallel_range(n, kGrainCheap, [&](long b, long e, int) {
      for (long i = b; i < e; ++i) out[i] = x[i] * x[i];
    });
    return;
  }
  parallel_range(n, grain, [&](long b, long e, int) {
    if (first)
      for (long i = b; i < e; ++i) out[i] = binary_fn<Op>(s, x[i]);
    else
      for (long i = b; i < e; ++i) out[i] = binary_fn<Op>(x[i], s);
  });
}

template <int Op>
void binary_t(const float* a, const long* a_st, const float* b, const long* b_st, float* out, const long* shape,
              int nd) {
  const long* strides[2] = {a_st, b_st};
  const Layout<2> L(shape, strides, nd);
  const long grain = Op == B_POW ? kGrainCostly : kGrainCheap;
  parallel_range(L.total, grain, [&](long e0, long e1, int) {
    L.segments(e0, e1, [&](long o, const long* off, const long* st, long len) {
      const float* __restrict pa = a + off[0];
      const float* __restrict pb = b + off[1];
      float* __restrict po = out + o;
      if (st[0] == 1 && st[1] == 1)
        for (long i = 0; i < len; ++i) po[i] = binary_fn<Op>(pa[i], pb[i]);
      else if (st[0] == 1 && st[1] == 0) {
        const float vb = *pb;
        for (long i = 0; i < len; ++i) po[i] = binary_fn<Op>(pa[i], vb);
      } else if (st[0] == 0 && st[1] == 1) {
        const float va = *pa;
        for (long i = 0; i < len; ++i) po[i] = binary_fn<Op>(va, pb[i]);
      } else {
        const long sa = st[0], sb = st[1];
        for (long i = 0; i < len; ++i) po[i] = binary_fn<Op>(pa[i * sa], pb[i * sb]);
      }
    });
  });
}

}  // namespace

#define TC_UNARY_CASE(OP) \
  case OP: return unary_t<OP>(x, out, n);
void unary(int op, const float* x, float* out, long n) {
  switch (op) {
    TC_UNARY_CASE(U_NEG) TC_UNARY_CASE(U_EXP) TC_UNARY_CASE(U_LOG) TC_UNARY_CASE(U_SQRT)
    TC_UNARY_CASE(U_RSQRT) TC_UNARY_CASE(U_ABS) TC_UNARY_CASE(U_SIGN) TC_UNARY_CASE(U_RELU)
    TC_UNARY_CASE(U_SIGMOID) TC_UNARY_CASE(U_TANH) TC_UNARY_CASE(U_SIN) TC_UNARY_CASE(U_COS)
    TC_UNARY_CASE(U_RECIPROCAL) TC_UNARY_CASE(U_SQUARE) TC_UNARY_CASE(U_LOG1P) TC_UNARY_CASE(U_EXPM1)
    TC_UNARY_CASE(U_FLOOR) TC_UNARY_CASE(U_CEIL) TC_UNARY_CASE(U_ROUND) TC_UNARY_CASE(U_ERF)
    TC_UNARY_CASE(U_ISFINITE) TC_UNARY_CASE(U_STEP)
    default: break;
  }
}
#undef TC_UNARY_CASE

#define TC_BINARY_SWITCH(CALL)                                                                    \
  switch (op) {                                                                                   \
    case B_ADD: CALL(B_ADD); case B_SUB: CALL(B_SUB); case B_MUL: CALL(B_MUL);                    \
    case B_DIV: CALL(B_DIV); case B_POW: CALL(B_POW); case B_MAXIMUM: CALL(B_MAXIMUM);            \
    case B_MINIMUM: CALL(B_MINIMUM); case B_EQ: CALL(B_EQ); case B_NE: CALL(B_NE);                \
    case B_LT: CALL(B_LT); case B_LE: CALL(B_LE); case B_GT: CALL(B_GT); case B_GE: CALL(B_GE);   \
    default: break;                                                                               \
  }

void binary_scalar(int op, const float* x, float s, float* out, long n, bool scalar_first) {
#define TC_CALL(OP) return binary_scalar_t<OP>(x, s, out, n, scalar_first)
  TC_BINARY_SWITCH(TC_CALL)
#undef TC_CALL
}

void binary(int op, const float* a, const long* a_st, const float* b, const long* b_st, float* out,
            const long* shape, int nd) {
#define TC_CALL(OP) return binary_t<OP>(a, a_st, b, b_st, out, shape, nd)
  TC_BINARY_SWITCH(TC_CALL)
#undef TC_CALL
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
      if (st[0] == 1 && st[1] == 1 && st[2] == 1)
        for (long i = 0; i < len; ++i) po[i] = pc[i] != 0.0f ? pa[i] : pb[i];
      else {
        const long sc = st[0], sa = st[1], sb = st[2];
        for (long i = 0; i < len; ++i) po[i] = pc[i * sc] != 0.0f ? pa[i * sa] : pb[i * sb];
      }
    });
  });
}

// torch.clamp: NaN stays NaN; lo > hi gives hi.
void clamp(const float* x, float lo, float hi, float* out, long n) {
  parallel_range(n, kGrainCheap, [&](long b, long e, int) {
    for (long i = b; i < e; ++i) {
      float v = x[i];
      v = v < lo ? lo : v;
      out[i] = v > hi ? hi : v;
    }
  });
}

}  // namespace tc
