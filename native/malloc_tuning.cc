#include "malloc_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tc {

namespace {

// Grows the heap once and touches every page, then frees it: with the trim threshold raised
// the memory stays mapped, so the first outputs of a fresh process (a new Float32Array per
// op until the garbage collector starts returning old ones) reuse faulted pages instead of
// taking a page fault per 4 KB. TRADECRAFT_PREFAULT_MB sets the size (0 turns it off).
void prefault_heap() {
  long mb = 32;
  if (const char* v = std::getenv("TRADECRAFT_PREFAULT_MB")) mb = std::atol(v);
  if (mb <= 0) return;
  const size_t bytes = size_t(mb) << 20;
  char* p = static_cast<char*>(std::malloc(bytes));
  if (p == nullptr) return;
  for (size_t i = 0; i < bytes; i += 4096) static_cast<volatile char*>(p)[i] = 0;
  std::free(p);
}

}  // namespace

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
    if (tuned) prefault_heap();
#endif
  });
  return tuned;
}

}  // namespace tc
