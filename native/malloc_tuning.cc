#include "malloc_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tc {

bool tune_malloc() {
  static std::once_flag once;
  static bool tuned = false;
  std::call_once(once, [] {
#if defined(__GLIBC__)
    const char* opt = std::getenv("TRADECRAFT_MALLOC_TUNING");
    if (opt != nullptr && std::strcmp(opt, "0") == 0) return;
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr || std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr ||
        (tunables != nullptr && std::strstr(tunables, "malloc") != nullptr))
      return;
    tuned = mallopt(M_MMAP_THRESHOLD, 512 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
#endif
  });
  return tuned;
}

}  // namespace tc
