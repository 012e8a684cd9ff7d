// Validators of numbers with a structure or check digits: payment cards, IBAN, MRZ and
// national identifiers (US SSN, UK NINO and NHS, ZA ID, NL BSN, ES DNI/NIE, IT codice
// fiscale, CH AHV, IN Aadhaar, BR CPF).
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "custos/base/time.h"
#include "validators.h"

namespace custos::detect::internal {

// Digit groups as cards print them: fours (the last may be shorter), or 4-6-5 / 4-6-4.
namespace {
bool CardGrouping(std::string_view v) {
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
}  // namespace

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

}  // namespace custos::detect::internal
