// The AVX-512 register-only FMA loop (compiled with -mavx512f); see peak_avx2.cc for why it is
// assembly. 16 accumulators: 2 FMA pipes x 4-cycle latency with room to spare.
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
#include "peak.h"

namespace tc {

#define TC_FMA(r) "vfmadd231ps %%zmm30, %%zmm31, %%zmm" #r "\n\t"
#define TC_ZERO(r) "vmovaps %%zmm0, %%zmm" #r "\n\t"

double fma_loop_avx512(long iters) {
  if (iters <= 0) return 0.0;
  long n = iters;
  __asm__ volatile(
      "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"
      TC_ZERO(1) TC_ZERO(2) TC_ZERO(3) TC_ZERO(4) TC_ZERO(5) TC_ZERO(6) TC_ZERO(7) TC_ZERO(8)
      TC_ZERO(9) TC_ZERO(10) TC_ZERO(11) TC_ZERO(12) TC_ZERO(13) TC_ZERO(14) TC_ZERO(15)
      TC_ZERO(30) TC_ZERO(31)
      "1:\n\t"
      TC_FMA(0) TC_FMA(1) TC_FMA(2) TC_FMA(3) TC_FMA(4) TC_FMA(5) TC_FMA(6) TC_FMA(7)
      TC_FMA(8) TC_FMA(9) TC_FMA(10) TC_FMA(11) TC_FMA(12) TC_FMA(13) TC_FMA(14) TC_FMA(15)
      "dec %0\n\t"
      "jnz 1b\n\t"
      "vzeroupper\n\t"
      : "+r"(n)
      :
      : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
        "xmm12", "xmm13", "xmm14", "xmm15", "xmm30", "xmm31");
  return 2.0 * 16 * 16 * double(iters);
}

}  // namespace tc
#endif
