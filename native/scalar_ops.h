// Scalar definitions of the elementwise ops, matching PyTorch's semantics (see the notes
// on each). Op codes are the positions in UNARY_OPS / BINARY_OPS of src/backend/backend.ts;
// the enums below must list them in the same order.
#pragma once

#include <cmath>

#include "vmath.h"

namespace tc {

enum UnaryOp {
  U_NEG, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_ABS, U_SIGN, U_RELU, U_SIGMOID, U_TANH,
  U_SIN, U_COS, U_RECIPROCAL, U_SQUARE, U_LOG1P, U_EXPM1, U_FLOOR, U_CEIL, U_ROUND,
  U_ERF, U_ISFINITE, U_STEP, U_COUNT
};

enum BinaryOp {
  B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM,
  B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_RELU_BACKWARD, B_COUNT
};

template <int Op>
inline float unary_fn(float x) {
  if constexpr (Op == U_NEG) return -x;
  else if constexpr (Op == U_EXP) return vm::exp(x);
  else if constexpr (Op == U_LOG) return vm::log(x);
  else if constexpr (Op == U_SQRT) return std::sqrt(x);
  else if constexpr (Op == U_RSQRT) return 1.0f / std::sqrt(x);
  else if constexpr (Op == U_ABS) return std::fabs(x);
  // -1 / 0 / 1; zeros and NaN pass through unchanged.
  else if constexpr (Op == U_SIGN) return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x);
  // NaN < 0 is false, so NaN passes through like torch.relu.
  else if constexpr (Op == U_RELU) return x < 0.0f ? 0.0f : x;
  // Stable in both tails: never exp of a large positive number.
  else if constexpr (Op == U_SIGMOID) return vm::sigmoid(x);
  else if constexpr (Op == U_TANH) return vm::tanh(x);
  else if constexpr (Op == U_SIN) return std::sin(x);
  else if constexpr (Op == U_COS) return std::cos(x);
  else if constexpr (Op == U_RECIPROCAL) return 1.0f / x;
  else if constexpr (Op == U_SQUARE) return x * x;
  else if constexpr (Op == U_LOG1P) return std::log1p(x);
  else if constexpr (Op == U_EXPM1) return std::expm1(x);
  else if constexpr (Op == U_FLOOR) return std::floor(x);
  else if constexpr (Op == U_CEIL) return std::ceil(x);
  // Half to even (the default rounding mode), like torch.round.
  else if constexpr (Op == U_ROUND) return std::nearbyint(x);
  else if constexpr (Op == U_ERF) return std::erf(x);
  else if constexpr (Op == U_ISFINITE) return (x - x == 0.0f) ? 1.0f : 0.0f;
  // step(x) = x > 0: the derivative of relu; NaN gives 0.
  else return x > 0.0f ? 1.0f : 0.0f;
}

template <int Op>
inline float binary_fn(float a, float b) {
  if constexpr (Op == B_ADD) return a + b;
  else if constexpr (Op == B_SUB) return a - b;
  else if constexpr (Op == B_MUL) return a * b;
  else if constexpr (Op == B_DIV) return a / b;
  // C's pow, as torch.pow: pow(1, NaN) = 1, pow(NaN, 0) = 1. Evaluated in double and rounded
  // once, like the reference backend.
  else if constexpr (Op == B_POW) return static_cast<float>(std::pow(static_cast<double>(a), static_cast<double>(b)));
  // maximum/minimum propagate NaN from either side (unlike fmax/fmin).
  else if constexpr (Op == B_MAXIMUM) return (a > b || a != a) ? a : b;
  else if constexpr (Op == B_MINIMUM) return (a < b || a != a) ? a : b;
  else if constexpr (Op == B_EQ) return a == b ? 1.0f : 0.0f;
  else if constexpr (Op == B_NE) return a != b ? 1.0f : 0.0f;
  else if constexpr (Op == B_LT) return a < b ? 1.0f : 0.0f;
  else if constexpr (Op == B_LE) return a <= b ? 1.0f : 0.0f;
  else if constexpr (Op == B_GT) return a > b ? 1.0f : 0.0f;
  else if constexpr (Op == B_GE) return a >= b ? 1.0f : 0.0f;
  // The gradient a where the input b was positive, else 0 (NaN input gives 0, like step).
  else return b > 0.0f ? a : 0.0f;
}

}  // namespace tc
