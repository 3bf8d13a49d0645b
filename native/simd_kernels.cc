// Compiled three times: as part of the addon (baseline flags) and in the AVX2 and AVX-512
// static libraries with TC_SIMD_VARIANT set. Always with -ffp-contract=off, so a*b+c stays
// two roundings, as in the reference backend.
#include "simd_kernels.h"

#include <cmath>

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
  B(B_GE)
#undef B
  t.clamp = &clamp_loop;
  t.where = &where_loop;
  t.adam = &adam_loop;
  t.sgd = &sgd_loop;
  return t;
}

constexpr SimdTable table = build();

}  // namespace
}  // namespace TC_CAT(simd_, TC_SIMD_VARIANT)

const SimdTable* TC_CAT(simd_table_, TC_SIMD_VARIANT)() { return &TC_CAT(simd_, TC_SIMD_VARIANT)::table; }

}  // namespace tc
