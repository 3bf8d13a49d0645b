// Keeps large allocations in the malloc heap instead of fresh mmap()s.
#pragma once

namespace tc {

// With glibc's defaults every large buffer (over ~128 KB to 32 MB) is a fresh mapping, so a
// kernel writing it pays a page fault per 4 KB: a relu into a new 6.4 MB Float32Array took
// 3.0 ms here against 0.18 ms into reused memory, and a training step allocates its
// activations and gradients anew every step. Raising the mmap and trim thresholds lets the
// heap hand the same, already-mapped memory back (calloc then clears it: 0.5 ms). The cost is
// that the process keeps its peak heap instead of returning it to the OS.
// Done once per process; skipped when TRADECRAFT_MALLOC_TUNING=0, when the user set malloc
// options through the environment, or when the C library is not glibc. Returns whether the
// thresholds were changed.
bool tune_malloc();

}  // namespace tc
