// A string as a JSON string literal, for the addon's JSON reports (machine(), tuneGemm()): quotes
// and backslashes escaped, control characters (never meaningful in a path or message) as spaces.
#pragma once

#include <string>

namespace tc {

inline std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\', o += ch;
    else if (static_cast<unsigned char>(ch) < 0x20) o += ' ';
    else o += ch;
  }
  return o + "\"";
}

}  // namespace tc
