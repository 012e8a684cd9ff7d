#include "dates.h"

#include <array>
#include <cctype>
#include <cstring>

#include "custos/base/ascii.h"
#include "custos/base/time.h"

namespace custos::identify::detail {
namespace {

// A tiny cursor over the text being parsed.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool Done() const { return i_ >= s_.size(); }
  char Peek() const { return Done() ? '\0' : s_[i_]; }
  void Skip() { ++i_; }
  bool Eat(char c) {
    if (Peek() != c || Done()) return false;
    ++i_;
    return true;
  }
  void SkipSpaces() {
    while (!Done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  // Reads between `min` and `max` decimal digits.
  bool Number(int min, int max, int& out) {
    int n = 0;
    int v = 0;
    while (n < max && !Done() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      v = v * 10 + (s_[i_] - '0');
      ++i_;
      ++n;
    }
    if (n < min) return false;
    out = v;
    return true;
  }
  // Reads a run of letters.
  std::string_view Word() {
    const size_t start = i_;
    while (!Done() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
    return s_.substr(start, i_ - start);
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\0' || std::isspace(static_cast<unsigned char>(s.back())))) {
    s.remove_suffix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

// 1-12 for an English month abbreviation (or full name), 0 otherwise.
int MonthFromName(std::string_view w) {
  static constexpr std::array<const char*, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
  if (w.size() < 3) return 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (EqualsIgnoringCase(w.substr(0, 3), kMonths[i])) return static_cast<int>(i) + 1;
  }
  return 0;
}

// Parses an optional "hh:mm[:ss]" at the cursor into h, mi, se.
bool TimeOfDay(Cursor& c, int& h, int& mi, int& se) {
  if (!c.Number(1, 2, h)) return false;
  if (!c.Eat(':') || !c.Number(2, 2, mi)) return false;
  se = 0;
  if (c.Eat(':') && !c.Number(2, 2, se)) return false;
  if (c.Eat('.') || c.Eat(',')) {  // fractions of a second
    int frac = 0;
    c.Number(1, 9, frac);
  }
  return true;
}

// Parses an optional numeric zone "Z", "+hh:mm", "+hhmm", "+hh" into seconds east.
bool NumericZone(Cursor& c, int& offset) {
  offset = 0;
  if (c.Eat('Z') || c.Eat('z')) return true;
  const char sign = c.Peek();
  if (sign != '+' && sign != '-') return true;
  c.Skip();
  int hh = 0;
  int mm = 0;
  if (!c.Number(2, 2, hh)) return false;
  c.Eat(':');
  c.Eat('\'');
  c.Number(2, 2, mm);
  if (hh > 23 || mm > 59) return false;
  offset = (hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
  return true;
}

std::optional<int64_t> Build(int y, int mo, int d, int h, int mi, int se, int zone_offset) {
  const auto t = UnixFromCivil(y, mo, d, h, mi, se > 59 ? 59 : se);
  if (!t) return std::nullopt;
  return *t - zone_offset;
}

}  // namespace

std::optional<int64_t> Plausible(std::optional<int64_t> t) {
  if (!t || *t < kMinPlausibleDate || *t > NowUnix() + 86400) return std::nullopt;
  return t;
}

std::optional<int64_t> ParseLooseDate(std::string_view s) {
  s = Trim(s);
  Cursor c(s);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, zone = 0;
  if (std::isdigit(static_cast<unsigned char>(c.Peek()))) {
    if (!c.Number(4, 4, y)) return std::nullopt;
    const char sep = c.Peek();
    if (sep != '-' && sep != ':' && sep != '/' && sep != '.') return std::nullopt;
    c.Skip();
    if (!c.Number(1, 2, mo) || !c.Eat(sep) || !c.Number(1, 2, d)) return std::nullopt;
    if (c.Eat('T') || c.Eat(' ')) {
      c.SkipSpaces();
      if (!TimeOfDay(c, h, mi, se)) return std::nullopt;
      c.SkipSpaces();
      if (!NumericZone(c, zone)) return std::nullopt;
    }
    return Build(y, mo, d, h, mi, se, zone);
  }
  // ctime(3): "Mon Jan 02 03:04:05 2024" (AVI IDIT).
  c.Word();
  c.SkipSpaces();
  mo = MonthFromName(c.Word());
  if (mo == 0) return std::nullopt;
  c.SkipSpaces();
  if (!c.Number(1, 2, d)) return std::nullopt;
  c.SkipSpaces();
  if (!TimeOfDay(c, h, mi, se)) return std::nullopt;
  c.SkipSpaces();
  if (!c.Number(4, 4, y)) return std::nullopt;
  return Build(y, mo, d, h, mi, se, 0);
}

std::optional<int64_t> ParseRfc5322Date(std::string_view s) {
  s = Trim(s);
  Cursor c(s);
  c.SkipSpaces();
  if (std::isalpha(static_cast<unsigned char>(c.Peek()))) {  // day of week
    c.Word();
    c.SkipSpaces();
    if (!c.Eat(',')) return std::nullopt;
    c.SkipSpaces();
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!c.Number(1, 2, d)) return std::nullopt;
  c.SkipSpaces();
  mo = MonthFromName(c.Word());
  if (mo == 0) return std::nullopt;
  c.SkipSpaces();
  if (!c.Number(2, 4, y)) return std::nullopt;
  if (y < 50) {
    y += 2000;
  } else if (y < 1000) {
    y += 1900;
  }
  c.SkipSpaces();
  if (!TimeOfDay(c, h, mi, se)) return std::nullopt;
  c.SkipSpaces();
  int zone = 0;
  const char sign = c.Peek();
  if (sign == '+' || sign == '-') {
    c.Skip();
    int hhmm = 0;
    if (!c.Number(4, 4, hhmm)) return std::nullopt;
    if (hhmm / 100 > 23 || hhmm % 100 > 59) return std::nullopt;
    zone = (hhmm / 100 * 3600 + hhmm % 100 * 60) * (sign == '-' ? -1 : 1);
  } else {
    struct Named {
      const char* name;
      int hours;
    };
    static constexpr Named kZones[] = {{"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"Z", 0},
                                       {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                                       {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
    const std::string_view w = c.Word();
    for (const Named& z : kZones) {
      if (EqualsIgnoringCase(w, z.name)) zone = z.hours * 3600;
    }
  }
  return Build(y, mo, d, h, mi, se, zone);
}

std::optional<int64_t> ParseCompactDate(std::string_view s) {
  Cursor c(s);
  int y = 0, mo = 1, d = 1, h = 0, mi = 0, se = 0, zone = 0;
  if (!c.Number(4, 4, y)) return std::nullopt;
  if (!c.Number(2, 2, mo) || !c.Number(2, 2, d)) return std::nullopt;
  if (c.Number(2, 2, h) && c.Number(2, 2, mi)) c.Number(2, 2, se);
  if (!NumericZone(c, zone)) return std::nullopt;
  return Build(y, mo, d, h, mi, se, zone);
}

}  // namespace custos::identify::detail
