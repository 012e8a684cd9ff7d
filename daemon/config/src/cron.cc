#include "custos/config/cron.h"

#include <time.h>

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

#include "custos/base/ascii.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"

namespace custos::config {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const std::array<const char*, 12>* names;  // value of names[i] is min + i; may be null
};

constexpr std::array<const char*, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                     "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<const char*, 12> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri",
                                                   "sat", "",    "",    "",    "",    ""};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr},        {"hour", 0, 23, nullptr},
    {"day of month", 1, 31, nullptr},  {"month", 1, 12, &kMonthNames},
    {"day of week", 0, 7, &kDayNames},
};

std::string Q(std::string_view s) { return "'" + EscapeBytes(s, true) + "'"; }

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

// A number or (for months and weekdays) a name; nullopt when neither.
std::optional<int> ParseValue(std::string_view s, const FieldSpec& spec) {
  if (s.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(s[0]))) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
  }
  if (spec.names == nullptr || s.size() != 3) return std::nullopt;
  const std::string lower = AsciiLowercase(s);
  for (size_t i = 0; i < spec.names->size(); ++i) {
    if (lower == (*spec.names)[i]) return spec.min + static_cast<int>(i);
  }
  return std::nullopt;
}

// Parses one field into `bits` (indexed by value). Returns an error message or "".
template <size_t N>
std::string ParseField(std::string_view text, const FieldSpec& spec, std::bitset<N>& bits) {
  const std::string where = std::string(spec.name) + ": ";
  const std::string range = std::to_string(spec.min) + "-" + std::to_string(spec.max);
  for (std::string_view part : Split(text, ',')) {
    if (part.empty()) return where + "empty list element in " + Q(text);
    std::string_view base = part;
    int step = 1;
    if (const size_t slash = part.find('/'); slash != std::string_view::npos) {
      base = part.substr(0, slash);
      const std::string_view step_text = part.substr(slash + 1);
      int s = 0;
      auto [p, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), s);
      if (step_text.empty() || ec != std::errc() || p != step_text.data() + step_text.size() ||
          s <= 0 || s > spec.max) {
        return where + "bad step " + Q(step_text) + " (expected 1-" + std::to_string(spec.max) +
               ")";
      }
      step = s;
    }
    int lo = spec.min, hi = spec.max;
    if (base != "*") {
      const size_t dash = base.find('-');
      const std::string_view first = base.substr(0, dash);
      auto a = ParseValue(first, spec);
      if (!a) return where + "bad value " + Q(first) + " (expected " + range + ")";
      lo = *a;
      if (dash != std::string_view::npos) {
        const std::string_view second = base.substr(dash + 1);
        auto b = ParseValue(second, spec);
        if (!b) return where + "bad value " + Q(second) + " (expected " + range + ")";
        hi = *b;
      } else if (step == 1) {
        hi = lo;  // a single value; "a/n" runs from a to the maximum
      }
      if (lo < spec.min || lo > spec.max) {
        return where + std::to_string(lo) + " is out of range " + range;
      }
      if (hi < spec.min || hi > spec.max) {
        return where + std::to_string(hi) + " is out of range " + range;
      }
      if (hi < lo) return where + "range " + Q(base) + " runs backwards";
    }
    for (int v = lo; v <= hi; v += step) bits.set(static_cast<size_t>(v));
  }
  return "";
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

// Calendar fields of a minute, with carry.
struct Civil {
  int year, month, day, hour, minute;
  void NextMinute() {
    if (++minute < 60) return;
    minute = 0;
    if (++hour < 24) return;
    hour = 0;
    if (++day <= DaysInMonth(year, month)) return;
    day = 1;
    if (++month <= 12) return;
    month = 1;
    ++year;
  }
  void EndOfHour() { minute = 59; }
  void EndOfDay() { hour = 23, minute = 59; }
  void EndOfMonth() { day = DaysInMonth(year, month), hour = 23, minute = 59; }
};

Civil ToCivil(int64_t t, TimeZone zone) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  if (zone == TimeZone::kUtc) {
    gmtime_r(&tt, &tm);
  } else {
    localtime_r(&tt, &tm);
  }
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min};
}

int64_t FromCivil(const Civil& c, TimeZone zone) {
  if (zone == TimeZone::kUtc) {
    return DaysFromCivil(c.year, static_cast<unsigned>(c.month), static_cast<unsigned>(c.day)) *
               86400 +
           c.hour * 3600 + c.minute * 60;
  }
  struct tm tm {};
  tm.tm_year = c.year - 1900;
  tm.tm_mon = c.month - 1;
  tm.tm_mday = c.day;
  tm.tm_hour = c.hour;
  tm.tm_min = c.minute;
  tm.tm_isdst = -1;  // let the zone decide; a skipped time is shifted forward
  return static_cast<int64_t>(mktime(&tm));
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view text) {
  CronSchedule c;
  c.text_ = std::string(text);
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (!t.empty() && t[0] == '@') {
    static constexpr std::pair<const char*, const char*> kShortcuts[] = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
    };
    if (t == "@reboot") {
      c.at_startup_ = true;
      return c;
    }
    for (const auto& [name, expansion] : kShortcuts) {
      if (t == name) {
        auto r = Parse(expansion);
        if (!r.ok()) return r.status();
        r->text_ = c.text_;
        return r;
      }
    }
    return Status::Invalid("unknown shortcut " + Q(t) +
                           " (expected @yearly, @annually, @monthly, @weekly, @daily, "
                           "@midnight, @hourly or @reboot)");
  }
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
    const size_t start = i;
    while (i < t.size() && t[i] != ' ' && t[i] != '\t') ++i;
    if (i > start) fields.push_back(t.substr(start, i - start));
  }
  if (fields.size() != 5) {
    return Status::Invalid(
        "expected 5 fields (minute hour day-of-month month day-of-week) or a "
        "shortcut like @daily, got " +
        std::to_string(fields.size()));
  }
  std::bitset<8> weekdays;  // 0..7, folded below
  std::string err;
  if ((err = ParseField(fields[0], kFields[0], c.minutes_)).empty() &&
      (err = ParseField(fields[1], kFields[1], c.hours_)).empty() &&
      (err = ParseField(fields[2], kFields[2], c.days_)).empty() &&
      (err = ParseField(fields[3], kFields[3], c.months_)).empty()) {
    err = ParseField(fields[4], kFields[4], weekdays);
  }
  if (!err.empty()) return Status::Invalid(err);
  for (size_t d = 0; d < 7; ++d) c.weekdays_[d] = weekdays[d];
  if (weekdays[7]) c.weekdays_.set(0);
  // As in Vixie cron, a day field that starts with '*' does not restrict the day.
  c.days_restricted_ = fields[2][0] != '*';
  c.weekdays_restricted_ = fields[4][0] != '*';
  return c;
}

bool CronSchedule::DayMatches(int year, int month, int day) const {
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  const bool dom = days_[static_cast<size_t>(day)];
  const bool dow = weekdays_[static_cast<size_t>(weekday)];
  if (days_restricted_ && weekdays_restricted_) return dom || dow;
  if (days_restricted_) return dom;
  if (weekdays_restricted_) return dow;
  return true;
}

std::optional<int64_t> CronSchedule::Next(int64_t after, TimeZone zone) const {
  if (at_startup_) return std::nullopt;
  // The next whole minute after `after` (floor division for instants before 1970).
  const int64_t minute = (after >= 0 ? after / 60 : (after - 59) / 60) + 1;
  Civil c = ToCivil(minute * 60, zone);
  const int last_year = c.year + 8;
  while (c.year <= last_year) {
    if (!months_[static_cast<size_t>(c.month)]) {
      c.EndOfMonth();
    } else if (!DayMatches(c.year, c.month, c.day)) {
      c.EndOfDay();
    } else if (!hours_[static_cast<size_t>(c.hour)]) {
      c.EndOfHour();
    } else if (minutes_[static_cast<size_t>(c.minute)]) {
      const int64_t t = FromCivil(c, zone);
      if (t > after) return t;
      // A repeated local hour maps back before `after`: keep looking.
    }
    c.NextMinute();
  }
  return std::nullopt;
}

}  // namespace custos::config
