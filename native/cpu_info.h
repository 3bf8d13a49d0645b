// What the CPU is: vendor, family/model and the microarchitecture they name, and its cache
// sizes (from sysfs on Linux, else cpuid, else conservative defaults). GEMM sizes its cache
// blocks from these; `tradecraft info` prints them.
#pragma once

namespace tc {

struct CpuInfo {
  char vendor[16];     // "AuthenticAMD", "GenuineIntel", ...
  int family, model;   // display family and model (extended fields folded in)
  const char* uarch;   // "Zen 3", "Sapphire Rapids", ... or "unknown"
  long l1d, l2, l3;    // bytes per core (L3: the whole shared cache)
  const char* cache_source;  // "sysfs", "cpuid" or "default"
};

const CpuInfo& cpu_info();

}  // namespace tc
