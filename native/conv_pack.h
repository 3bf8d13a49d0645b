// Implicit im2col: a convolution's forward GEMM packs its right operand (the im2col matrix)
// straight from the image into the micro-kernel's panels, instead of im2col writing a column
// buffer that the GEMM then reads and packs again. The image is first copied once into a
// zero-bordered buffer, so every tap of every window is in bounds and padding costs no
// branches; the packing loop is per instruction set (SimdTable::pack_im2col).
// The panels hold exactly the floats pack_b would have packed from im2col's buffer, so the
// products are bit for bit those of im2col + GEMM.
#pragma once

#include "conv.h"
#include "gemm.h"

namespace tc {

// One image's planes with a zero border of ph rows and pw columns, plane after plane, and
// kIm2colSourceSlack zeros after the last (the forward packer copies whole 16-float chunks).
struct Im2colSource {
  const float* xp;
  long hp, wp;  // padded plane height and width
  long kh, kw, sh, sw, dh, dw, oh, ow;
};
constexpr long kIm2colSourceSlack = 16;

// The packers keep a panel's layout in a fixed array: usable when the kernel's NR fits it.
constexpr long kIm2colPackMaxNr = 64;
bool im2col_packing_fits();

// Fills the calling thread's padded copy of `channels` planes of x (g's geometry). The source
// stays valid until the thread's next call.
Im2colSource im2col_source(const float* x, long channels, const ConvGeom& g);

// op(B) = im2col(x) (CKK x OHW): the forward product W @ col. (The weight gradient's
// gy @ col^T keeps its im2col buffer: packing col^T from the image needs an 8 x 8 register
// transpose per 64 floats plus blends where 8 pixels wrap an output row, and saved 0.8 of
// the 15.5 us per image that im2col + pack_b spent on the CNN's conv2, none measurable end to end.)
BPacker im2col_packer(const Im2colSource& s);

}  // namespace tc
