// CPU feature detection: which micro-kernel family the process runs, chosen once at load.
#pragma once

namespace tc {

enum class Isa { Generic = 0, Avx2 = 1, Avx512 = 2 };

// The best instruction set both the CPU and this build support (TRADECRAFT_ISA=generic|avx2|avx512
// may lower it, for testing the other paths on a machine that has them all).
Isa cpu_isa();
const char* isa_name(Isa isa);

}  // namespace tc
