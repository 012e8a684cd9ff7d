// Cron schedules: parsing, errors, and next-run computation in UTC and local time.
#include <stdlib.h>
#include <time.h>

#include <catch2/catch.hpp>

#include "custos/base/time.h"
#include "custos/config/cron.h"

using custos::ParseIso8601;
using custos::config::CronSchedule;
using custos::config::TimeZone;

namespace {

int64_t T(const char* iso) {
  auto t = ParseIso8601(iso);
  REQUIRE(t.has_value());
  return *t;
}

std::string NextUtc(const char* schedule, const char* after) {
  auto c = CronSchedule::Parse(schedule);
  INFO(c.status().message());
  REQUIRE(c.ok());
  auto n = c->Next(T(after), TimeZone::kUtc);
  return n ? custos::FormatIso8601(*n) : "never";
}

std::string Error(const char* schedule) {
  auto c = CronSchedule::Parse(schedule);
  REQUIRE_FALSE(c.ok());
  return c.status().message();
}

// Sets TZ for the lifetime of the object.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ScopedTz() {
    if (old_.empty()) {
      unsetenv("TZ");
    } else {
      setenv("TZ", old_.c_str(), 1);
    }
    tzset();
  }

 private:
  std::string old_;
};

}  // namespace

TEST_CASE("cron: fields, ranges, steps, lists and names (UTC)") {
  CHECK(NextUtc("* * * * *", "2026-01-01T00:00:00Z") == "2026-01-01T00:01:00Z");
  CHECK(NextUtc("* * * * *", "2026-01-01T00:00:30Z") == "2026-01-01T00:01:00Z");
  CHECK(NextUtc("30 2 * * *", "2026-01-01T02:30:00Z") == "2026-01-02T02:30:00Z");
  CHECK(NextUtc("30 2 * * *", "2026-01-01T02:29:59Z") == "2026-01-01T02:30:00Z");
  CHECK(NextUtc("*/15 * * * *", "2026-01-01T10:14:00Z") == "2026-01-01T10:15:00Z");
  CHECK(NextUtc("5-10/5 * * * *", "2026-01-01T10:06:00Z") == "2026-01-01T10:10:00Z");
  CHECK(NextUtc("50/5 * * * *", "2026-01-01T10:56:00Z") == "2026-01-01T11:50:00Z");
  CHECK(NextUtc("0 9,17 * * *", "2026-01-01T09:00:00Z") == "2026-01-01T17:00:00Z");
  CHECK(NextUtc("0 0 * jun *", "2026-01-01T00:00:00Z") == "2026-06-01T00:00:00Z");
  CHECK(NextUtc("0 0 * * SAT", "2026-01-01T00:00:00Z") == "2026-01-03T00:00:00Z");  // Thu -> Sat
  CHECK(NextUtc("0 0 * * 7", "2026-01-01T00:00:00Z") == "2026-01-04T00:00:00Z");    // 7 = Sunday
  CHECK(NextUtc("0 0 * * mon-fri", "2026-01-02T12:00:00Z") == "2026-01-05T00:00:00Z");
  // Month and year roll-over, leap day.
  CHECK(NextUtc("0 0 31 * *", "2026-04-01T00:00:00Z") == "2026-05-31T00:00:00Z");
  CHECK(NextUtc("0 0 29 2 *", "2026-01-01T00:00:00Z") == "2028-02-29T00:00:00Z");
  CHECK(NextUtc("59 23 31 12 *", "2026-12-31T23:59:00Z") == "2027-12-31T23:59:00Z");
  // Both day fields restricted: either matches (Vixie cron).
  CHECK(NextUtc("0 0 13 * fri", "2026-01-01T00:00:00Z") == "2026-01-02T00:00:00Z");
  // A day field starting with '*' does not restrict.
  CHECK(NextUtc("0 0 */2 * mon", "2026-01-01T00:00:00Z") == "2026-01-05T00:00:00Z");
  // Never: 30 February.
  CHECK(NextUtc("0 0 30 2 *", "2026-01-01T00:00:00Z") == "never");
}

TEST_CASE("cron: shortcuts") {
  CHECK(NextUtc("@hourly", "2026-01-01T10:00:00Z") == "2026-01-01T11:00:00Z");
  CHECK(NextUtc("@daily", "2026-01-01T10:00:00Z") == "2026-01-02T00:00:00Z");
  CHECK(NextUtc("@midnight", "2026-01-01T10:00:00Z") == "2026-01-02T00:00:00Z");
  CHECK(NextUtc("@weekly", "2026-01-01T10:00:00Z") == "2026-01-04T00:00:00Z");
  CHECK(NextUtc("@monthly", "2026-01-15T00:00:00Z") == "2026-02-01T00:00:00Z");
  CHECK(NextUtc("@yearly", "2026-01-15T00:00:00Z") == "2027-01-01T00:00:00Z");
  CHECK(NextUtc("@annually", "2026-01-15T00:00:00Z") == "2027-01-01T00:00:00Z");
  auto reboot = CronSchedule::Parse("@reboot");
  REQUIRE(reboot.ok());
  CHECK(reboot->at_startup());
  CHECK_FALSE(reboot->Next(T("2026-01-01T00:00:00Z"), TimeZone::kUtc).has_value());
  CHECK(CronSchedule::Parse("@daily")->text() == "@daily");
}

TEST_CASE("cron: errors name the field and the problem") {
  CHECK(Error("0 25 * * *") == "hour: 25 is out of range 0-23");
  CHECK(Error("60 * * * *") == "minute: 60 is out of range 0-59");
  CHECK(Error("* * 0 * *") == "day of month: 0 is out of range 1-31");
  CHECK(Error("* * * 13 *") == "month: 13 is out of range 1-12");
  CHECK(Error("* * * * 8") == "day of week: 8 is out of range 0-7");
  CHECK(Error("* * * * *  *") ==
        "expected 5 fields (minute hour day-of-month month day-of-week) or a shortcut like "
        "@daily, got 6");
  CHECK(Error("*/0 * * * *") == "minute: bad step '0' (expected 1-59)");
  CHECK(Error("10-5 * * * *") == "minute: range '10-5' runs backwards");
  CHECK(Error("a * * * *") == "minute: bad value 'a' (expected 0-59)");
  CHECK(Error("1,,2 * * * *") == "minute: empty list element in '1,,2'");
  CHECK(Error("* * * foo *") == "month: bad value 'foo' (expected 1-12)");
  CHECK(Error("@often") ==
        "unknown shortcut '@often' (expected @yearly, @annually, @monthly, @weekly, @daily, "
        "@midnight, @hourly or @reboot)");
  CHECK(Error("") ==
        "expected 5 fields (minute hour day-of-month month day-of-week) or a shortcut like "
        "@daily, got 0");
}

TEST_CASE("cron: local time in a zone without daylight saving") {
  ScopedTz tz("XST-2");  // UTC+2 all year
  auto c = CronSchedule::Parse("30 2 * * *");
  REQUIRE(c.ok());
  // 02:30 local is 00:30 UTC.
  CHECK(custos::FormatIso8601(*c->Next(T("2026-01-01T00:00:00Z"), TimeZone::kLocal)) ==
        "2026-01-01T00:30:00Z");
  CHECK(custos::FormatIso8601(*c->Next(T("2026-01-01T00:30:00Z"), TimeZone::kLocal)) ==
        "2026-01-02T00:30:00Z");
  // The same schedule in UTC is two hours later.
  CHECK(custos::FormatIso8601(*c->Next(T("2026-01-01T00:00:00Z"), TimeZone::kUtc)) ==
        "2026-01-01T02:30:00Z");
  // Day boundaries are local: midnight local is 22:00 UTC the day before.
  auto daily = CronSchedule::Parse("@daily");
  CHECK(custos::FormatIso8601(*daily->Next(T("2026-01-01T12:00:00Z"), TimeZone::kLocal)) ==
        "2026-01-01T22:00:00Z");
}

TEST_CASE("cron: local time across daylight-saving changes") {
  // Central Europe: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET.
  ScopedTz tz("CET-1CEST,M3.5.0,M10.5.0/3");
  auto c = CronSchedule::Parse("30 2 * * *");
  REQUIRE(c.ok());
  // 02:30 does not exist on 29 March: it fires once, at the shifted instant 03:30 CEST.
  const int64_t spring = *c->Next(T("2026-03-28T12:00:00Z"), TimeZone::kLocal);
  CHECK(custos::FormatIso8601(spring) == "2026-03-29T01:30:00Z");
  CHECK(custos::FormatIso8601(*c->Next(spring, TimeZone::kLocal)) == "2026-03-30T00:30:00Z");
  // 02:30 happens twice on 25 October: it fires once.
  const int64_t autumn = *c->Next(T("2026-10-24T12:00:00Z"), TimeZone::kLocal);
  const int64_t after = *c->Next(autumn, TimeZone::kLocal);
  CHECK(after - autumn >= 23 * 3600);
  CHECK(custos::FormatIso8601(after) == "2026-10-26T01:30:00Z");
  // Hourly jobs keep firing through the change, each instant once and in order.
  auto hourly = CronSchedule::Parse("0 * * * *");
  int64_t t = T("2026-10-24T22:00:00Z");
  for (int i = 0; i < 6; ++i) {
    const int64_t n = *hourly->Next(t, TimeZone::kLocal);
    CHECK(n > t);
    CHECK(n - t <= 7200);
    t = n;
  }
}
