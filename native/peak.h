// The machine's limits, measured: a register-only FMA loop (the arithmetic peak of the vector
// units) and the GEMM micro-kernel on packed panels that stay in L1 (the achievable GEMM limit:
// what the kernel does when memory costs nothing). The benchmark and `tradecraft info` report
// every compute figure as a fraction of both.
#pragma once

#include "cpu.h"

namespace tc {

enum class PeakKind { Fma = 0, Kernel = 1 };

struct PeakResult {
  double wall;     // GFLOP/s over the wall-clock time, all threads together
  double per_core; // GFLOP/s per second of CPU time the threads got (one core's rate while running)
};

// GFLOP/s of `kind` on instruction set `isa` (lowered to what the CPU and build have) over
// `threads` pool threads (at most the pool size), running for about `seconds`. Returns a
// negative number when the instruction set is not available.
PeakResult peak_gflops(PeakKind kind, Isa isa, int threads, double seconds);

// The register-only FMA loops, one per instruction set (each in its ISA's translation unit):
// run `iters` iterations and return the floating-point operations done.
double fma_loop_generic(long iters);
#if defined(__x86_64__) && defined(TC_HAVE_X86_KERNELS)
double fma_loop_avx2(long iters);
double fma_loop_avx512(long iters);
#endif

}  // namespace tc
