// Broadcast iteration for elementwise kernels: up to three inputs read through element
// strides (0 along broadcast dimensions) into one contiguous output. Dimensions are first
// simplified (size-1 dimensions dropped, dimensions that are contiguous for every operand
// merged) so that the common cases reduce to one long inner loop.
#pragma once

namespace tc {

constexpr int kMaxDims = 16;

template <int NIn>
struct Layout {
  int nd = 0;
  long shape[kMaxDims];
  long st[NIn][kMaxDims];
  long total = 1;

  // shape/strides are outermost first; nd may exceed kMaxDims only if most dims are 1.
  Layout(const long* shp, const long* const* strides, int ndims) {
    for (int d = 0; d < ndims; ++d) {
      total *= shp[d];
      if (shp[d] == 1) continue;
      if (nd > 0) {
        bool merge = true;
        for (int k = 0; k < NIn; ++k)
          if (st[k][nd - 1] != strides[k][d] * shp[d]) merge = false;
        if (merge) {
          shape[nd - 1] *= shp[d];
          for (int k = 0; k < NIn; ++k) st[k][nd - 1] = strides[k][d];
          continue;
        }
      }
      shape[nd] = shp[d];
      for (int k = 0; k < NIn; ++k) st[k][nd] = strides[k][d];
      ++nd;
    }
    if (nd == 0) {  // a single element
      nd = 1;
      shape[0] = 1;
      for (int k = 0; k < NIn; ++k) st[k][0] = 0;
    }
  }

  // Calls fn(outOffset, inOffsets[NIn], innerStrides[NIn], len) over the flattened output
  // range [e0, e1), one call per run along the innermost dimension.
  template <class F>
  void segments(long e0, long e1, F&& fn) const {
    const int last = nd - 1;
    long idx[kMaxDims];
    long off[NIn];
    long rem = e0;
    for (int k = 0; k < NIn; ++k) off[k] = 0;
    for (int d = last; d >= 0; --d) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
      for (int k = 0; k < NIn; ++k) off[k] += idx[d] * st[k][d];
    }
    long inner_st[NIn];
    for (int k = 0; k < NIn; ++k) inner_st[k] = st[k][last];
    long e = e0;
    while (e < e1) {
      long len = shape[last] - idx[last];
      if (len > e1 - e) len = e1 - e;
      fn(e, off, inner_st, len);
      e += len;
      if (e >= e1) break;
      // Advance the multi-index past this run.
      for (int k = 0; k < NIn; ++k) off[k] += len * st[k][last];
      idx[last] += len;
      for (int d = last; d > 0 && idx[d] == shape[d]; --d) {
        for (int k = 0; k < NIn; ++k) off[k] += st[k][d - 1] - shape[d] * st[k][d];
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  }
};

}  // namespace tc
