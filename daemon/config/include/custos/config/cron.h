// Cron schedules: the five fields of crontab(5) and the @-shortcuts.
//
//   minute hour day-of-month month day-of-week
//
// Each field is `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (a to the
// field's maximum), or a comma-separated list of these. Months and weekdays also take
// three-letter English names (jan..dec, sun..sat, any case); weekday 7 is Sunday like 0.
// When both day fields are restricted, a day matches when either matches (Vixie cron).
// Shortcuts: @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly, and
// @reboot (once when the daemon starts, never on a clock).
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "custos/base/status.h"

namespace custos::config {

// The clock a schedule is read in.
enum class TimeZone {
  kUtc,
  kLocal,  // the process's local time zone (TZ, /etc/localtime)
};

class CronSchedule {
 public:
  // Parses `text`. On error the message names the field and the problem, e.g.
  // "hour: 24 is out of range 0-23" (without file position).
  static Result<CronSchedule> Parse(std::string_view text);

  // The first instant strictly after `after` (Unix seconds) at which the schedule
  // fires, always a whole minute; nullopt for @reboot or when no time matches within
  // eight years (e.g. "0 0 30 2 *"). In local time, a time skipped by a daylight-saving
  // change fires at the shifted instant (02:30 becomes 03:30) and a repeated hour fires
  // once. Thread-safe (const).
  std::optional<int64_t> Next(int64_t after, TimeZone zone) const;

  // True for @reboot.
  bool at_startup() const { return at_startup_; }
  // The text as written.
  const std::string& text() const { return text_; }

 private:
  bool DayMatches(int year, int month, int day) const;

  std::string text_;
  bool at_startup_ = false;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;
};

}  // namespace custos::config
