#include "validators.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "custos/base/time.h"

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
namespace {

bool AllSame(std::string_view d) {
  return !d.empty() && std::all_of(d.begin(), d.end(), [&](char c) { return c == d[0]; });
}

int Digit(char c) { return c - '0'; }

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

}  // namespace

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
  std::string tld(domain.substr(domain.rfind('.') + 1));
  std::transform(tld.begin(), tld.end(), tld.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  for (const char* t : kFileTypes) {
    if (tld == t) return false;
  }
  // An address glued to more address characters is not a clean match.
  if (!c.after.empty() && (c.after[0] == '@')) return false;
  std::string n(v);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char ch) { return std::tolower(ch); });
  *norm = n;
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

// Digit groups as cards print them: fours (the last may be shorter), or 4-6-5 / 4-6-4.
static bool CardGrouping(std::string_view v) {
  std::vector<size_t> groups{0};
  for (const char ch : v) {
    if (ch >= '0' && ch <= '9') {
      ++groups.back();
    } else {
      groups.push_back(0);
    }
  }
  if (groups.size() == 1) return true;
  if (groups.size() == 3 && groups[0] == 4 && groups[1] == 6 &&
      (groups[2] == 5 || groups[2] == 4)) {
    return true;
  }
  for (size_t i = 0; i + 1 < groups.size(); ++i) {
    if (groups[i] != 4) return false;
  }
  return groups.back() >= 1 && groups.back() <= 4;
}

bool ValidatePaymentCard(const Candidate& c, std::string* norm) {
  if (!ConsistentSeparators(c.value) || !StandsAlone(c) || !CardGrouping(c.value)) return false;
  const std::string d = DigitsOf(c.value);
  const size_t n = d.size();
  if (n < 12 || n > 19 || AllSame(d) || !Luhn(d)) return false;
  auto pre = [&](size_t k) { return std::stoi(d.substr(0, k)); };
  bool ok = false;
  if (d[0] == '4')
    ok = n == 13 || n == 16 || n == 19;  // Visa
  else if (pre(2) >= 51 && pre(2) <= 55)
    ok = n == 16;  // Mastercard
  else if (pre(4) >= 2221 && pre(4) <= 2720)
    ok = n == 16;  // Mastercard 2-series
  else if (pre(2) == 34 || pre(2) == 37)
    ok = n == 15;  // Amex
  else if (pre(4) == 6011 || pre(2) == 65 || (pre(3) >= 644 && pre(3) <= 649))
    ok = n >= 16 && n <= 19;  // Discover
  else if (pre(4) >= 3528 && pre(4) <= 3589)
    ok = n >= 16 && n <= 19;  // JCB
  else if ((pre(3) >= 300 && pre(3) <= 305) || pre(2) == 36 || pre(2) == 38)
    ok = n >= 14 && n <= 19;  // Diners
  else if (pre(2) == 62)
    ok = n >= 16 && n <= 19;  // UnionPay
  else if (pre(2) == 50 || (pre(2) >= 56 && pre(2) <= 58) || pre(2) == 63 || pre(2) == 67)
    ok = n >= 12 && n <= 19;  // Maestro
  if (!ok) return false;
  *norm = d;
  return true;
}

bool ValidateIban(const Candidate& c, std::string* norm) {
  struct Len {
    const char* cc;
    int len;
  };
  static const Len kLengths[] = {
      {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16},
      {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22},
      {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20},
      {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22},
      {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
      {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30},
      {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21},
      {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
      {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
      {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33},
      {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
      {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29},
      {"VA", 22}, {"VG", 24}, {"XK", 20}};
  const std::string s = AlnumUpper(c.value);
  if (s.size() < 15) return false;
  for (const Len& l : kLengths) {
    if (s.compare(0, 2, l.cc) == 0) {
      if (static_cast<int>(s.size()) != l.len || !IbanMod97(s)) return false;
      *norm = s;
      return true;
    }
  }
  return false;
}

bool ValidateUsSsn(const Candidate& c, std::string* norm) {
  if (!StandsAlone(c)) return false;
  const std::string d = DigitsOf(c.value);
  if (d.size() != 9) return false;
  const int area = std::stoi(d.substr(0, 3));
  const int group = std::stoi(d.substr(3, 2));
  const int serial = std::stoi(d.substr(5, 4));
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) return false;
  if (d == "078051120" || d == "219099999" || d == "123456789") return false;  // famous fakes
  *norm = d;
  return true;
}

bool ValidateUkNino(const Candidate& c, std::string* norm) {
  const std::string s = AlnumUpper(c.value);
  if (s.size() != 9) return false;
  static const char* kBadPrefixes[] = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"};
  for (const char* p : kBadPrefixes) {
    if (s.compare(0, 2, p) == 0) return false;
  }
  if (!ConsistentSeparators(c.value)) return false;
  *norm = s;
  return true;
}

bool ValidateUkNhs(const Candidate& c, std::string* norm) {
  if (!StandsAlone(c)) return false;
  const std::string d = DigitsOf(c.value);
  if (d.size() != 10 || AllSame(d)) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += Digit(d[static_cast<size_t>(i)]) * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10 || check != Digit(d[9])) return false;
  *norm = d;
  return true;
}

namespace {
bool CheckField(std::string_view line, size_t pos, size_t len, size_t check_pos) {
  const int want = IcaoCheckDigit(line.substr(pos, len));
  const char got = line[check_pos];
  if (got == '<') {  // an absent optional field may carry '<' as its check digit
    return line.substr(pos, len).find_first_not_of('<') == std::string_view::npos;
  }
  return want >= 0 && got - '0' == want;
}

// Splits an MRZ candidate into its lines (separated by whitespace).
std::vector<std::string> MrzLines(std::string_view v) {
  std::vector<std::string> lines;
  std::string cur;
  for (const char ch : v) {
    if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t' || ch == '"' || ch == ',') {
      if (!cur.empty()) lines.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}
}  // namespace

bool ValidateMrz(const Candidate& c, std::string* norm) {
  const std::vector<std::string> l = MrzLines(c.value);
  bool ok = false;
  if (l.size() == 2 && l[0].size() == 44 && l[1].size() == 44) {  // TD3 (passport)
    const std::string& b = l[1];
    ok = CheckField(b, 0, 9, 9) && CheckField(b, 13, 6, 19) && CheckField(b, 21, 6, 27) &&
         CheckField(b, 28, 14, 42) &&
         IcaoCheckDigit(b.substr(0, 10) + b.substr(13, 7) + b.substr(21, 22)) == Digit(b[43]);
  } else if (l.size() == 2 && l[0].size() == 36 && l[1].size() == 36) {  // TD2
    const std::string& b = l[1];
    ok = CheckField(b, 0, 9, 9) && CheckField(b, 13, 6, 19) && CheckField(b, 21, 6, 27) &&
         IcaoCheckDigit(b.substr(0, 10) + b.substr(13, 7) + b.substr(21, 14)) == Digit(b[35]);
  } else if (l.size() == 3 && l[0].size() == 30 && l[1].size() == 30 &&
             l[2].size() == 30) {  // TD1 (ID card)
    const std::string &a = l[0], &b = l[1];
    ok = CheckField(a, 5, 9, 14) && CheckField(b, 0, 6, 6) && CheckField(b, 8, 6, 14) &&
         IcaoCheckDigit(a.substr(5, 25) + b.substr(0, 7) + b.substr(8, 7) + b.substr(18, 11)) ==
             Digit(b[29]);
  }
  if (!ok) return false;
  *norm = l.size() == 3 ? l[0] + l[1] : l[1];
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
  std::string v(c.value);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return std::tolower(ch); });
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

bool ValidateZaId(const Candidate& c, std::string* norm) {
  if (!StandsAlone(c)) return false;
  const std::string d = DigitsOf(c.value);
  if (d.size() != 13 || !Luhn(d)) return false;
  const int yy = std::stoi(d.substr(0, 2)), mm = std::stoi(d.substr(2, 2)),
            dd = std::stoi(d.substr(4, 2));
  if (!UnixFromCivil(1900 + yy, mm, dd) && !UnixFromCivil(2000 + yy, mm, dd)) return false;
  if (d[10] != '0' && d[10] != '1') return false;
  *norm = d;
  return true;
}

bool ValidateNlBsn(const Candidate& c, std::string* norm) {
  if (!StandsAlone(c)) return false;
  const std::string d = DigitsOf(c.value);
  if (d.size() != 9 || AllSame(d)) return false;
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += Digit(d[static_cast<size_t>(i)]) * (9 - i);
  sum -= Digit(d[8]);
  if (sum % 11 != 0) return false;
  *norm = d;
  return true;
}

bool ValidateEsDni(const Candidate& c, std::string* norm) {
  static const char kLetters[] = "TRWAGMYFPDXBNJZSQVHLCKE";
  std::string s = AlnumUpper(c.value);
  if (s.size() != 9) return false;
  std::string num = s.substr(0, 8);
  if (num[0] == 'X' || num[0] == 'Y' || num[0] == 'Z')
    num[0] = static_cast<char>('0' + (num[0] - 'X'));
  if (num.find_first_not_of("0123456789") != std::string::npos) return false;
  if (kLetters[std::stol(num) % 23] != s[8]) return false;
  if (AllSame(num)) return false;
  *norm = s;
  return true;
}

bool ValidateItFiscalCode(const Candidate& c, std::string* norm) {
  static const int kOdd[] = {1,  0,  5, 7, 9, 13, 15, 17, 19, 21, 2,  4,  18,
                             20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23};
  const std::string s = AlnumUpper(c.value);
  if (s.size() != 16) return false;
  int sum = 0;
  for (size_t i = 0; i < 15; ++i) {
    const char ch = s[i];
    const int idx = std::isdigit(static_cast<unsigned char>(ch)) ? ch - '0' : ch - 'A';
    sum += (i % 2 == 0) ? kOdd[idx] : idx;  // positions 1, 3, 5 ... are "odd"
  }
  if (s[15] != 'A' + sum % 26) return false;
  *norm = s;
  return true;
}

bool ValidateChAhv(const Candidate& c, std::string* norm) {
  if (!StandsAlone(c)) return false;
  const std::string d = DigitsOf(c.value);
  if (d.size() != 13 || d.compare(0, 3, "756") != 0) return false;
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) sum += Digit(d[i]) * (i % 2 == 0 ? 1 : 3);
  if ((10 - sum % 10) % 10 != Digit(d[12])) return false;
  *norm = d;
  return true;
}

bool ValidateInAadhaar(const Candidate& c, std::string* norm) {
  if (!StandsAlone(c)) return false;
  static const int kD[10][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
                                 {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
                                 {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
                                 {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
                                 {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
  static const int kP[8][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
                                {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
                                {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
                                {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
  const std::string d = DigitsOf(c.value);
  if (d.size() != 12 || !ConsistentSeparators(c.value) || AllSame(d)) return false;
  int check = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    check = kD[check][kP[i % 8][Digit(d[d.size() - 1 - i])]];
  }
  if (check != 0) return false;
  *norm = d;
  return true;
}

bool ValidateBrCpf(const Candidate& c, std::string* norm) {
  if (!StandsAlone(c)) return false;
  const std::string d = DigitsOf(c.value);
  if (d.size() != 11 || AllSame(d)) return false;
  for (int k = 9; k <= 10; ++k) {
    int sum = 0;
    for (int i = 0; i < k; ++i) sum += Digit(d[static_cast<size_t>(i)]) * (k + 1 - i);
    int check = (sum * 10) % 11;
    if (check == 10) check = 0;
    if (check != Digit(d[static_cast<size_t>(k)])) return false;
  }
  *norm = d;
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

std::string MaskKeepLast(std::string_view v, size_t keep) {
  size_t alnum = 0;
  for (const char c : v) alnum += std::isalnum(static_cast<unsigned char>(c)) ? 1 : 0;
  // Never reveal more than a third of the characters.
  keep = std::min(keep, alnum / 3);
  std::string out;
  size_t seen = 0;
  for (const char c : v) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      ++seen;
      out += seen > alnum - keep ? c : '*';
    } else if (static_cast<unsigned char>(c) < 0x80) {
      out += c;
    } else {
      out += '*';
    }
  }
  return out;
}

std::string MaskLast2(std::string_view v) { return MaskKeepLast(v, 2); }
std::string MaskLast4(std::string_view v) { return MaskKeepLast(v, 4); }

std::string MaskEmail(std::string_view v) {
  const size_t at = v.find('@');
  return "****" + std::string(v.substr(at));
}

std::string MaskIban(std::string_view v) {
  return std::string(v.substr(0, 2)) + MaskKeepLast(v.substr(2), 4);
}

std::string MaskAll(std::string_view v) { return MaskKeepLast(v, 0); }

std::string MaskMrz(std::string_view v) {
  // Document type and issuing state only: "P<UTO" + the rest hidden.
  return std::string(v.substr(0, std::min<size_t>(5, v.size()))) + "<*** (MRZ)";
}

std::string MaskPrivateKey(std::string_view v) { return std::string(v) + " [key material hidden]"; }

std::string MaskIpv4(std::string_view v) {
  const size_t dot = v.find('.');
  return std::string(v.substr(0, dot)) + ".*.*.*";
}

std::string MaskAwsKey(std::string_view v) {
  return std::string(v.substr(0, 4)) + std::string(12, '*') + std::string(v.substr(16));
}

}  // namespace internal
}  // namespace custos::detect
