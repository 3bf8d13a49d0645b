// Reductions over the middle axis of x viewed as [outer, size, inner]; out is [outer, inner].
#pragma once

namespace tc {

enum ReduceOp { R_SUM = 0, R_MAX = 1, R_MIN = 2 };

void reduce(int op, const float* x, long outer, long size, long inner, float* out);
// The sum of x[i]^2 in double, in the reference backend's order (SimdTable::sum_squares).
double sum_squares(const float* x, long n);
// First index of the max (min); a NaN counts as larger (smaller) than everything, so the
// first NaN wins, as in torch.argmax.
void arg_reduce(bool is_max, const float* x, long outer, long size, long inner, int* out);

}  // namespace tc
