// Elementwise maps: unary ops, binary ops against a scalar or a broadcast tensor, where,
// clamp. Op codes as in scalar_ops.h.
#pragma once

namespace tc {

void unary(int op, const float* x, float* out, long n);
void binary_scalar(int op, const float* x, float s, float* out, long n, bool scalar_first);
// shape and strides have nd entries each, outermost first; out is contiguous.
void binary(int op, const float* a, const long* a_st, const float* b, const long* b_st, float* out,
            const long* shape, int nd);
void where(const float* cond, const long* c_st, const float* a, const long* a_st, const float* b, const long* b_st,
           float* out, const long* shape, int nd);
void clamp(const float* x, float lo, float hi, float* out, long n);

}  // namespace tc
