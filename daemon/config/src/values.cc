#include "custos/config/values.h"

#include <time.h>

#include <algorithm>
#include <cstdio>

#include "custos/base/escape.h"

namespace custos::config {
namespace {

std::optional<int> ParseClockTime(std::string_view s, bool allow_24) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59) return std::nullopt;
  if (h == 24 && m == 0 && allow_24) return 1440;
  if (h > 23) return std::nullopt;
  return h * 60 + m;
}

}  // namespace

Result<ScanWindow> ScanWindow::Parse(std::string_view text) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    return Status::Invalid("bad scan window '" + EscapeBytes(text, true) +
                           "' (expected HH:MM-HH:MM, e.g. 20:00-06:00)");
  }
  auto start = ParseClockTime(text.substr(0, dash), false);
  auto end = ParseClockTime(text.substr(dash + 1), true);
  if (!start || !end) {
    return Status::Invalid("bad scan window '" + EscapeBytes(text, true) +
                           "' (expected HH:MM-HH:MM, e.g. 20:00-06:00)");
  }
  if (*start == *end) {
    return Status::Invalid("scan window '" + EscapeBytes(text, true) +
                           "' is empty (for the whole day write 00:00-24:00)");
  }
  ScanWindow w;
  w.start_minute = *start;
  w.end_minute = *end;
  return w;
}

bool ScanWindow::Contains(int minute_of_day) const {
  if (start_minute < end_minute) {
    return minute_of_day >= start_minute && minute_of_day < end_minute;
  }
  return minute_of_day >= start_minute || minute_of_day < end_minute;
}

std::string ScanWindow::ToString() const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", start_minute / 60, start_minute % 60,
                end_minute / 60, end_minute % 60);
  return buf;
}

bool InWindows(const std::vector<ScanWindow>& windows, int64_t t, TimeZone zone) {
  if (windows.empty()) return true;
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  if (zone == TimeZone::kUtc) {
    gmtime_r(&tt, &tm);
  } else {
    localtime_r(&tt, &tm);
  }
  const int minute = tm.tm_hour * 60 + tm.tm_min;
  return std::any_of(windows.begin(), windows.end(),
                     [minute](const ScanWindow& w) { return w.Contains(minute); });
}

std::optional<uint64_t> ParseSize(std::string_view text) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(text[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string_view unit = text.substr(i);
  struct Unit {
    const char* name;
    int shift;
  };
  static constexpr Unit kUnits[] = {
      {"", 0},     {"B", 0},  {"K", 10},  {"KB", 10},  {"KiB", 10}, {"M", 20},  {"MB", 20},
      {"MiB", 20}, {"G", 30}, {"GB", 30}, {"GiB", 30}, {"T", 40},   {"TB", 40}, {"TiB", 40},
  };
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      if (u.shift && v > (UINT64_MAX >> u.shift)) return std::nullopt;
      return v << u.shift;
    }
  }
  return std::nullopt;
}

}  // namespace custos::config
