// Value types of the daemon config that are more than a number: scan windows, byte
// sizes and the throttle settings. The service's Throttle (daemon/service) acts on them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/status.h"
#include "custos/config/cron.h"

namespace custos::config {

// A daily time window "HH:MM-HH:MM" in the schedule's time zone; end <= start crosses
// midnight ("20:00-06:00"); "00:00-24:00" is the whole day.
struct ScanWindow {
  int start_minute = 0;  // minutes after midnight
  int end_minute = 0;    // 1..1440
  // Parses "HH:MM-HH:MM"; the error message names the problem.
  static Result<ScanWindow> Parse(std::string_view text);
  bool Contains(int minute_of_day) const;
  std::string ToString() const;
};

// True when `windows` is empty or one of them contains Unix time `t` read in `zone`.
bool InWindows(const std::vector<ScanWindow>& windows, int64_t t, TimeZone zone);

// Parses a byte count: an integer with an optional unit B, K/KB/KiB, M/MB/MiB,
// G/GB/GiB, T/TB/TiB (all powers of 1024; "50MiB", "1G", "4096"). nullopt when
// malformed or too large.
std::optional<uint64_t> ParseSize(std::string_view text);

// How the service's back-off on slow reads reacts (see service::Backoff).
struct BackoffOptions {
  double threshold = 4.0;                // recent latency above threshold x baseline: slow
  double recover = 1.5;                  // below recover x baseline: normal again
  double max_level = 8.0;                // pause at most 8x the read time
  uint64_t min_sample_bytes = 64 << 10;  // smaller reads are dominated by open/identify
  int warmup = 8;                        // samples before the baseline counts
  int hold = 4;                          // samples between two level changes
};

struct ThrottleOptions {
  double bytes_per_second = 0;  // 0: no cap
  double files_per_second = 0;  // 0: no cap
  bool backoff = true;
  BackoffOptions backoff_options;
  std::vector<ScanWindow> windows;  // empty: any time
  TimeZone zone = TimeZone::kLocal;
};

}  // namespace custos::config
