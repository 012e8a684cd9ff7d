// Check digits and the helpers validators share: Luhn, ISO 7064 mod 97, ICAO 9303;
// digits, groups and separators of a candidate.
#include <algorithm>
#include <cctype>
#include <string>

#include "custos/base/time.h"
#include "validators.h"

namespace custos::detect {

bool Luhn(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t i = digits.size(); i-- > 0;) {
    if (digits[i] < '0' || digits[i] > '9') return false;
    int d = digits[i] - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool IbanMod97(std::string_view s) {
  if (s.size() < 5) return false;
  int rem = 0;
  auto feed = [&](char c) {
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      const int v = c - 'A' + 10;
      rem = (rem * 100 + v) % 97;
    } else {
      return false;
    }
    return true;
  };
  for (size_t i = 4; i < s.size(); ++i) {
    if (!feed(s[i])) return false;
  }
  for (size_t i = 0; i < 4; ++i) {
    if (!feed(s[i])) return false;
  }
  return rem == 1;
}

int IcaoCheckDigit(std::string_view field) {
  static const int kWeights[] = {7, 3, 1};
  int sum = 0;
  for (size_t i = 0; i < field.size(); ++i) {
    const char c = field[i];
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'A' && c <= 'Z') {
      v = c - 'A' + 10;
    } else if (c == '<') {
      v = 0;
    } else {
      return -1;
    }
    sum += v * kWeights[i % 3];
  }
  return sum % 10;
}

namespace internal {

// The separators between digit groups must be the same everywhere (or absent).
bool ConsistentSeparators(std::string_view v) {
  char sep = 0;
  for (const char c : v) {
    if (std::isalnum(static_cast<unsigned char>(c))) continue;
    if (sep == 0) {
      sep = c;
    } else if (c != sep) {
      return false;
    }
  }
  return true;
}

int CurrentYear() {
  const int64_t now = NowUnix();
  return std::stoi(FormatIso8601(now).substr(0, 4));
}

bool StandsAlone(const Candidate& c) {
  const auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  const auto sep = [](char ch) { return ch == ' ' || ch == '-' || ch == '.'; };
  // "1234 [5678 9012 3456]": the value is the tail of a longer group of digits.
  const std::string_view b = c.before;
  if (!b.empty() && (digit(b.back()) || (b.size() >= 4 && sep(b.back()) && digit(b[b.size() - 2]) &&
                                         digit(b[b.size() - 3]) && digit(b[b.size() - 4])))) {
    return false;
  }
  // "[4111 1111 1111] 1111": more groups of four follow.
  const auto alnum = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; };
  // "2c6aa066-...-[508697100438]": one group of a hyphenated token such as a UUID.
  if (b.size() >= 2 && b.back() == '-' && alnum(b[b.size() - 2])) return false;
  const std::string_view a = c.after;
  if (a.size() >= 2 && a[0] == '-' && alnum(a[1])) return false;
  if (!a.empty() && digit(a[0])) return false;
  if (a.size() >= 5 && sep(a[0]) && digit(a[1]) && digit(a[2]) && digit(a[3]) && digit(a[4])) {
    return false;
  }
  return true;
}

std::string DigitsOf(std::string_view s) {
  std::string d;
  for (const char c : s) {
    if (c >= '0' && c <= '9') d += c;
  }
  return d;
}

std::string AlnumUpper(std::string_view s) {
  std::string d;
  for (const char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      d += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return d;
}

}  // namespace internal
}  // namespace custos::detect
