// An 8 x 8 transpose in registers, for the per-instruction-set sources that bring their own
// 8-float vector type (gemm_portable.h packing B^T, conv_direct_portable.h transposing gy).
// Include it where those are included: inside the including file's anonymous namespace, so
// each instruction set's copy keeps internal linkage.
#pragma once

// out[c] = column c of the rows r[0..7]: rows interleaved in pairs, then pairs of pairs, then
// the two halves joined. V is an 8-float vector type.
template <class V>
inline void transpose_8x8_regs(const V (&r)[8], V (&out)[8]) {
  typedef int ivec8 __attribute__((vector_size(32)));
  V t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = __builtin_shuffle(r[i], r[i + 1], ivec8{0, 8, 1, 9, 4, 12, 5, 13});
    t[i + 1] = __builtin_shuffle(r[i], r[i + 1], ivec8{2, 10, 3, 11, 6, 14, 7, 15});
  }
  for (int h = 0; h < 8; h += 4) {  // rows h..h+3: columns c | c+4 in each vector
    u[h] = __builtin_shuffle(t[h], t[h + 2], ivec8{0, 1, 8, 9, 4, 5, 12, 13});
    u[h + 1] = __builtin_shuffle(t[h], t[h + 2], ivec8{2, 3, 10, 11, 6, 7, 14, 15});
    u[h + 2] = __builtin_shuffle(t[h + 1], t[h + 3], ivec8{0, 1, 8, 9, 4, 5, 12, 13});
    u[h + 3] = __builtin_shuffle(t[h + 1], t[h + 3], ivec8{2, 3, 10, 11, 6, 7, 14, 15});
  }
  for (int c = 0; c < 4; ++c) {
    out[c] = __builtin_shuffle(u[c], u[c + 4], ivec8{0, 1, 2, 3, 8, 9, 10, 11});
    out[c + 4] = __builtin_shuffle(u[c], u[c + 4], ivec8{4, 5, 6, 7, 12, 13, 14, 15});
  }
}
