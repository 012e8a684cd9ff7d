// The scheduler: the configured roots, the one-second tick that triggers scheduled
// runs, the queue of runs waiting for a free slot or a scan window, and the state file
// that remembers runs across restarts. All on the io thread.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "custos/service/log.h"
#include "daemon.h"

namespace custos::service::internal {

using boost::system::error_code;

RootRuntime* Daemon::FindRoot(const std::string& key) {
  if (auto it = roots_.find(key); it != roots_.end()) return &it->second;
  std::string path = key;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  for (auto& [name, rt] : roots_) {
    if (rt.config.path == path) return &rt;
  }
  return nullptr;
}

std::optional<int64_t> Daemon::NextRun(const RootConfig& root, int64_t now) {
  auto next = root.schedule.Next(now, snapshot_->config->zone);
  if (!next) return std::nullopt;
  const double splay = snapshot_->config->splay;
  if (splay >= 1) {
    std::uniform_int_distribution<int64_t> d(0, static_cast<int64_t>(splay));
    *next += d(rng_);
  }
  return next;
}

RootRuntime Daemon::MakeRuntime(const RootConfig& config, int64_t now, bool at_startup) {
  RootRuntime rt;
  rt.config = config;
  if (auto it = state_.roots.find(config.name);
      it != state_.roots.end() && it->second.path == config.path) {
    rt.state = it->second;
  } else {
    rt.state = RootState();
    rt.state.path = config.path;
  }
  if (rt.state.first_seen == 0) rt.state.first_seen = now;
  rt.next_run = NextRun(config, now);
  if (!at_startup) return rt;
  // What was missed while the daemon was down happens once now.
  const int64_t reference =
      std::max({rt.state.last_start, rt.state.running_since, rt.state.first_seen});
  if (config.schedule.at_startup()) {
    rt.queued_trigger = "startup";
  } else if (rt.state.running_since != 0 || rt.state.result == "interrupted") {
    rt.queued_trigger = "resume";
  } else if (auto due = config.schedule.Next(reference, snapshot_->config->zone);
             due && *due <= now && reference < now) {
    rt.queued_trigger = "catch-up";
  }
  return rt;
}

void Daemon::InitRoots(int64_t now) {
  for (const RootConfig& rc : snapshot_->config->roots) {
    RootRuntime rt = MakeRuntime(rc, now, true);
    const std::string trigger = rt.queued_trigger;
    rt.queued_trigger.clear();
    order_.push_back(rc.name);
    auto& stored = roots_[rc.name] = std::move(rt);
    state_.roots[rc.name] = stored.state;
    if (stored.state.result == "completed") {
      metrics_.Set("custos_scan_last_success_timestamp_seconds", {{"root", rc.name}},
                   static_cast<double>(stored.state.last_end));
    }
    if (!trigger.empty()) {
      Log("scheduler").info("root {}: {} run at start-up", rc.name, trigger);
      Trigger(stored, trigger, false);
      NoteDeferred(stored, trigger);
    }
    struct stat st;
    if (::stat(rc.path.c_str(), &st) != 0) {
      Log("scheduler")
          .warn("root {}: {}: {} (scans fail until it exists)", rc.name, Shown(rc.path),
                std::strerror(errno));
    }
  }
  // Forget roots that are no longer configured.
  for (auto it = state_.roots.begin(); it != state_.roots.end();) {
    it = roots_.count(it->first) ? std::next(it) : state_.roots.erase(it);
  }
}

void Daemon::ArmTick() {
  tick_.expires_after(std::chrono::seconds(1));
  tick_.async_wait([this](error_code ec) {
    if (ec) return;
    Tick();
    ArmTick();
  });
}

void Daemon::Tick() {
  if (stopping_) {
    const double now = SystemClock().Monotonic();
    if (now > stop_deadline_ && !running_.empty()) {
      Log("custosd").error("{} scan(s) did not stop within {:.0f} s; exiting without them",
                           running_.size(), kStopDeadlineSeconds);
      SaveStateNow();
      spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
      ::_exit(1);  // the workers still hold references to this object: no unwinding
    }
    return;
  }
  CheckInventory();
  const int64_t now = NowUnix();
  for (const std::string& name : order_) {
    RootRuntime& rt = roots_[name];
    if (rt.next_run && now >= *rt.next_run) {
      const std::string what = Trigger(rt, "schedule", false);
      if (what != "queued") {
        Log("scheduler").warn("root {}: scheduled run skipped: {}", name, what);
      } else {
        NoteDeferred(rt, "scheduled");
      }
      rt.next_run = NextRun(rt.config, now);
    }
  }
  Dispatch();
  UpdateStatus();
}

std::string Daemon::Trigger(RootRuntime& rt, const std::string& trigger, bool manual) {
  if (rt.running) return "already running";
  if (rt.queued) {
    if (manual && !rt.queued_manual) {
      rt.queued_manual = true;
      rt.queued_trigger = trigger;
    }
    return "already queued";
  }
  rt.queued = true;
  rt.queued_manual = manual;
  rt.queued_trigger = trigger;
  queue_.push_back(rt.config.name);
  return "queued";
}

void Daemon::Dispatch() {
  if (stopping_ || !inventory_.up) return;  // runs wait for the inventory
  const DaemonConfig& cfg = *snapshot_->config;
  const unsigned slots = std::max(1u, boot_config_->parallel_roots);
  const bool window_open = InWindows(cfg.throttle.windows, NowUnix(), cfg.zone);
  for (auto it = queue_.begin(); it != queue_.end() && running_.size() < slots;) {
    auto rt_it = roots_.find(*it);
    if (rt_it == roots_.end()) {
      it = queue_.erase(it);
      continue;
    }
    RootRuntime& rt = rt_it->second;
    if (!rt.queued_manual && !window_open) {
      ++it;  // waits for the scan window
      continue;
    }
    it = queue_.erase(it);
    rt.queued = false;
    StartRun(rt, rt.queued_trigger, rt.queued_manual);
  }
}

void Daemon::SaveStateNow() {
  if (state_path_.empty()) return;
  if (Status s = SaveState(state_path_, state_); !s.ok()) {
    Log("scheduler").error("cannot save the schedule state: {}", EscapeBytes(s.message(), true));
  }
}

}  // namespace custos::service::internal
