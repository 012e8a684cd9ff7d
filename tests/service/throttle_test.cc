// Throttle arithmetic with an injected clock: token buckets, back-off, waiting for a
// scan window. No real waiting and no timing assertions.
#include <atomic>
#include <catch2/catch.hpp>

#include "custos/base/time.h"
#include "custos/service/throttle.h"

using custos::config::ScanWindow;
using custos::config::ThrottleOptions;
using custos::config::TimeZone;
using custos::service::Backoff;
using custos::service::Clock;
using custos::service::Throttle;
using custos::service::TokenBucket;

namespace {

// A clock that only moves when slept on.
class FakeClock : public Clock {
 public:
  double Monotonic() override { return now_; }
  int64_t Wall() override { return wall_ + static_cast<int64_t>(now_); }
  void Sleep(double seconds) override {
    now_ += seconds;
    slept_ += seconds;
  }
  double now_ = 1000;
  int64_t wall_ = 0;
  double slept_ = 0;
};

}  // namespace

TEST_CASE("throttle: token bucket takes, refills and goes into debt") {
  TokenBucket b(100, 100);  // 100/s, one second of burst, starts full
  CHECK(b.Take(60, 0) == 0);
  CHECK(b.Take(40, 0) == 0);
  CHECK(b.Take(50, 0) == Approx(0.5));  // 50 in debt at 100/s
  CHECK(b.Deficit(0.25) == Approx(0.25));
  CHECK(b.Deficit(0.5) == 0);
  CHECK(b.Take(0, 10) == 0);
  CHECK(b.balance() == Approx(100));  // refill stops at the burst
  TokenBucket unlimited(0, 0);
  CHECK(unlimited.unlimited());
  CHECK(unlimited.Take(1e12, 0) == 0);
}

TEST_CASE("throttle: files/s cap spaces the files out") {
  FakeClock clock;
  ThrottleOptions o;
  o.files_per_second = 10;
  o.backoff = false;
  Throttle t(o, clock, nullptr, true);
  for (int i = 0; i < 110; ++i) t.BeforeRead();
  // 10 free (the burst), then 100 files at 10/s.
  CHECK(clock.slept_ == Approx(10.0).margin(0.21));
  CHECK(t.figures().rate_seconds >= 9.9);
}

TEST_CASE("throttle: bytes/s cap holds over many files") {
  FakeClock clock;
  ThrottleOptions o;
  o.bytes_per_second = 1 << 20;  // 1 MiB/s
  o.backoff = false;
  Throttle t(o, clock, nullptr, true);
  const double start = clock.now_;
  for (int i = 0; i < 100; ++i) {
    t.BeforeRead();
    t.AfterRead(256 << 10, 0.001);  // 100 files of 256 KiB: 25 MiB
  }
  t.BeforeRead();  // pays off the last file
  const double elapsed = clock.now_ - start;
  // 25 MiB at 1 MiB/s, less the first second of burst.
  CHECK(elapsed == Approx(24.0).margin(0.3));
  CHECK(t.figures().bytes_read == 100u * (256 << 10));
}

TEST_CASE("throttle: a cancelled run stops sleeping") {
  FakeClock clock;
  std::atomic<bool> cancel{false};
  ThrottleOptions o;
  o.bytes_per_second = 1;
  o.backoff = false;
  Throttle t(o, clock, &cancel, true);
  t.AfterRead(1 << 30, 0.1);  // a debt of many years
  cancel = true;
  t.BeforeRead();
  CHECK(clock.slept_ == 0);
}

TEST_CASE("throttle: back-off rises when reads slow down and falls when they recover") {
  Backoff b;
  const uint64_t mib = 1 << 20;
  for (int i = 0; i < 20; ++i) b.Observe(mib, 0.010);  // 10 ms per MiB
  CHECK(b.level() == 0);
  CHECK(b.baseline() == Approx(0.010 / mib));
  // Small reads do not count.
  for (int i = 0; i < 20; ++i) b.Observe(4096, 10.0);
  CHECK(b.level() == 0);
  // Production I/O: reads 10x slower.
  double max_level = 0;
  for (int i = 0; i < 40; ++i) {
    b.Observe(mib, 0.100);
    max_level = std::max(max_level, b.level());
  }
  CHECK(b.level() == 8);  // capped at max_level
  CHECK(max_level == 8);
  CHECK(b.Pause(0.1) == Approx(0.8));
  // The baseline did not follow the slow reads much.
  CHECK(b.baseline() < 2 * 0.010 / mib);
  // Quiet again: the level steps back down to zero.
  for (int i = 0; i < 40; ++i) b.Observe(mib, 0.010);
  CHECK(b.level() == 0);
  CHECK(b.Pause(0.1) == 0);
}

TEST_CASE("throttle: back-off pauses after slow reads") {
  FakeClock clock;
  ThrottleOptions o;
  Throttle t(o, clock, nullptr, true);
  for (int i = 0; i < 20; ++i) t.AfterRead(1 << 20, 0.010);
  CHECK(clock.slept_ == 0);
  for (int i = 0; i < 20; ++i) t.AfterRead(1 << 20, 0.100);
  CHECK(clock.slept_ > 0);
  CHECK(t.figures().backoff_seconds == Approx(clock.slept_));
  CHECK(t.figures().backoff_level > 0);
}

TEST_CASE("throttle: reads wait for the window unless the run is manual") {
  FakeClock clock;
  clock.wall_ = *custos::ParseIso8601("2026-01-01T19:59:00Z") - 1000;
  ThrottleOptions o;
  o.windows = {*ScanWindow::Parse("20:00-06:00")};
  o.zone = TimeZone::kUtc;
  o.backoff = false;
  Throttle scheduled(o, clock, nullptr, true);
  scheduled.BeforeRead();  // waits until 20:00
  CHECK(clock.slept_ == Approx(60));
  CHECK(scheduled.figures().window_seconds == Approx(60));
  clock.slept_ = 0;
  clock.wall_ -= 3600;  // back to 19:00
  Throttle manual(o, clock, nullptr, false);
  manual.BeforeRead();
  CHECK(clock.slept_ == 0);
}
