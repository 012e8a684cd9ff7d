// Time helpers. custos keeps instants as seconds since the Unix epoch, UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace custos {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

// Unix seconds for a UTC calendar time; nullopt when a field is out of range.
std::optional<int64_t> UnixFromCivil(int y, int mon, int day, int h = 0, int min = 0, int sec = 0);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatIso8601(int64_t unix_seconds);

// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[Z]" or "YYYY-MM-DD HH:MM:SS" (UTC).
std::optional<int64_t> ParseIso8601(std::string_view s);

// Current time in Unix seconds.
int64_t NowUnix();

}  // namespace custos
