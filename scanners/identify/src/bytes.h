// Endian-aware loads from byte strings. Callers check the length first.
#pragma once

#include <cstdint>
#include <string_view>

namespace custos::identify::detail {

inline uint8_t U8(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

inline uint16_t Be16(std::string_view s, size_t i) {
  return static_cast<uint16_t>(U8(s, i) << 8 | U8(s, i + 1));
}
inline uint32_t Be32(std::string_view s, size_t i) {
  return static_cast<uint32_t>(U8(s, i)) << 24 | static_cast<uint32_t>(U8(s, i + 1)) << 16 |
         static_cast<uint32_t>(U8(s, i + 2)) << 8 | U8(s, i + 3);
}
inline uint64_t Be64(std::string_view s, size_t i) {
  return static_cast<uint64_t>(Be32(s, i)) << 32 | Be32(s, i + 4);
}
inline uint16_t Le16(std::string_view s, size_t i) {
  return static_cast<uint16_t>(U8(s, i) | U8(s, i + 1) << 8);
}
inline uint32_t Le32(std::string_view s, size_t i) {
  return static_cast<uint32_t>(Le16(s, i)) | static_cast<uint32_t>(Le16(s, i + 2)) << 16;
}
inline uint64_t Le64(std::string_view s, size_t i) {
  return static_cast<uint64_t>(Le32(s, i)) | static_cast<uint64_t>(Le32(s, i + 4)) << 32;
}

}  // namespace custos::identify::detail
