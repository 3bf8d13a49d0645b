#include "indexing.h"

#include <cstring>

#include "strided.h"
#include "threadpool.h"

namespace tc {
namespace {
constexpr long kGrain = 1 << 15;
}

void index_select(const float* x, long outer, long size, long inner, const int32_t* idx, long nidx, float* out) {
  const long rows = outer * nidx;
  parallel_range(rows, kGrain / (inner + 1) + 1, [&](long b, long e, int) {
    for (long r = b; r < e; ++r) {
      const long o = r / nidx, j = r % nidx;
      const float* src = x + (o * size + idx[j]) * inner;
      float* dst = out + r * inner;
      if (inner == 1) *dst = *src;
      else std::memcpy(dst, src, sizeof(float) * inner);
    }
  });
}

// Repeated indices accumulate, so rows cannot be split by j; split by outer, or along
// inner when there is a single outer slice.
void index_add(const float* g, long outer, long size, long inner, const int32_t* idx, long nidx, float* gx) {
  auto body = [&](long o, long i0, long i1) {
    for (long j = 0; j < nidx; ++j) {
      const float* __restrict src = g + (o * nidx + j) * inner;
      float* __restrict dst = gx + (o * size + idx[j]) * inner;
      for (long i = i0; i < i1; ++i) dst[i] += src[i];
    }
  };
  if (outer > 1) {
    parallel_range(outer, kGrain / (nidx * inner + 1) + 1, [&](long b, long e, int) {
      for (long o = b; o < e; ++o) body(o, 0, inner);
    });
  } else {
    parallel_range(inner, kGrain / (nidx + 1) + 16, [&](long b, long e, int) { body(0, b, e); });
  }
}

void gather(const float* x, long outer, long size, long inner, const int32_t* idx, long k, float* out) {
  parallel_range(outer, kGrain / (k * inner + 1) + 1, [&](long b, long e, int) {
    for (long o = b; o < e; ++o) {
      const float* src = x + o * size * inner;
      const int32_t* ix = idx + o * k * inner;
      float* dst = out + o * k * inner;
      if (inner == 1)
        for (long j = 0; j < k; ++j) dst[j] = src[ix[j]];
      else
        for (long j = 0; j < k; ++j)
          for (long i = 0; i < inner; ++i) dst[j * inner + i] = src[long(ix[j * inner + i]) * inner + i];
    }
  });
}

void scatter_add(const float* g, long outer, long size, long inner, const int32_t* idx, long k, float* gx) {
  // Each outer slice writes only its own slice of gx.
  parallel_range(outer, kGrain / (k * inner + 1) + 1, [&](long b, long e, int) {
    for (long o = b; o < e; ++o) {
      float* dst = gx + o * size * inner;
      const int32_t* ix = idx + o * k * inner;
      const float* src = g + o * k * inner;
      if (inner == 1)  // e.g. max-pool's gradient: one index per output
        for (long j = 0; j < k; ++j) dst[ix[j]] += src[j];
      else
        for (long j = 0; j < k; ++j)
          for (long i = 0; i < inner; ++i) dst[long(ix[j * inner + i]) * inner + i] += src[j * inner + i];
    }
  });
}

void copy_strided(const uint32_t* src, long offset, const long* shape, const long* strides, int nd, uint32_t* dst) {
  const long* st[1] = {strides};
  const Layout<1> L(shape, st, nd);
  src += offset;
  parallel_range(L.total, kGrain, [&](long e0, long e1, int) {
    L.segments(e0, e1, [&](long o, const long* off, const long* s, long len) {
      const uint32_t* __restrict p = src + off[0];
      uint32_t* __restrict d = dst + o;
      const long step = s[0];
      if (step == 1) std::memcpy(d, p, sizeof(uint32_t) * len);
      else if (step == 0)
        for (long i = 0; i < len; ++i) d[i] = *p;
      else
        for (long i = 0; i < len; ++i) d[i] = p[i * step];
    });
  });
}

}  // namespace tc
