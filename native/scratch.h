// Per-thread scratch memory that grows on demand and is kept for the life of the thread
// (the pool's threads live as long as the process), 64-byte aligned.
#pragma once

#include <cstddef>
#include <cstdlib>

namespace tc {

struct Scratch {
  float* p = nullptr;
  size_t n = 0;
  float* get(size_t want) {
    if (want > n) {
      std::free(p);
      size_t bytes = ((want * sizeof(float)) + 63) & ~size_t(63);
      p = static_cast<float*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes));
      n = want;
    }
    return p;
  }
  ~Scratch() { std::free(p); }
};

}  // namespace tc
