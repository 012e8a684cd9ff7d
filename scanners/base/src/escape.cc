#include "custos/base/escape.h"

#include <cstdint>

#include "custos/base/bytes.h"

namespace custos {
namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void AppendHexEscape(std::string& out, uint8_t c) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

}  // namespace

std::string EscapeBytes(std::string_view raw, bool escape_controls) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    // Printable ASCII (nearly every path) is copied eight bytes at a time.
    size_t j = i;
    while (j + 8 <= raw.size() && bytes::ControlOrHighMask(bytes::Load8(raw.data() + j)) == 0) {
      j += 8;
    }
    if (j > i) {
      out.append(raw.data() + i, j - i);
      i = j;
      continue;
    }
    const size_t n = Utf8SequenceLength(raw, i);
    if (n == 0) {
      AppendHexEscape(out, static_cast<uint8_t>(raw[i]));
      ++i;
      continue;
    }
    const auto c = static_cast<uint8_t>(raw[i]);
    if (n == 1 && escape_controls && (c < 0x20 || c == 0x7f)) {
      AppendHexEscape(out, c);
    } else {
      out.append(raw.substr(i, n));
    }
    i += n;
  }
  return out;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  const auto plain = [](uint64_t w) {
    return (bytes::ControlOrHighMask(w) | bytes::EqualMask(w, '"') | bytes::EqualMask(w, '\\')) ==
           0;
  };
  // Bytes copied as they are: all but controls, DEL, '"' and '\\' (UTF-8 included).
  const auto plain_byte = [](uint8_t c) { return c >= 0x20 && c != 0x7f && c != '"' && c != '\\'; };
  for (size_t i = 0; i < s.size(); ++i) {
    // Runs of printable ASCII without '"' or '\\' are found eight bytes at a time where
    // they can be, and copied in one go.
    size_t j = i;
    while (j + 8 <= s.size() && plain(bytes::Load8(s.data() + j))) j += 8;
    while (j < s.size() && plain_byte(static_cast<uint8_t>(s[j]))) ++j;
    if (j > i) {
      out.append(s.data() + i, j - i);
      i = j;
      if (i == s.size()) break;
    }
    const auto c = static_cast<uint8_t>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";  // a control byte or DEL (plain_byte took the rest)
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out += '"';
}

std::string CsvField(std::string_view s) {
  // A spreadsheet takes a cell starting with one of these for a formula (OWASP's CSV
  // injection rule): a single quote in front keeps it text.
  const bool formula =
      !s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos;
  if (!formula && s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = formula ? "\"'" : "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string EscapeHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace custos
