#include "cpu_info.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace tc {
namespace {

// Family/model -> microarchitecture, from the vendors' published family/model tables.
const char* amd_uarch(int family, int model) {
  if (family == 0x17) return model >= 0x30 ? "Zen 2" : "Zen / Zen+";
  if (family == 0x19) {
    if (model <= 0x0f || (model >= 0x20 && model <= 0x5f)) return "Zen 3";
    return "Zen 4";
  }
  if (family == 0x1a) return "Zen 5";
  return "unknown";
}

const char* intel_uarch(int family, int model) {
  if (family != 6) return "unknown";
  switch (model) {
    case 0x3c: case 0x3f: case 0x45: case 0x46: return "Haswell";
    case 0x3d: case 0x47: case 0x4f: case 0x56: return "Broadwell";
    case 0x4e: case 0x5e: return "Skylake";
    case 0x55: return "Skylake-SP / Cascade Lake";
    case 0x8e: case 0x9e: return "Kaby / Coffee Lake";
    case 0x66: return "Cannon Lake";
    case 0x7d: case 0x7e: return "Ice Lake";
    case 0x6a: case 0x6c: return "Ice Lake-SP";
    case 0x8c: case 0x8d: return "Tiger Lake";
    case 0xa7: return "Rocket Lake";
    case 0x97: case 0x9a: return "Alder Lake";
    case 0xb7: case 0xba: case 0xbf: return "Raptor Lake";
    case 0x8f: return "Sapphire Rapids";
    case 0xcf: return "Emerald Rapids";
    case 0xad: case 0xae: return "Granite Rapids";
    case 0xaa: case 0xac: return "Meteor Lake";
    case 0xc5: case 0xc6: return "Arrow Lake";
    case 0xbd: return "Lunar Lake";
    default: return "unknown";
  }
}

// "32K", "1024K", "32M" -> bytes.
long parse_size(const char* s) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (end == s || v <= 0) return 0;
  if (*end == 'K') v <<= 10;
  else if (*end == 'M') v <<= 20;
  return v;
}

bool read_line(const char* path, char* buf, size_t n) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return false;
  const bool ok = std::fgets(buf, int(n), f) != nullptr;
  std::fclose(f);
  if (ok) buf[std::strcspn(buf, "\n")] = 0;
  return ok;
}

bool caches_from_sysfs(CpuInfo& c) {
  bool any = false;
  for (int i = 0; i < 8; ++i) {
    char path[96], level[16], type[32], size[32];
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    if (!read_line(path, level, sizeof level)) break;
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
    if (!read_line(path, type, sizeof type)) continue;
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
    if (!read_line(path, size, sizeof size)) continue;
    const long bytes = parse_size(size);
    if (bytes == 0 || std::strcmp(type, "Instruction") == 0) continue;
    const int lv = std::atoi(level);
    if (lv == 1) c.l1d = bytes;
    else if (lv == 2) c.l2 = bytes;
    else if (lv == 3) c.l3 = bytes;
    any = true;
  }
  return any && c.l1d > 0 && c.l2 > 0;
}

#if defined(__x86_64__)
// Deterministic cache parameters: leaf 4 (Intel) or 0x8000001D (AMD), same layout.
bool caches_from_cpuid(CpuInfo& c, bool amd) {
  const unsigned leaf = amd ? 0x8000001Du : 4u;
  unsigned a, b, cc, d;
  if (__get_cpuid_max(leaf & 0x80000000u, nullptr) < leaf) return false;
  bool any = false;
  for (unsigned i = 0; i < 8; ++i) {
    __cpuid_count(leaf, i, a, b, cc, d);
    const unsigned type = a & 31;
    if (type == 0) break;
    if (type == 2) continue;  // instruction cache
    const long bytes = long((b >> 22) + 1) * long(((b >> 12) & 0x3ff) + 1) * long((b & 0xfff) + 1) * long(cc + 1);
    const unsigned level = (a >> 5) & 7;
    if (level == 1) c.l1d = bytes;
    else if (level == 2) c.l2 = bytes;
    else if (level == 3) c.l3 = bytes;
    any = true;
  }
  return any && c.l1d > 0 && c.l2 > 0;
}
#endif

CpuInfo detect() {
  CpuInfo c{};
  std::strcpy(c.vendor, "unknown");
  c.uarch = "unknown";
  bool amd = false;
#if defined(__x86_64__)
  unsigned a, b, cc, d;
  if (__get_cpuid(0, &a, &b, &cc, &d)) {
    std::memcpy(c.vendor, &b, 4);
    std::memcpy(c.vendor + 4, &d, 4);
    std::memcpy(c.vendor + 8, &cc, 4);
    c.vendor[12] = 0;
    __get_cpuid(1, &a, &b, &cc, &d);
    const int base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    c.family = base_family == 0xf ? base_family + int((a >> 20) & 0xff) : base_family;
    c.model = (base_family == 0x6 || base_family == 0xf) ? (int((a >> 16) & 0xf) << 4) + base_model : base_model;
    amd = std::strcmp(c.vendor, "AuthenticAMD") == 0 || std::strcmp(c.vendor, "HygonGenuine") == 0;
    c.uarch = amd ? amd_uarch(c.family, c.model)
              : std::strcmp(c.vendor, "GenuineIntel") == 0 ? intel_uarch(c.family, c.model) : "unknown";
  }
#endif
  if (caches_from_sysfs(c)) {
    c.cache_source = "sysfs";
#if defined(__x86_64__)
  } else if (caches_from_cpuid(c, amd)) {
    c.cache_source = "cpuid";
#endif
  } else {
    c.l1d = 32 << 10, c.l2 = 256 << 10, c.l3 = 0;
    c.cache_source = "default";
  }
  return c;
}

}  // namespace

const CpuInfo& cpu_info() {
  static const CpuInfo info = detect();
  return info;
}

}  // namespace tc
