// The config's value types: scan windows and byte sizes.
#include <catch2/catch.hpp>

#include "custos/base/time.h"
#include "custos/config/values.h"

using custos::config::InWindows;
using custos::config::ParseSize;
using custos::config::ScanWindow;
using custos::config::TimeZone;

TEST_CASE("values: scan windows") {
  auto w = ScanWindow::Parse("20:00-06:00");
  REQUIRE(w.ok());
  CHECK(w->Contains(20 * 60));
  CHECK(w->Contains(23 * 60 + 59));
  CHECK(w->Contains(0));
  CHECK(w->Contains(5 * 60 + 59));
  CHECK_FALSE(w->Contains(6 * 60));
  CHECK_FALSE(w->Contains(12 * 60));
  auto day = ScanWindow::Parse("09:30-17:00");
  CHECK(day->Contains(9 * 60 + 30));
  CHECK_FALSE(day->Contains(17 * 60));
  CHECK(ScanWindow::Parse("00:00-24:00")->Contains(23 * 60 + 59));
  CHECK_FALSE(ScanWindow::Parse("06:00-06:00").ok());
  CHECK_FALSE(ScanWindow::Parse("24:00-06:00").ok());
  CHECK_FALSE(ScanWindow::Parse("6:00-07:00").ok());
  CHECK_FALSE(ScanWindow::Parse("06:60-07:00").ok());

  const int64_t noon = *custos::ParseIso8601("2026-01-01T12:00:00Z");
  const int64_t night = *custos::ParseIso8601("2026-01-01T22:00:00Z");
  CHECK_FALSE(InWindows({*w}, noon, TimeZone::kUtc));
  CHECK(InWindows({*w}, night, TimeZone::kUtc));
  CHECK(InWindows({}, noon, TimeZone::kUtc));
  CHECK(InWindows({*w, *day}, noon, TimeZone::kUtc));
}

TEST_CASE("values: sizes") {
  CHECK(ParseSize("4096") == 4096u);
  CHECK(ParseSize("0") == 0u);
  CHECK(ParseSize("1B") == 1u);
  CHECK(ParseSize("64KiB") == 65536u);
  CHECK(ParseSize("64K") == 65536u);
  CHECK(ParseSize("20MiB") == 20u << 20);
  CHECK(ParseSize("1GB") == 1ull << 30);
  CHECK(ParseSize("2TiB") == 2ull << 40);
  CHECK_FALSE(ParseSize("").has_value());
  CHECK_FALSE(ParseSize("MiB").has_value());
  CHECK_FALSE(ParseSize("1 MiB").has_value());
  CHECK_FALSE(ParseSize("1.5MiB").has_value());
  CHECK_FALSE(ParseSize("-1").has_value());
  CHECK_FALSE(ParseSize("99999999999999999999").has_value());
  CHECK_FALSE(ParseSize("20000000TiB").has_value());
}
