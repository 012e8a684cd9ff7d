// Validators of values found by their shape and surroundings: e-mail addresses, phone
// numbers, IP addresses, GPS coordinates, dates of birth, private keys and AWS access
// keys; and the validators custom detectors may name (luhn, mod97, none).
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "custos/base/ascii.h"
#include "custos/base/time.h"
#include "validators.h"

namespace custos::detect::internal {

bool ValidateEmail(const Candidate& c, std::string* norm) {
  const std::string_view v = c.value;
  const size_t at = v.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view local = v.substr(0, at), domain = v.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  if (domain.find("..") != std::string_view::npos || domain.front() == '-') return false;
  // "logo@2x.png": a file name, not an address (no such top-level domains).
  static const char* kFileTypes[] = {"png", "jpg",  "jpeg", "gif", "webp", "svg",  "bmp", "ico",
                                     "tif", "tiff", "css",  "js",  "json", "txt",  "pdf", "csv",
                                     "xml", "html", "htm",  "log", "yml",  "yaml", "ini"};
  const std::string tld = AsciiLowercase(domain.substr(domain.rfind('.') + 1));
  for (const char* t : kFileTypes) {
    if (tld == t) return false;
  }
  // An address glued to more address characters is not a clean match.
  if (!c.after.empty() && (c.after[0] == '@')) return false;
  *norm = AsciiLowercase(v);
  return true;
}

bool ValidatePhoneIntl(const Candidate& c, std::string* norm) {
  // "(0)" is the national trunk prefix written inside international numbers.
  std::string v(c.value);
  const size_t trunk = v.find("(0)");
  if (trunk != std::string::npos) v.erase(trunk, 3);
  const std::string d = DigitsOf(v);
  if (d.size() < 8 || d.size() > 15 || AllSame(d.substr(1))) return false;
  if (!c.after.empty() && (std::isdigit(static_cast<unsigned char>(c.after[0])))) return false;
  *norm = "+" + d;
  return true;
}

bool ValidatePhoneNational(const Candidate& c, std::string* norm) {
  const std::string d = DigitsOf(c.value);
  if (d.size() < 9 || d.size() > 12 || AllSame(d.substr(1))) return false;
  *norm = d;
  return true;
}

bool ValidateIpv4(const Candidate& c, std::string* norm) {
  // Part of a longer dotted number (a version, an OID) is not an address.
  if (c.before.size() >= 1 &&
      (c.before.back() == '.' || std::isdigit(static_cast<unsigned char>(c.before.back())))) {
    return false;
  }
  if (c.after.size() >= 2 && c.after[0] == '.' &&
      std::isdigit(static_cast<unsigned char>(c.after[1]))) {
    return false;
  }
  if (!c.after.empty() && std::isdigit(static_cast<unsigned char>(c.after[0]))) return false;
  if (c.value == "0.0.0.0" || c.value == "255.255.255.255") return false;
  *norm = std::string(c.value);
  return true;
}

bool ValidateIpv6(const Candidate& c, std::string* norm) {
  std::string v(c.value);
  unsigned char buf[16];
  if (v.size() > 45 || inet_pton(AF_INET6, v.c_str(), buf) != 1) return false;
  size_t hex = 0;
  for (const char ch : v) hex += std::isxdigit(static_cast<unsigned char>(ch)) ? 1 : 0;
  if (hex < 4) return false;
  if (!c.after.empty() &&
      (std::isxdigit(static_cast<unsigned char>(c.after[0])) || c.after[0] == ':')) {
    return false;
  }
  if (!c.before.empty() &&
      (std::isxdigit(static_cast<unsigned char>(c.before.back())) || c.before.back() == ':')) {
    return false;
  }
  char out[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, buf, out, sizeof out);
  *norm = out;
  return true;
}

bool ValidateGps(const Candidate& c, std::string* norm) {
  const std::string v(c.value);
  if (v.find_first_of("NSEW") != std::string::npos) {  // hemisphere letters (DMS or decimal)
    *norm = AlnumUpper(v);
    return true;
  }
  // The two numbers, wherever they are ("51.5007, -0.1246", "lat 51.5007 lon -0.1246").
  double num[2];
  int k = 0;
  for (const char* p = v.c_str(); *p && k < 2;) {
    const bool sign = (*p == '-' || *p == '+') && std::isdigit(static_cast<unsigned char>(p[1]));
    if (sign || std::isdigit(static_cast<unsigned char>(*p))) {
      char* end = nullptr;
      num[k++] = std::strtod(p, &end);
      p = end;
    } else {
      ++p;
    }
  }
  if (k != 2) return false;
  const double lat = num[0], lon = num[1];
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return false;
  // Both below one degree: ratios or readings ("0.2500, 0.7500"), not a place.
  if (std::abs(lat) < 1 && std::abs(lon) < 1) return false;
  // One pair out of a longer list of decimals ("0.1234, 0.5678, 0.9012").
  auto decimal_at = [](std::string_view t) {  // t starts with [sign]digits.dddd
    size_t i = 0;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    const size_t d0 = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    if (i == d0 || i >= t.size() || t[i] != '.') return false;
    size_t n = 0;
    while (++i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++n;
    return n >= 4;
  };
  {
    std::string_view a = c.after;
    while (!a.empty() && (a.front() == ' ' || a.front() == '\t')) a.remove_prefix(1);
    if (!a.empty() && (a.front() == ',' || a.front() == ';')) {
      a.remove_prefix(1);
      while (!a.empty() && (a.front() == ' ' || a.front() == '\t')) a.remove_prefix(1);
      if (decimal_at(a)) return false;
    }
    std::string_view b = c.before;
    while (!b.empty() && (b.back() == ' ' || b.back() == '\t')) b.remove_suffix(1);
    if (!b.empty() && (b.back() == ',' || b.back() == ';')) {
      b.remove_suffix(1);
      while (!b.empty() && (b.back() == ' ' || b.back() == '\t')) b.remove_suffix(1);
      size_t i = b.size();
      while (i > 0 && (std::isdigit(static_cast<unsigned char>(b[i - 1])) || b[i - 1] == '.' ||
                       b[i - 1] == '-' || b[i - 1] == '+'))
        --i;
      if (decimal_at(b.substr(i))) return false;
    }
  }
  if (!c.before.empty() &&
      (std::isdigit(static_cast<unsigned char>(c.before.back())) || c.before.back() == '.')) {
    return false;
  }
  *norm = AlnumUpper(v);
  return true;
}

bool ValidateDateOfBirth(const Candidate& c, std::string* norm) {
  static const std::pair<const char*, int> kMonths[] = {{"jan", 1},
                                                        {"feb", 2},
                                                        {"mar", 3},
                                                        {"apr", 4},
                                                        {"may", 5},
                                                        {"jun", 6},
                                                        {"jul", 7},
                                                        {"aug", 8},
                                                        {"sep", 9},
                                                        {"oct", 10},
                                                        {"nov", 11},
                                                        {"dec", 12},
                                                        {"fev", 2},
                                                        {"f\xc3\xa9v", 2},
                                                        {"avr", 4},
                                                        {"mai", 5},
                                                        {"jui", 0},
                                                        {"ao\xc3\xbb", 8},
                                                        {"d\xc3\xa9"
                                                         "c",
                                                         12},
                                                        {"ene", 1},
                                                        {"abr", 4},
                                                        {"ago", 8},
                                                        {"dic", 12},
                                                        {"m\xc3\xa4r", 3},
                                                        {"okt", 10},
                                                        {"dez", 12},
                                                        {"gen", 1},
                                                        {"mag", 5},
                                                        {"giu", 6},
                                                        {"lug", 7},
                                                        {"set", 9},
                                                        {"ott", 10},
                                                        {"mrt", 3},
                                                        {"maa", 3},
                                                        {"out", 10},
                                                        {"mei", 5}};
  const std::string v = AsciiLowercase(c.value);
  std::vector<int> nums;
  int month_name = -1;
  std::string word;
  size_t i = 0;
  while (i < v.size()) {
    if (std::isdigit(static_cast<unsigned char>(v[i]))) {
      size_t j = i;
      while (j < v.size() && std::isdigit(static_cast<unsigned char>(v[j]))) ++j;
      nums.push_back(std::stoi(v.substr(i, std::min<size_t>(j - i, 6))));
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(v[i])) ||
               static_cast<unsigned char>(v[i]) >= 0x80) {
      size_t j = i;
      while (j < v.size() && (std::isalpha(static_cast<unsigned char>(v[j])) ||
                              static_cast<unsigned char>(v[j]) >= 0x80))
        ++j;
      word = v.substr(i, j - i);
      if (word == "de") {  // "17 de abril de 1957"
        i = j;
        continue;
      }
      for (const auto& [name, m] : kMonths) {
        if (word.rfind(name, 0) == 0) {
          month_name = m;
          if (m == 0) month_name = word.rfind("juil", 0) == 0 ? 7 : 6;  // juin / juillet
          break;
        }
      }
      if (month_name < 0) return false;
      i = j;
    } else {
      ++i;
    }
  }
  int y = 0, m = 0, d = 0;
  if (month_name > 0) {
    if (nums.size() != 2) return false;
    m = month_name;
    d = nums[0] > 31 ? nums[1] : nums[0];
    y = nums[0] > 31 ? nums[0] : nums[1];
  } else {
    if (nums.size() != 3) return false;
    if (nums[0] > 31) {  // Y-M-D
      y = nums[0];
      m = nums[1];
      d = nums[2];
    } else {  // D-M-Y, or M/D/Y when the first number cannot be a month's day order
      y = nums[2];
      d = nums[0];
      m = nums[1];
      if (m > 12 && d <= 12) std::swap(d, m);
      if (y < 100) y += y > CurrentYear() % 100 ? 1900 : 2000;
    }
  }
  if (y < 1900 || y > CurrentYear() || !UnixFromCivil(y, m, d)) return false;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
  *norm = buf;
  return true;
}

bool ValidatePrivateKey(const Candidate& c, std::string* norm) {
  // The armour must be followed by key material (base64, possibly after headers).
  std::string body;
  for (const char ch : c.after) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '/') body += ch;
  }
  if (body.size() < 24) return false;
  *norm = std::string(c.value) + body.substr(0, 48);
  return true;
}

bool ValidateAwsKey(const Candidate& c, std::string* norm) {
  *norm = std::string(c.value);
  return !AllSame(c.value.substr(4));
}

bool ValidateLuhnGeneric(const Candidate& c, std::string* norm) {
  const std::string d = DigitsOf(c.value);
  if (d.size() < 2 || !Luhn(d)) return false;
  *norm = d;
  return true;
}

bool ValidateMod97Generic(const Candidate& c, std::string* norm) {
  const std::string s = AlnumUpper(c.value);
  if (!IbanMod97(s)) return false;
  *norm = s;
  return true;
}

bool ValidateNone(const Candidate& c, std::string* norm) {
  *norm = std::string(c.value);
  return true;
}

}  // namespace custos::detect::internal
