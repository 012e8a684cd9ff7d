// Date helpers shared by the content-date parsers. All results are Unix seconds, UTC;
// dates without a zone (EXIF, AVI, DAV) are taken as UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace custos::identify::detail {

// 1990-01-01T00:00:00Z: no recording custos cares about is older; earlier values are
// unset camera clocks or garbage.
inline constexpr int64_t kMinPlausibleDate = 631152000;

// `t` when it lies between 1990-01-01 and one day after now, else nullopt.
std::optional<int64_t> Plausible(std::optional<int64_t> t);

// Free-form dates found in containers: "2024-01-02", "2024-01-02 03:04:05",
// "2024-01-02T03:04:05Z", "2024-01-02T03:04:05+01:00", "2024:01:02 03:04:05" (EXIF),
// "2024/01/02 03:04", and ctime's "Mon Jan 02 03:04:05 2024". Trailing NULs, spaces
// and newlines are ignored. Not range-checked against "now" (see Plausible).
std::optional<int64_t> ParseLooseDate(std::string_view s);

// RFC 5322 date-time as in an e-mail `Date:` header ("Tue, 2 Jan 2024 03:04:05 +0100",
// obsolete zone names and missing seconds accepted).
std::optional<int64_t> ParseRfc5322Date(std::string_view s);

// Compact digits "YYYYMMDD[hh[mm[ss]]]" then an optional zone "Z", "+hh'mm'" or
// "-hhmm" (PDF dates after "D:", ANSI/NIST-ITL 1.005 and 1.014).
std::optional<int64_t> ParseCompactDate(std::string_view s);

}  // namespace custos::identify::detail
