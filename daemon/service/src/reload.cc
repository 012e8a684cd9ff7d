// Reload (SIGHUP or the `reload` request): a new snapshot of config and policies,
// swapped whole; settings the running daemon cannot change are logged as needing a
// restart; the roots follow the new config. On the io thread.
#include <algorithm>

#include "custos/service/log.h"
#include "daemon.h"

namespace custos::service::internal {

Status Daemon::Reload(const char* why) {
  Log("custosd").info("reloading {} ({})", Shown(options_.config_path), why);
  Notify("RELOADING=1");
  std::vector<Diagnostic> diags;
  auto loaded = LoadSnapshot(options_.config_path, &diags);
  if (!loaded.ok()) {
    for (const Diagnostic& d : diags) Log("custosd").error("{}", EscapeBytes(d.ToString(), true));
    if (diags.empty()) Log("custosd").error("{}", EscapeBytes(loaded.status().message(), true));
    Log("custosd").error("reload failed: keeping the previous configuration and policies");
    metrics_.Add("custos_config_reloads_total", {{"result", "failed"}});
    metrics_.Set("custos_config_last_reload_successful", {}, 0);
    last_reload_error_ = EscapeBytes(loaded.status().message(), true);
    Notify("READY=1");
    return Status::Invalid("reload failed, previous configuration kept: " + last_reload_error_);
  }
  const DaemonConfig& old = *boot_config_;
  const DaemonConfig& neu = *loaded.value()->config;
  for (const std::string& key : config::ChangedRestartKeys(old, neu)) {
    Log("custosd").warn("{} changed: takes effect after a restart", key);
  }
  snapshot_ = loaded.value();
  last_reload_ = NowUnix();
  last_reload_error_.clear();
  SetLogLevel(neu.log_level);
  for (const std::string& line : DescribeConfig(neu)) Log("custosd").info("{}", line);
  ApplyRoots(last_reload_);
  if (console_) console_->SetRoots(snapshot_->config->roots);
  metrics_.Add("custos_config_reloads_total", {{"result", "ok"}});
  metrics_.Set("custos_config_last_reload_successful", {}, 1);
  Log("custosd").info("reloaded: {} roots, {} policies", order_.size(),
                      snapshot_->policies ? snapshot_->policies->policy_count() : 0);
  Dispatch();
  Notify("READY=1");
  UpdateStatus();
  return Status::Ok();
}

void Daemon::ApplyRoots(int64_t now) {
  std::map<std::string, RootRuntime> next;
  std::vector<std::string> order;
  for (const RootConfig& rc : snapshot_->config->roots) {
    order.push_back(rc.name);
    auto old = roots_.find(rc.name);
    if (old != roots_.end() && old->second.config.path == rc.path) {
      RootRuntime rt = std::move(old->second);
      const bool schedule_changed = rt.config.schedule.text() != rc.schedule.text();
      rt.config = rc;
      if (schedule_changed) rt.next_run = NextRun(rc, now);
      next.emplace(rc.name, std::move(rt));
    } else {
      next.emplace(rc.name, MakeRuntime(rc, now, false));
      Log("scheduler")
          .info("root {}: new, next run {}", rc.name, Iso(next[rc.name].next_run.value_or(0)));
    }
  }
  for (auto& [name, rt] : roots_) {
    if (!next.count(name) && rt.running) {
      Log("scheduler").info("root {}: removed; its running scan is stopped", name);
      rt.running->cancel = true;
    }
  }
  roots_ = std::move(next);
  order_ = std::move(order);
  // The queue keeps roots that still exist; state keeps roots that still exist.
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                              [this](const std::string& n) { return !roots_.count(n); }),
               queue_.end());
  state_.roots.clear();
  for (auto& [name, rt] : roots_) state_.roots[name] = rt.state;
  store_->RetainRoots(order_);
  SaveStateNow();
}

}  // namespace custos::service::internal
