#include "cpu.h"

#include <cstdlib>
#include <cstring>

namespace tc {

static Isa detect() {
  Isa best = Isa::Generic;
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = Isa::Avx2;
  if (best == Isa::Avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    best = Isa::Avx512;
#endif
  const char* want = std::getenv("TRADECRAFT_ISA");
  if (want != nullptr) {
    Isa w = best;
    if (std::strcmp(want, "generic") == 0) w = Isa::Generic;
    else if (std::strcmp(want, "avx2") == 0) w = Isa::Avx2;
    else if (std::strcmp(want, "avx512") == 0) w = Isa::Avx512;
    if (static_cast<int>(w) < static_cast<int>(best)) best = w;
  }
  return best;
}

Isa cpu_isa() {
  static const Isa isa = detect();
  return isa;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "generic";
  }
}

}  // namespace tc
