#include "custos/service/throttle.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "custos/base/escape.h"
#include "custos/base/time.h"

namespace custos::service {
namespace {

class RealClock : public Clock {
 public:
  double Monotonic() override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  int64_t Wall() override { return NowUnix(); }
  void Sleep(double seconds) override {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  }
};

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

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

TokenBucket::TokenBucket(double rate, double burst)
    : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(std::max(burst, 1.0)) {}

void TokenBucket::Refill(double now) {
  if (last_ && now > *last_) tokens_ = std::min(burst_, tokens_ + (now - *last_) * rate_);
  if (!last_ || now > *last_) last_ = now;
}

double TokenBucket::Take(double n, double now) {
  if (unlimited()) return 0;
  Refill(now);
  tokens_ -= n;
  return tokens_ < 0 ? -tokens_ / rate_ : 0;
}

double TokenBucket::Deficit(double now) {
  if (unlimited()) return 0;
  Refill(now);
  return tokens_ < 0 ? -tokens_ / rate_ : 0;
}

void Backoff::Observe(uint64_t bytes, double seconds) {
  if (bytes < o_.min_sample_bytes || bytes == 0 || seconds <= 0) return;
  const double latency = seconds / static_cast<double>(bytes);
  ++samples_;
  if (samples_ <= o_.warmup) {
    // The mean of the first samples is the first baseline.
    baseline_ += (latency - baseline_) / samples_;
    recent_ = samples_ == 1 ? latency : 0.3 * latency + 0.7 * recent_;
    return;
  }
  // A sample far above the baseline moves it only a little, so that a lasting change
  // of the storage is learnt over hundreds of reads while a burst of production I/O is
  // not; ordinary samples keep it current.
  const bool outlier = latency > o_.threshold * baseline_;
  baseline_ += (outlier ? 0.002 : 0.05) * (latency - baseline_);
  recent_ = 0.3 * latency + 0.7 * recent_;
  ++since_change_;
  if (recent_ > o_.threshold * baseline_) {
    if (since_change_ >= o_.hold) {
      level_ = level_ == 0 ? 1 : std::min(o_.max_level, level_ * 2);
      since_change_ = 0;
    }
  } else if (level_ > 0 && recent_ < o_.recover * baseline_ && since_change_ >= o_.hold) {
    level_ = level_ <= 1 ? 0 : level_ / 2;
    since_change_ = 0;
  }
}

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

Throttle::Throttle(ThrottleOptions options, Clock& clock, const std::atomic<bool>* cancel,
                   bool respect_windows)
    : options_(std::move(options)),
      clock_(clock),
      cancel_(cancel),
      respect_windows_(respect_windows),
      // One second's worth of burst: a cap holds over any second, not just on average.
      files_(options_.files_per_second, options_.files_per_second),
      bytes_(options_.bytes_per_second, options_.bytes_per_second),
      backoff_(options_.backoff_options) {}

void Throttle::SleepFor(double seconds) {
  while (seconds > 0 && !Cancelled()) {
    const double slice = std::min(seconds, 0.2);
    clock_.Sleep(slice);
    seconds -= slice;
  }
}

void Throttle::BeforeRead() {
  if (respect_windows_ && !options_.windows.empty()) {
    while (!Cancelled() && !InWindows(options_.windows, clock_.Wall(), options_.zone)) {
      clock_.Sleep(1.0);
      std::lock_guard lock(mu_);
      figures_.window_seconds += 1.0;
    }
  }
  double wait = 0;
  {
    std::lock_guard lock(mu_);
    const double now = clock_.Monotonic();
    wait = std::max(files_.Take(1, now), bytes_.Deficit(now));
    figures_.rate_seconds += wait;
  }
  SleepFor(wait);
}

void Throttle::AfterRead(uint64_t bytes, double seconds) {
  double pause = 0;
  {
    std::lock_guard lock(mu_);
    bytes_.Take(static_cast<double>(bytes), clock_.Monotonic());
    figures_.bytes_read += bytes;
    if (options_.backoff) {
      backoff_.Observe(bytes, seconds);
      pause = backoff_.Pause(seconds);
      figures_.backoff_seconds += pause;
      figures_.backoff_level = backoff_.level();
    }
  }
  SleepFor(pause);
}

ThrottleFigures Throttle::figures() const {
  std::lock_guard lock(mu_);
  return figures_;
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

}  // namespace custos::service
