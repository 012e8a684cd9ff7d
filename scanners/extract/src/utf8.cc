#include "utf8.h"

#include <cstdint>
#include <cstring>

namespace custos::extract {
namespace {

// Windows-1252 in 0x80-0x9f; 0 where the code page leaves a hole (kept as C1 control).
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

}  // namespace

void AppendCodePoint(uint32_t cp, std::string& out) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void AppendLatin1(unsigned char b, std::string& out) {
  if (b >= 0x80 && b < 0xA0 && kCp1252High[b - 0x80] != 0) {
    AppendCodePoint(kCp1252High[b - 0x80], out);
  } else {
    AppendCodePoint(b, out);
  }
}

int Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return -1;
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return 1;
  int len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (int i = 1; i < len; ++i) {
    if (static_cast<size_t>(i) >= s.size()) return -1;
    const auto b = static_cast<unsigned char>(s[i]);
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return len;
}

size_t AppendUtf8Lenient(std::string_view in, std::string& out, bool final) {
  size_t i = 0;
  out.reserve(out.size() + in.size());
  while (i < in.size()) {
    // Copy a run of ASCII at once.
    size_t j = i;
    // Eight bytes at a time while they are all ASCII (the common case).
    while (j + 8 <= in.size()) {
      uint64_t word;
      std::memcpy(&word, in.data() + j, 8);
      if (word & 0x8080808080808080ull) break;
      j += 8;
    }
    while (j < in.size() && static_cast<unsigned char>(in[j]) < 0x80) ++j;
    out.append(in.data() + i, j - i);
    i = j;
    if (i >= in.size()) break;
    const int len = Utf8SequenceLength(in.substr(i));
    if (len > 0) {
      out.append(in.data() + i, static_cast<size_t>(len));
      i += static_cast<size_t>(len);
    } else if (len < 0 && !final) {
      break;  // incomplete at the end: wait for more bytes
    } else {
      AppendLatin1(static_cast<unsigned char>(in[i]), out);
      ++i;
    }
  }
  return i;
}

size_t Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s.size();
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

}  // namespace custos::extract
