#include "custos/service/throttle.h"

#include <algorithm>
#include <chrono>
#include <thread>

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
      MutexLock lock(mu_);
      figures_.window_seconds += 1.0;
    }
  }
  double wait = 0;
  {
    MutexLock lock(mu_);
    const double now = clock_.Monotonic();
    wait = std::max(files_.Take(1, now), bytes_.Deficit(now));
    figures_.rate_seconds += wait;
  }
  SleepFor(wait);
}

void Throttle::AfterRead(uint64_t bytes, double seconds) {
  double pause = 0;
  {
    MutexLock lock(mu_);
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
  MutexLock lock(mu_);
  return figures_;
}

}  // namespace custos::service
