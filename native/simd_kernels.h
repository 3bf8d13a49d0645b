// The hot contiguous loops of the elementwise, optimizer and pooling kernels. simd_kernels.cc
// is compiled once per instruction set (baseline, AVX2, AVX-512; the compiler vectorizes the
// loops to the widest registers it may use) and the fastest table the CPU supports is used.
// The callers (elementwise.cc, optim.cc, ...) keep the strided iteration and threading.
#pragma once

#include <cstdint>

#include "conv.h"
#include "conv_pack.h"
#include "optim.h"
#include "scalar_ops.h"

namespace tc {

constexpr long kIm2colSlack = 16;

struct SimdTable {
  const char* name;
  void (*unary[U_COUNT])(const float* x, float* out, long n);
  void (*binary_vv[B_COUNT])(const float* a, const float* b, float* out, long n);  // op(a[i], b[i])
  void (*binary_vs[B_COUNT])(const float* a, float s, float* out, long n);         // op(a[i], s)
  void (*binary_sv[B_COUNT])(float s, const float* b, float* out, long n);         // op(s, b[i])
  void (*clamp)(const float* x, float lo, float hi, float* out, long n);
  void (*where)(const float* c, const float* a, const float* b, float* out, long n);
  // Elements [b, e) of one optimizer update (see optim.h).
  void (*adam)(float* p, const float* g, float* m, float* v, float* vmax, long b, long e, const AdamArgs& a);
  void (*sgd)(float* p, const float* g, float* buf, long b, long e, const SgdArgs& a);
  // im2col for `channels` input planes: col[(c*KH*KW + ky*KW + kx), oy*OW + ox] =
  // x[c, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw], 0 in the padding; col2im is its adjoint
  // (accumulates into x) and may overwrite col (its scratch) while it runs. im2col may write
  // up to kIm2colSlack floats past the end of col.
  void (*im2col)(const float* x, long channels, const ConvGeom& g, float* col);
  void (*col2im)(float* col, long channels, const ConvGeom& g, float* x);
  // Implicit im2col (conv_pack.h): depth [p0, p0+kc) x columns [j0, j0+nc) of im2col's matrix
  // (CKK x OHW) packed from the padded image as GemmImpl::pack_b would pack them from col
  // (ceil(nc/nr) panels of kc x nr floats, columns past nc zero). nr <= kIm2colPackMaxNr; may
  // write up to kPackBSlack floats past the last panel.
  void (*pack_im2col)(const Im2colSource& s, long p0, long kc, long j0, long nc, long nr, float* dst);
  // Matrix-vector products for GEMMs with one row or column (no packing):
  // dot_rows:  y[i*incy] = alpha * dot(M[i*ld : i*ld+k], v) + beta * y[i*incy]   for i < rows
  // axpy_rows: y[j*incy] = alpha * sum_p v[p*incv] * M[p*ld + j] + beta * y[j*incy] for j < n
  // (beta == 0 never reads y).
  void (*dot_rows)(const float* M, long ld, long rows, long k, const float* v, float* y, long incy, float alpha,
                   float beta);
  void (*axpy_rows)(const float* M, long ld, long k, long n, const float* v, long incv, float* y, long incy,
                    float alpha, float beta);
  // The sum of x[i]^2 in double: eight lanes (element i into lane i % 8 while whole groups of
  // eight last, the rest into lane 0), each square and sum rounded to double, the lanes summed
  // as ((0+1)+(2+3))+((4+5)+(6+7)): the reference backend's order, so the same bits.
  double (*sum_squares)(const float* x, long n);
  // Softmax (or log-softmax) of one contiguous row.
  void (*softmax_row)(const float* x, float* y, long n, bool log);
  // 2x2/stride-2 max pooling of `planes` consecutive h x w planes into oh x ow outputs
  // (2*oh <= h, 2*ow <= w): first maximum wins, a NaN always wins; idx is the flat h*w index.
  void (*max_pool_2x2)(const float* x, float* out, int32_t* idx, long planes, long h, long w, long oh, long ow);
  // Its backward for one plane, in one pass: gx (h x w) = 0 + gy[o] where idx[o] points, 0
  // elsewhere, which is what zeroing gx and adding gy at idx gives when each idx[o] lies in
  // window o. Returns false (gx partly written) when one does not. Null in the baseline build,
  // where the scatter is faster.
  bool (*max_pool_2x2_backward)(const float* gy, const int32_t* idx, float* gx, long h, long w, long oh, long ow);
};

// The table for the running CPU (chosen once).
const SimdTable& simd();

const SimdTable* simd_table_generic();
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
const SimdTable* simd_table_avx2();
const SimdTable* simd_table_avx512();
#endif

}  // namespace tc
