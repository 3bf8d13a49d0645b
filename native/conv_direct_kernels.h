// The per-instruction-set loops of the direct convolution (conv_direct.h): its register tiles,
// written once with vector extensions in conv_direct_portable.h and compiled once per GEMM
// family (conv_direct_generic.cc with the addon's flags, conv_direct_avx2.cc with the AVX2
// GEMM's -mavx2 -mfma -ffp-contract=fast), so that each output element's multiply-adds round
// exactly as that family's GEMM micro-kernel rounds them.
#pragma once

#include <cstdint>

namespace tc {

// One group of one image for the forward pass: the convolution y[o, oy*ow + ox] = sum over p in
// [0, ckk), in order, of wt[p*ldw + o] * xp[oy*wp + ox + off[p]], from 0; then, as conv.cc's
// epilogue, y + bias[o] (when bias is given) and relu (when asked, or when pooling).
struct DirectForwardArgs {
  const float* xp;     // zero-padded input planes, rows wp floats apart, readable up to kDirectSlack past the end
  long wp;
  const int32_t* off;  // the window's ckk offsets into xp, in im2col order (c, ky, kx)
  long ckk;
  const float* wt;     // weights transposed: wt[p*ldw + o]
  long ldw;
  long oh, ow;
  const float* bias;  // this group's, or null
  bool relu;
  float* out;  // forward: (channels, oh*ow)
  // forward_pool: relu(y + bias) max-pooled 2x2/2 into (channels, ph*pw), ph = oh/2 and pw =
  // ow/2, with the flat index in the oh x ow plane of each maximum, as max_pool_2x2 gives them.
  // xp then holds each padded row split into its even columns and its odd ones (wp floats
  // apart), off the window's offsets for an even output column and off_odd for an odd one.
  const int32_t* off_odd;
  float* pout;
  int32_t* pidx;
};

// One depth block (kc pixels) of the weight gradient, for ckk window offsets and nov vectors of
// output channels: c[p*ldc + o] = (first ? 0 : c[p*ldc + o]) + sum over q in [0, kc), in
// order, of xp[qbase[q] + off[p]] * gyt[q*ldg + o] (that sum from 0).
struct DirectWeightArgs {
  const float* xp;
  const int32_t* off;
  long ckk;
  const int32_t* qbase;  // each pixel's window origin in xp
  long kc;
  const float* gyt;  // the block of gy transposed
  long ldg;
  long nov;  // vectors of output channels (nov * vw columns of c and gyt)
  float* c;
  long ldc;
  bool first;
};

struct ConvDirectKernels {
  long vw;  // floats per vector
  // Output channels [o0, o1) of a.out, or of a.pout and a.pidx.
  void (*forward)(const DirectForwardArgs& a, long o0, long o1);
  void (*forward_pool)(const DirectForwardArgs& a, long o0, long o1);
  void (*weight_block)(const DirectWeightArgs& a);
  // dst[j*ldd + i] = src[i*lds + j] for i < rows, j < cols; dst[j*ldd + i] = 0 for rows <= i < ldd.
  void (*transpose)(const float* src, long lds, long rows, long cols, float* dst, long ldd);
};

// How far past the padded planes the forward tiles read (whole vectors from the last row).
constexpr long kDirectSlack = 16;

const ConvDirectKernels* conv_direct_generic();
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
const ConvDirectKernels* conv_direct_avx2();
#endif

}  // namespace tc
