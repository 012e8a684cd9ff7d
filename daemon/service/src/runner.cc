// One run of one root: started on the io thread, scanned on a pool thread at lower
// priority and throttled, its end recorded back on the io thread.
#include <algorithm>

#include "custos/service/log.h"
#include "daemon.h"
#include "priority.h"

namespace custos::service::internal {

namespace {

// Counts the items of a run for progress and metrics, then hands them to the store.
class ProgressSink : public scan::Sink {
 public:
  ProgressSink(ScanRun& run, RunRecorder& recorder, MetricsRegistry& metrics)
      : run_(run), recorder_(recorder), metrics_(metrics), root_{{"root", run.info.root_name}} {}
  Status Emit(Item&& item) override {
    run_.items.fetch_add(1, std::memory_order_relaxed);
    metrics_.Add("custos_scan_items_total", root_);
    if (item.skipped.empty()) {
      run_.bytes.fetch_add(item.info.size, std::memory_order_relaxed);
      metrics_.Add("custos_scan_bytes_total", root_, static_cast<double>(item.info.size));
    } else {
      // By kind ("corrupt", not "corrupt: PDF"): a bounded set of label values.
      metrics_.Add("custos_scan_skipped_total", {{"reason", std::string(item.skipped.KindText())}});
    }
    for (const Violation& v : item.violations) {
      run_.violations.fetch_add(1, std::memory_order_relaxed);
      metrics_.Add("custos_scan_violations_total",
                   {{"policy", v.policy}, {"severity", std::string(SeverityName(v.severity))}});
    }
    return recorder_.Emit(std::move(item));
  }

 private:
  ScanRun& run_;
  RunRecorder& recorder_;
  MetricsRegistry& metrics_;
  const Labels root_;
};

}  // namespace

void Daemon::StartRun(RootRuntime& rt, const std::string& trigger, bool manual) {
  auto run = std::make_shared<ScanRun>();
  run->info.id = state_.next_run_id++;
  run->info.root_name = rt.config.name;
  run->info.root_path = rt.config.path;
  run->info.trigger = trigger;
  run->info.started = NowUnix();
  run->root = rt.config;
  run->snapshot = snapshot_;
  run->manual = manual;
  rt.running = run;
  rt.state.running_since = run->info.started;
  state_.roots[rt.config.name] = rt.state;
  SaveStateNow();
  running_.insert(run);
  Log("scan").info("run {} of root {} ({}) started: {}", run->info.id, rt.config.name, trigger,
                   Shown(rt.config.path));
  asio::post(*pool_, [this, run] { ExecuteRun(run); });
}

// On a pool thread.
void Daemon::ExecuteRun(const std::shared_ptr<ScanRun>& run) {
  const DaemonConfig& cfg = *run->snapshot->config;
  if (Status s = LowerThreadPriority(cfg.nice, cfg.io_class); !s.ok()) {
    Log("scan").warn("run {}: cannot lower the scan priority: {}", run->info.id, s.message());
  }
  Throttle throttle(cfg.throttle, SystemClock(), &run->cancel, !run->manual);
  scan::ScanOptions o;
  o.roots = {run->root.path};
  o.walk.excludes = run->root.excludes;
  o.walk.one_file_system = !run->root.cross_filesystems;
  o.walk.max_depth = run->root.max_depth;
  o.walk.max_path = run->root.max_path;
  o.threads = cfg.threads;
  // A short queue keeps the walk close to the workers (a cancel drops what is queued).
  o.queue_capacity = std::max<size_t>(16, cfg.threads * 4);
  o.magic_database = cfg.magic_database;
  o.limits.max_file_bytes = run->root.max_file_bytes;
  o.limits.max_seconds = run->root.max_item_seconds;
  o.detectors = run->snapshot->detectors;
  if (const auto& set = run->snapshot->policies) {
    const int64_t now = run->info.started;
    o.read_acl = set->NeedsAcl();
    o.evaluate = [set, now](Item& item) { set->Evaluate(item, now); };
  }
  auto recorder = store_->BeginRun(run->info, o, run->snapshot->policies);
  if (!recorder.ok()) {
    run->status = recorder.status();
  } else {
    RunRecorder& rec = *recorder.value();
    o.before_read = [&throttle](const Item&) { throttle.BeforeRead(); };
    o.after_read = [&throttle](uint64_t bytes, double seconds) {
      throttle.AfterRead(bytes, seconds);
    };
    o.cancel = &run->cancel;
    ProgressSink sink(*run, rec, metrics_);
    try {
      run->status = scan::RunScan(o, sink, &run->stats);
    } catch (const std::exception& e) {
      // Nothing may escape a pool thread.
      run->status = Status(StatusCode::kInternal, std::string("scan failed: ") + e.what());
    }
    const bool complete = run->status.ok() && !run->stats.cancelled;
    run->record_status = rec.Finish(run->stats, complete);
  }
  run->throttle = throttle.figures();
  asio::post(io_, [this, run] { OnRunFinished(run); });
}

void Daemon::OnRunFinished(const std::shared_ptr<ScanRun>& run) {
  running_.erase(run);
  const std::string& name = run->info.root_name;
  const int64_t now = NowUnix();
  std::string result = "completed";
  if (!run->status.ok()) {
    result = "failed";
  } else if (run->stats.cancelled) {
    result = "interrupted";
  }
  if (!run->record_status.ok() && result == "completed") result = "failed";
  // Cut short because the inventory's database went: interrupted, resumed when it is
  // back (what the run recorded is kept, batch by batch).
  const Status health = store_->Health();
  const bool outage = result == "failed" && !health.ok();
  if (outage) result = "interrupted";
  const Labels root = {{"root", name}};
  metrics_.Add("custos_scans_total", {{"root", name}, {"result", result}});
  metrics_.Observe("custos_scan_duration_seconds", root, run->stats.seconds);
  metrics_.Add("custos_scan_read_bytes_total", root, static_cast<double>(run->throttle.bytes_read));
  metrics_.Add("custos_throttle_sleep_seconds_total", {{"reason", "rate"}},
               run->throttle.rate_seconds);
  metrics_.Add("custos_throttle_sleep_seconds_total", {{"reason", "window"}},
               run->throttle.window_seconds);
  metrics_.Add("custos_throttle_sleep_seconds_total", {{"reason", "backoff"}},
               run->throttle.backoff_seconds);
  if (result == "completed") {
    metrics_.Set("custos_scan_last_success_timestamp_seconds", root, static_cast<double>(now));
  }
  std::string error;
  if (!run->status.ok()) error = run->status.message();
  if (!run->record_status.ok()) {
    error +=
        (error.empty() ? "" : "; ") + std::string("recording: ") + run->record_status.message();
  }
  if (error.empty()) {
    std::string summary = scan::SummaryLine(run->stats);
    if (summary.rfind("custos: ", 0) == 0) summary.erase(0, 8);
    Log("scan").info("run {} of root {} {}: {}", run->info.id, name, result, summary);
  } else {
    Log("scan").error("run {} of root {} {}: {}", run->info.id, name, result,
                      EscapeBytes(error, true));
  }
  auto it = roots_.find(name);
  if (it != roots_.end() && it->second.running == run) {
    RootRuntime& rt = it->second;
    rt.running.reset();
    RootState& st = rt.state;
    st.running_since = 0;
    st.last_start = run->info.started;
    st.last_end = now;
    st.result = result;
    st.trigger = run->info.trigger;
    st.run_id = run->info.id;
    st.items = run->stats.items;
    st.items_read = run->stats.items_read;
    st.items_reused = run->stats.items_reused;
    st.bytes = run->stats.bytes;
    st.violations = run->stats.violations;
    st.seconds = run->stats.seconds;
    st.error = EscapeBytes(error, true);
    state_.roots[name] = st;
    if (outage) {
      rt.resume_after_outage = true;
      rt.resume_manual = run->manual;
    }
  }
  SaveStateNow();
  if (stopping_) {
    if (running_.empty()) FinishStop();
    return;
  }
  CheckInventory();
  Dispatch();
  UpdateStatus();
}

}  // namespace custos::service::internal
