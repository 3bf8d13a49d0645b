// Branch-free float32 exp, log, tanh and sigmoid written with plain arithmetic and bit
// casts, so the compiler vectorizes loops that call them (glibc's expf/logf are scalar
// calls). Cephes-style range reduction and minimax polynomials: within 2 ulp of the correctly
// rounded result over the whole range, with IEEE behaviour at the edges (exp overflows to
// +inf and underflows through the denormals to 0, log(0) = -inf, log(x < 0) = NaN, NaN in ->
// NaN out).
#pragma once

#include <cstdint>
#include <cstring>

namespace tc {
namespace vm {

inline float as_float(int32_t i) {
  float f;
  std::memcpy(&f, &i, 4);
  return f;
}
inline int32_t as_int(float f) {
  int32_t i;
  std::memcpy(&i, &f, 4);
  return i;
}

// Round to nearest even for |v| < 2^22 without a rounding instruction (SSE2 has none).
inline float round_small(float v) {
  const float magic = 12582912.0f;  // 1.5 * 2^23
  return (v + magic) - magic;
}

inline float exp(float x) {
  constexpr float kHi = 88.7228394f, kLo = -103.972084f;
  // NaN fails both comparisons and flows through; patched at the end.
  float xc = x > kHi ? kHi : x;
  xc = xc < kLo ? kLo : xc;
  const float n = round_small(xc * 1.44269504088896341f);
  // x - n*ln2 in two steps (Cody-Waite) to keep r exact.
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  // Scale by 2^n as 2^n1 * 2^n2 so both factors are normal numbers even when the result
  // overflows or is denormal.
  const int32_t ni = static_cast<int32_t>(n == n ? n : 0.0f);
  const int32_t n1 = ni >> 1, n2 = ni - n1;
  float y = p * as_float((n1 + 127) << 23) * as_float((n2 + 127) << 23);
  y = x > kHi ? as_float(0x7F800000) : y;
  y = x < kLo ? 0.0f : y;
  return x != x ? x : y;
}

inline float log(float x) {
  // Denormals are scaled into the normal range first. (Written with selects on floats and
  // arithmetic on the integer parts so that GCC if-converts and vectorizes the loop.)
  const float tiny = x < 1.17549435e-38f ? 1.0f : 0.0f;
  const float xs = x * (1.0f + tiny * 8388607.0f);  // x * 2^23 when tiny
  const int32_t bits = as_int(xs);
  float m = as_float((bits & 0x007FFFFF) | 0x3F000000);  // mantissa in [0.5, 1)
  // Shift m into [sqrt(0.5), sqrt(2)).
  const float small = m < 0.707106781186547524f ? 1.0f : 0.0f;
  const float fe = static_cast<float>(((bits >> 23) & 0xFF) - 126) - 23.0f * tiny - small;
  m = m + small * m;
  const float f = m - 1.0f;
  const float z = f * f;
  float p = 7.0376836292e-2f;
  p = p * f - 1.1514610310e-1f;
  p = p * f + 1.1676998740e-1f;
  p = p * f - 1.2420140846e-1f;
  p = p * f + 1.4249322787e-1f;
  p = p * f - 1.6668057665e-1f;
  p = p * f + 2.0000714765e-1f;
  p = p * f - 2.4999993993e-1f;
  p = p * f + 3.3333331174e-1f;
  float y = f * z * p;
  y = y + fe * -2.12194440e-4f;
  y = y - 0.5f * z;
  y = f + y;
  y = y + fe * 0.693359375f;
  // Edges: log(+inf) = inf, log(0) = -inf, log(x < 0) = NaN, NaN passes.
  y = x == as_float(0x7F800000) ? x : y;
  y = x == 0.0f ? as_float(int32_t(0xFF800000)) : y;
  y = x < 0.0f ? as_float(0x7FC00000) : y;
  return x != x ? x : y;
}

// 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) below, neither exp overflowing (as the reference).
inline float sigmoid(float x) {
  const float ax = x < 0.0f ? -x : x;
  const float e = exp(-ax);
  const float r = 1.0f / (1.0f + e);
  const float y = x >= 0.0f ? r : e * r;
  return x != x ? x : y;
}

inline float tanh(float x) {
  const float ax = x < 0.0f ? -x : x;
  // |x| < 0.625: odd minimax polynomial; beyond: 1 - 2/(e^{2|x|} + 1), saturating to 1.
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x + x * z * p;
  const float big = 1.0f - 2.0f / (exp(ax + ax) + 1.0f);
  const float sbig = x < 0.0f ? -big : big;
  const float y = ax < 0.625f ? small : sbig;
  return (x != x || x == 0.0f) ? x : y;  // NaN and the sign of zero pass through
}

}  // namespace vm
}  // namespace tc
