// Byte scans that the sniffers run over every file's first bytes, eight bytes at a
// time: most of a file share is ASCII text, and these loops run on each file.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace custos::bytes {

inline constexpr uint64_t kOnes = 0x0101010101010101ull;
inline constexpr uint64_t kHighs = 0x8080808080808080ull;

inline uint64_t Load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// The length of the leading run of ASCII bytes (< 0x80).
inline size_t AsciiPrefix(std::string_view s) {
  size_t i = 0;
  while (i + 8 <= s.size() && (Load8(s.data() + i) & kHighs) == 0) i += 8;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

// The high bit of each byte of `w` that equals `c`; exact, byte by byte (no carries
// between bytes).
inline uint64_t EqualMask(uint64_t w, unsigned char c) {
  const uint64_t y = w ^ (c * kOnes);
  const uint64_t nonzero = ((y & ~kHighs) + ~kHighs) | y;
  return ~nonzero & kHighs;
}

// The high bit of each byte of `w` below 0x20. Exact, byte by byte.
inline uint64_t Below20Mask(uint64_t w) {
  const uint64_t at_least_20 = ((w & ~kHighs) + (0x80 - 0x20) * kOnes) | w;
  return ~at_least_20 & kHighs;
}

// The high bit of each byte of `w` that is a control character other than the
// whitespace of ordinary text: below 0x20 except tab, line feed and carriage return,
// or 0x7F. Exact, byte by byte.
inline uint64_t OddControlMask(uint64_t w) {
  const uint64_t usual = EqualMask(w, '\n') | EqualMask(w, '\t') | EqualMask(w, '\r');
  return (Below20Mask(w) & ~usual) | EqualMask(w, 0x7F);
}

// The high bit of each byte of `w` that is a control character (below 0x20, or 0x7F)
// or not ASCII (0x80 and above). Exact, byte by byte.
inline uint64_t ControlOrHighMask(uint64_t w) {
  return Below20Mask(w) | EqualMask(w, 0x7F) | (w & kHighs);
}

inline bool IsOddControl(unsigned char b) {
  return (b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7F;
}

// Calls `on_control(byte)` for each odd control byte (see OddControlMask) in `s`, in
// order, until it returns false; returns false then, true when all of `s` was seen.
template <typename F>
bool ForEachOddControl(std::string_view s, F&& on_control) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    if (OddControlMask(Load8(s.data() + i)) == 0) continue;
    for (size_t k = i; k < i + 8; ++k) {
      const auto b = static_cast<unsigned char>(s[k]);
      if (IsOddControl(b) && !on_control(b)) return false;
    }
  }
  for (; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (IsOddControl(b) && !on_control(b)) return false;
  }
  return true;
}

}  // namespace custos::bytes
