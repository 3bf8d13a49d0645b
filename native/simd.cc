// Chooses the SimdTable for the running CPU.
#include "cpu.h"
#include "simd_kernels.h"

namespace tc {

const SimdTable& simd() {
  static const SimdTable* t = [] {
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
    switch (cpu_isa()) {
      case Isa::Avx512: return simd_table_avx512();
      case Isa::Avx2: return simd_table_avx2();
      default: break;
    }
#endif
    return simd_table_generic();
  }();
  return *t;
}

}  // namespace tc
