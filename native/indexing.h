// Gathers and scatters: index_select / index_add along the middle axis of [outer, size,
// inner], torch.gather / scatter_add, and copying a strided view into contiguous memory.
#pragma once

#include <cstdint>

namespace tc {

void index_select(const float* x, long outer, long size, long inner, const int32_t* idx, long nidx, float* out);
void index_add(const float* g, long outer, long size, long inner, const int32_t* idx, long nidx, float* gx);
void gather(const float* x, long outer, long size, long inner, const int32_t* idx, long k, float* out);
void scatter_add(const float* g, long outer, long size, long inner, const int32_t* idx, long k, float* gx);
// 4-byte elements (float32 or int32 alike): dst[i] = src[offset + sum_d idx_d * strides[d]].
void copy_strided(const uint32_t* src, long offset, const long* shape, const long* strides, int nd, uint32_t* dst);

}  // namespace tc
