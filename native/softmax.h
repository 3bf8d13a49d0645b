// Row-wise softmax and log-softmax.
#pragma once

namespace tc {

// Softmax (log-softmax when log) of each row of x viewed as [rows, cols]; a NaN anywhere in a
// row makes the row NaN, and a row of all -inf is NaN (as PyTorch).
void softmax(const float* x, long rows, long cols, float* out, bool log);

}  // namespace tc
