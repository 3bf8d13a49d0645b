// Which GEMM implementation (register tile), cache blocking and loop order this process uses,
// and how they were chosen. In order: TRADECRAFT_GEMM_TILE / _MC / _NC / _ORDER from the
// environment; the choice measured on this CPU when the addon was built (gemm-tuning.txt next to
// the addon, written by tune_gemm: tile, MC, order and NC); MC and NC from the cache sizes; the built-in defaults (loop
// order jr-ir). KC is fixed per instruction set and every candidate computes each element of C
// with the same chain of FMAs, so the choice changes speed only, never a bit of a result
// (tune_gemm checks that it holds).
#pragma once

#include <string>

#include "cpu.h"
#include "gemm_kernels.h"

namespace tc {

struct GemmConfig {
  const GemmImpl* impl;
  GemmBlocking blocking;
  std::string tuning_path;    // where the measured choice is looked for
  std::string tuning_status;  // "used", "absent", "for another CPU" or "invalid"
  std::string measured;       // when it was measured (ISO 8601), if used
};

// The configuration for the process's instruction set (cpu_isa()), fixed at first use.
const GemmConfig& gemm_config();

// Every register tile compiled for `isa` (the first is the default); returns how many.
int gemm_candidates(Isa isa, const GemmImpl** out, int max);

// Where the measured choice is kept: gemm-tuning.txt beside the loaded addon ("" if unknown).
std::string gemm_tuning_path();

// Times every candidate tile, MC and loop order on this CPU's instruction set (one thread, CPU
// time, three quarters of `seconds`) on three products shaped like the benchmark's (a square 512
// product, a Linear forward and a weight gradient at batch 64), then NC for the fastest on one
// product wider than the cache-sized NC (the rest of the time); checks that all candidates give
// the same bits, and returns a JSON report; with `write`, saves the choice to gemm_tuning_path()
// (atomically) for the processes that load the addon after this one.
std::string tune_gemm(double seconds, bool write);

}  // namespace tc
