// Resource governance for scans: bytes/s and files/s caps (token buckets), scan
// windows, and back-off when reads slow down.
//
// The scan job calls ScanOptions::before_read before it opens a file and
// ScanOptions::after_read when it has read it; a Throttle shared by the workers of one
// run turns those calls into sleeps. Bytes are charged after the read, when the real
// figure is known (a 10 GiB video of which a few KiB of headers are read costs a few
// KiB), so the bucket may go into debt and the next file waits until it is paid off:
// over any stretch longer than a few files the rate holds, with an overshoot of at most
// one file per worker.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "custos/base/mutex.h"
#include "custos/config/values.h"

namespace custos::service {

// The config's throttle settings, as the throttle and the scheduler name them.
using config::InWindows;
using config::ScanWindow;
using config::ThrottleOptions;
using config::TimeZone;

// Time source and sleeper, injected so that tests need no real waiting.
class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic seconds (any origin).
  virtual double Monotonic() = 0;
  // Wall-clock Unix seconds.
  virtual int64_t Wall() = 0;
  // Sleeps about `seconds` (> 0).
  virtual void Sleep(double seconds) = 0;
};

// The real clock (steady_clock, system_clock, nanosleep). Thread-safe.
Clock& SystemClock();

// A token bucket with debt: tokens flow in at `rate` per second up to `burst`; Take
// removes tokens and may drive the balance below zero. Not thread-safe.
class TokenBucket {
 public:
  // rate <= 0 means unlimited (Take and Deficit always return 0). The bucket starts full.
  TokenBucket(double rate, double burst);
  // Takes `n` tokens at monotonic time `now` and returns the seconds until the balance
  // is back at zero (0 when it did not go negative).
  double Take(double n, double now);
  // Seconds until the balance is back at zero, without taking anything.
  double Deficit(double now);
  double balance() const { return tokens_; }
  bool unlimited() const { return rate_ <= 0; }

 private:
  void Refill(double now);
  double rate_;
  double burst_;
  double tokens_;
  std::optional<double> last_;
};

// Back-off on slow reads: compares the per-byte latency of recent reads with a slowly
// moving baseline and, while reads are much slower than usual (the storage is busy
// with production work), asks the scanner to pause for `level` times the duration of
// each read, i.e. to use at most 1/(1+level) of the device time. Deterministic, no
// clock. Not thread-safe.
class Backoff {
 public:
  using Options = config::BackoffOptions;
  Backoff() : Backoff(Options{}) {}
  explicit Backoff(Options options) : o_(options) {}

  // Records a read of `bytes` that took `seconds`.
  void Observe(uint64_t bytes, double seconds);
  // The pause after a read that took `seconds`: seconds x level.
  double Pause(double seconds) const { return seconds * level_; }
  double level() const { return level_; }
  double baseline() const { return baseline_; }  // seconds per byte; 0 before warm-up
  double recent() const { return recent_; }

 private:
  Options o_;
  int samples_ = 0;
  int since_change_ = 0;
  double baseline_ = 0;
  double recent_ = 0;
  double level_ = 0;
};

// What a throttle has done, for metrics. Seconds slept, by reason.
struct ThrottleFigures {
  double rate_seconds = 0;
  double window_seconds = 0;
  double backoff_seconds = 0;
  uint64_t bytes_read = 0;
  double backoff_level = 0;
};

// The throttle of one scan run, shared by its workers. Thread-safe.
class Throttle {
 public:
  // `cancel` (may be null) cuts every sleep short when it becomes true; `clock` must
  // outlive the throttle. `respect_windows` false ignores the windows (a manual run).
  Throttle(ThrottleOptions options, Clock& clock, const std::atomic<bool>* cancel,
           bool respect_windows);

  // Before a file is opened: waits while outside the scan windows, for the files/s cap
  // and until the bytes already read are paid for.
  void BeforeRead();
  // After a file was read: charges the bytes and pauses when back-off is on.
  void AfterRead(uint64_t bytes, double seconds);

  ThrottleFigures figures() const;

 private:
  bool Cancelled() const { return cancel_ && cancel_->load(std::memory_order_relaxed); }
  // Sleeps `seconds` in slices, returning early on cancel.
  void SleepFor(double seconds);

  const ThrottleOptions options_;
  Clock& clock_;
  const std::atomic<bool>* cancel_;
  const bool respect_windows_;
  mutable Mutex mu_;
  TokenBucket files_ GUARDED_BY(mu_);
  TokenBucket bytes_ GUARDED_BY(mu_);
  Backoff backoff_ GUARDED_BY(mu_);
  ThrottleFigures figures_ GUARDED_BY(mu_);
};

}  // namespace custos::service
