// The inventory's database gone and back. A database server that cannot be reached at
// start-up, or that a run or a query loses, makes the inventory unavailable: runs wait
// (scheduled and manual ones stay queued, deferred), the run it cut short is recorded
// as interrupted, and the daemon tries to reach it again with exponential back-off
// (kRetryFirstSeconds doubling to kRetryMaxSeconds, with jitter) on a thread of its
// own. Once it answers, the deferred runs and the interrupted ones (trigger "resume")
// start. The log gets a line when it goes, for the first few failed attempts, when
// the reason changes and when it is back; status and /metrics tell the rest.
#include <algorithm>
#include <cmath>

#include "custos/service/log.h"
#include "daemon.h"

namespace custos::service::internal {

using boost::system::error_code;

void Daemon::CheckInventory() {
  if (!inventory_.up || !store_) return;
  if (Status s = store_->Health(); !s.ok()) InventoryDown(s);
}

void Daemon::InventoryDown(const Status& why) {
  inventory_.up = false;
  inventory_.error = EscapeBytes(why.message(), true);
  inventory_.since = NowUnix();
  inventory_.failures = 0;
  metrics_.Set("custos_inventory_up", {}, 0);
  ScheduleRetry();
  Log("inventory")
      .warn(
          "inventory unavailable: {}; runs wait for it, retrying in {} s (back-off "
          "up to {:.0f} s)",
          inventory_.error, inventory_.next_retry - NowUnix(), kRetryMaxSeconds);
  inventory_.logged = inventory_.error;
  UpdateStatus();
}

void Daemon::ScheduleRetry() {
  if (stopping_) return;
  const double base =
      std::min(kRetryMaxSeconds,
               kRetryFirstSeconds *
                   std::pow(2.0, static_cast<double>(std::min<uint64_t>(inventory_.failures, 16))));
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  const double delay = std::min(kRetryMaxSeconds, base * jitter(rng_));
  inventory_.next_retry = NowUnix() + static_cast<int64_t>(std::ceil(delay));
  metrics_.Set("custos_inventory_next_retry_timestamp_seconds", {},
               static_cast<double>(inventory_.next_retry));
  retry_.expires_after(std::chrono::milliseconds(static_cast<int64_t>(delay * 1000)));
  retry_.async_wait([this](error_code ec) {
    if (!ec) TryReconnect();
  });
}

void Daemon::TryReconnect() {
  if (stopping_ || inventory_.up || inventory_.connecting) return;
  inventory_.connecting = true;
  inventory_.next_retry = 0;
  asio::post(*connect_pool_, [this] {
    Status s = store_->Reconnect();
    asio::post(io_, [this, s] { OnReconnected(s); });
  });
}

void Daemon::OnReconnected(const Status& s) {
  inventory_.connecting = false;
  if (stopping_ || inventory_.up) return;
  if (!s.ok()) {
    ++inventory_.failures;
    metrics_.Add("custos_inventory_connect_failures_total", {});
    inventory_.error = EscapeBytes(s.message(), true);
    ScheduleRetry();
    const int64_t wait = inventory_.next_retry - NowUnix();
    if (inventory_.error != inventory_.logged) {
      Log("inventory")
          .warn("inventory still unavailable, now: {}; next attempt in {} s", inventory_.error,
                wait);
      inventory_.logged = inventory_.error;
    } else if (inventory_.failures <= kRetryAttemptsLogged) {
      Log("inventory")
          .info("inventory still unavailable (attempt {} failed); next attempt in {} s",
                inventory_.failures, wait);
    } else {
      Log("inventory")
          .debug("inventory still unavailable (attempt {} failed); next attempt in {} s",
                 inventory_.failures, wait);
    }
    return;
  }
  inventory_.up = true;
  inventory_.next_retry = 0;
  metrics_.Set("custos_inventory_up", {}, 1);
  metrics_.Clear("custos_inventory_next_retry_timestamp_seconds");
  size_t resumed = 0;
  for (const std::string& name : order_) {
    RootRuntime& rt = roots_[name];
    if (!rt.resume_after_outage) continue;
    rt.resume_after_outage = false;
    if (Trigger(rt, "resume", rt.resume_manual) == "queued") ++resumed;
  }
  Log("inventory")
      .info(
          "inventory available again after {} s ({} failed attempt(s)); {} run(s) waiting, {} to "
          "resume",
          NowUnix() - inventory_.since, inventory_.failures, queue_.size() - resumed, resumed);
  inventory_.error.clear();
  inventory_.logged.clear();
  Dispatch();
  UpdateStatus();
}

// A run queued while the inventory is unavailable: it waits (deferred) until it is back.
void Daemon::NoteDeferred(RootRuntime& rt, const std::string& trigger) {
  if (inventory_.up) return;
  metrics_.Add("custos_scans_deferred_total", {{"root", rt.config.name}});
  Log("scheduler")
      .info("root {}: {} run deferred: the inventory is unavailable", rt.config.name, trigger);
}

json Daemon::InventoryHealthJson() const {
  if (inventory_.up) return {{"available", true}};
  return {{"available", false},
          {"error", inventory_.error},
          {"since", Iso(inventory_.since)},
          {"failed_attempts", inventory_.failures},
          {"next_retry", inventory_.connecting ? json("now") : IsoOrNull(inventory_.next_retry)}};
}

}  // namespace custos::service::internal
