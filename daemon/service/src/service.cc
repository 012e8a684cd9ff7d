// The daemon: scheduler, runs, control requests, metrics, reload and stop, all driven
// from one io_context thread. See service.h for the threading model.
#include "custos/service/service.h"

#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <cstdlib>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "control_server.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/scan/scan.h"
#include "custos/service/log.h"
#include "custos/service/metrics.h"
#include "custos/service/protocol.h"
#include "custos/service/state.h"
#include "custos/service/throttle.h"
#include "http_server.h"
#include "priority.h"

#ifndef CUSTOS_VERSION
#define CUSTOS_VERSION "dev"
#endif

namespace custos::service {
namespace asio = boost::asio;
using boost::system::error_code;
using json = nlohmann::json;

namespace {

// Scans that have not stopped this long after SIGTERM are abandoned (systemd's
// TimeoutStopSec is 30 s).
constexpr double kStopDeadlineSeconds = 25;

std::string Iso(int64_t t) { return t > 0 ? FormatIso8601(t) : std::string(); }

json IsoOrNull(int64_t t) { return t > 0 ? json(FormatIso8601(t)) : json(nullptr); }

// JSON-safe text of a raw byte string (paths): escaped like everywhere else.
std::string Shown(const std::string& raw) { return EscapeBytes(raw, true); }

// A skip reason as a metric label: the fixed part before any detail.
std::string ReasonLabel(const std::string& reason) { return SafeLabel(reason.substr(0, 48)); }

void Notify(const std::string& message) { ::sd_notify(0, message.c_str()); }

// One run of one root. Shared by the io thread (bookkeeping) and the pool thread that
// scans; the fields below `// results` are written by the pool thread before it posts
// the completion and read by the io thread after.
struct ScanRun {
  RunInfo info;
  RootConfig root;
  std::shared_ptr<const Snapshot> snapshot;
  bool manual = false;  // ignores scan windows
  std::atomic<bool> cancel{false};
  std::atomic<uint64_t> items{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> violations{0};
  // results
  Status status;
  Status record_status;
  scan::ScanStats stats;
  ThrottleFigures throttle;
};

// What the io thread knows about one configured root.
struct RootRuntime {
  RootConfig config;
  RootState state;  // persisted: the last run that ended, first_seen, running_since
  std::optional<int64_t> next_run;
  bool queued = false;
  bool queued_manual = false;
  std::string queued_trigger;
  std::shared_ptr<ScanRun> running;
};

// Counts the items of a run for progress and metrics, then hands them to the store.
class ProgressSink : public scan::Sink {
 public:
  ProgressSink(ScanRun& run, RunRecorder& recorder, MetricsRegistry& metrics)
      : run_(run), recorder_(recorder), metrics_(metrics), root_{{"root", run.info.root_name}} {}
  void Emit(Item&& item) override {
    run_.items.fetch_add(1, std::memory_order_relaxed);
    metrics_.Add("custos_scan_items_total", root_);
    if (item.skipped.empty()) {
      run_.bytes.fetch_add(item.info.size, std::memory_order_relaxed);
      metrics_.Add("custos_scan_bytes_total", root_, static_cast<double>(item.info.size));
    } else {
      metrics_.Add("custos_scan_skipped_total", {{"reason", ReasonLabel(item.skipped)}});
    }
    for (const Violation& v : item.violations) {
      run_.violations.fetch_add(1, std::memory_order_relaxed);
      metrics_.Add("custos_scan_violations_total",
                   {{"policy", v.policy}, {"severity", v.severity}});
    }
    recorder_.Emit(std::move(item));
  }

 private:
  ScanRun& run_;
  RunRecorder& recorder_;
  MetricsRegistry& metrics_;
  const Labels root_;
};

void DeclareMetrics(MetricsRegistry& m) {
  using T = MetricsRegistry::Type;
  m.Declare("custos_build_info", "custosd version", T::kGauge);
  m.Declare("custos_start_time_seconds", "Unix time the daemon started", T::kGauge);
  m.Declare("custos_scans_total", "Scan runs that ended, by root and result", T::kCounter);
  m.Declare("custos_scan_items_total", "Items scanned, by root", T::kCounter);
  m.Declare("custos_scan_bytes_total", "Sizes of the items scanned (not skipped), by root",
            T::kCounter);
  m.Declare("custos_scan_read_bytes_total", "Bytes read from files (throttled figure), by root",
            T::kCounter);
  m.Declare("custos_scan_skipped_total", "Items skipped, by reason", T::kCounter);
  m.Declare("custos_scan_violations_total", "Violations found by scans, by policy and severity",
            T::kCounter);
  m.Declare("custos_scan_duration_seconds", "Duration of scan runs that ended, by root",
            T::kHistogram, {1, 10, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600});
  m.Declare("custos_scans_running", "Scan runs in progress", T::kGauge);
  m.Declare("custos_scan_queue_depth", "Scan runs waiting for a free slot or a scan window",
            T::kGauge);
  m.Declare("custos_scan_progress_items", "Items scanned so far by the run in progress, by root",
            T::kGauge);
  m.Declare("custos_scan_last_success_timestamp_seconds",
            "Unix time the last complete run of a root ended", T::kGauge);
  m.Declare("custos_scan_next_run_timestamp_seconds", "Unix time of the next scheduled run",
            T::kGauge);
  m.Declare("custos_throttle_sleep_seconds_total",
            "Seconds scan workers slept for the throttle, by reason (rate, window, backoff)",
            T::kCounter);
  m.Declare("custos_inventory_items", "Items in the inventory", T::kGauge);
  m.Declare("custos_inventory_bytes", "Bytes of the items in the inventory", T::kGauge);
  m.Declare("custos_findings", "Open findings in the inventory, by policy and severity", T::kGauge);
  m.Declare("custos_policies_loaded", "Policies in force", T::kGauge);
  m.Declare("custos_config_reloads_total", "Reloads of config and policies, by result",
            T::kCounter);
  m.Declare("custos_config_last_reload_successful", "1 when the last reload succeeded", T::kGauge);
  m.Declare("custos_control_requests_total", "Control socket requests, by command", T::kCounter);
  m.Declare("custos_control_rejected_total",
            "Control socket requests or connections refused, by reason", T::kCounter);
  m.Declare("custos_http_requests_total", "HTTP requests, by path", T::kCounter);
}

class Daemon {
 public:
  Daemon(ServiceOptions options, std::shared_ptr<const Snapshot> snapshot)
      : options_(std::move(options)),
        snapshot_(std::move(snapshot)),
        signals_(io_),
        tick_(io_),
        watchdog_(io_),
        rng_(std::random_device{}()) {}

  int Run();

 private:
  // Start-up.
  Status Start();
  void InitRoots(int64_t now);
  RootRuntime MakeRuntime(const RootConfig& config, int64_t now, bool at_startup);
  // Scheduling.
  void ArmTick();
  void Tick();
  std::optional<int64_t> NextRun(const RootConfig& root, int64_t now);
  std::string Trigger(RootRuntime& rt, const std::string& trigger, bool manual);
  void Dispatch();
  void StartRun(RootRuntime& rt, const std::string& trigger, bool manual);
  void ExecuteRun(const std::shared_ptr<ScanRun>& run);  // pool thread
  void OnRunFinished(const std::shared_ptr<ScanRun>& run);
  void SaveStateNow();
  // Control.
  ControlServer::Reply OnControl(const std::string& line, const Peer& peer);
  json StatusJson();
  json ScanNow(const Request& request);
  json Findings(const Request& request);
  Status Reload(const char* why);
  void ApplyRoots(int64_t now);
  // HTTP.
  HttpServer::Response OnHttp(const std::string& target);
  std::string RenderMetrics();
  // Signals, systemd, stop.
  void WaitSignal();
  void ArmWatchdog(uint64_t usec);
  void UpdateStatus();
  void BeginStop(const char* why);
  void FinishStop();

  RootRuntime* FindRoot(const std::string& name_or_path);

  ServiceOptions options_;
  std::shared_ptr<const Snapshot> snapshot_;
  // Settings that need a restart to change: those the daemon started with.
  std::shared_ptr<const DaemonConfig> boot_config_;
  std::string state_path_;

  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer tick_;
  asio::steady_timer watchdog_;
  std::unique_ptr<asio::thread_pool> pool_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<ResultStore> store_;
  MetricsRegistry metrics_;
  std::mt19937_64 rng_;

  std::vector<std::string> order_;            // root names in config order
  std::map<std::string, RootRuntime> roots_;  // by name
  std::deque<std::string> queue_;             // root names waiting to run
  std::set<std::shared_ptr<ScanRun>> running_;
  DaemonState state_;
  int64_t started_ = 0;
  int64_t last_reload_ = 0;
  std::string last_reload_error_;
  std::string last_status_;
  bool stopping_ = false;
  double stop_deadline_ = 0;
  int exit_code_ = 0;
};

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

Status Daemon::Start() {
  const DaemonConfig& cfg = *snapshot_->config;
  boot_config_ = snapshot_->config;
  started_ = NowUnix();
  last_reload_ = started_;
  Log("custosd").info("custosd {} starting, config {}", CUSTOS_VERSION,
                      Shown(options_.config_path));
  for (const std::string& line : DescribeConfig(cfg)) Log("custosd").info("{}", line);
  if (snapshot_->policies) {
    Log("custosd").info("{} policies loaded", snapshot_->policies->policy_count());
  } else {
    Log("custosd").warn("no policy files: items are inventoried, never judged");
  }

  // State directory: created 0700 when missing (systemd's StateDirectory= does it too).
  if (::mkdir(cfg.state_directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::FromErrno("state directory " + Shown(cfg.state_directory), errno);
  }
  state_path_ = cfg.state_directory + "/schedule.json";
  auto loaded = LoadState(state_path_);
  if (!loaded.ok()) {
    Log("scheduler").error("{}; starting with no schedule history", loaded.status().message());
  } else {
    state_ = std::move(loaded.value());
  }

  auto store = options_.make_store ? options_.make_store(cfg)
                                   : Result<std::unique_ptr<ResultStore>>(MakeMemoryStore());
  if (!store.ok()) return store.status();
  store_ = std::move(store.value());

  DeclareMetrics(metrics_);
  metrics_.Set("custos_build_info", {{"version", CUSTOS_VERSION}}, 1);
  metrics_.Set("custos_start_time_seconds", {}, static_cast<double>(started_));
  metrics_.Set("custos_config_last_reload_successful", {}, 1);

  control_ = std::make_unique<ControlServer>(
      io_, cfg.control,
      [this](const std::string& line, const Peer& peer) { return OnControl(line, peer); },
      [this](const std::string& reason) {
        metrics_.Add("custos_control_rejected_total", {{"reason", reason}});
        Log("control").info("refused a client: {}", reason);
      });
  if (Status s = control_->Listen(); !s.ok()) return s;
  Log("control").info("control socket {} (group id {}, mode 0660)", Shown(cfg.control.socket),
                      control_->socket_gid());
  if (cfg.metrics.enabled) {
    http_ = std::make_unique<HttpServer>(
        io_, [this](const std::string& target) { return OnHttp(target); },
        cfg.control.request_timeout, cfg.control.max_connections);
    if (Status s = http_->Listen(cfg.metrics.address, cfg.metrics.port); !s.ok()) return s;
    Log("http").info("metrics on http://{}/metrics", http_->endpoint());
  }

  pool_ = std::make_unique<asio::thread_pool>(std::max(1u, cfg.parallel_roots));
  InitRoots(started_);
  SaveStateNow();
  WaitSignal();
  ArmTick();
  uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0) ArmWatchdog(usec);
  return Status::Ok();
}

int Daemon::Run() {
  ::signal(SIGPIPE, SIG_IGN);
  if (Status s = Start(); !s.ok()) {
    Log("custosd").error("cannot start: {}", EscapeBytes(s.message(), true));
    if (control_) control_->Stop();
    if (pool_) pool_->join();
    return 2;
  }
  Dispatch();
  UpdateStatus();
  Notify("READY=1");
  Log("custosd").info("ready: {} roots, pid {}", order_.size(), ::getpid());
  if (options_.on_ready) options_.on_ready();
  io_.run();
  pool_->join();
  Log("custosd").info("stopped");
  spdlog::default_logger()->flush();
  return exit_code_;
}

void Daemon::WaitSignal() {
  signals_.add(SIGHUP);
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.async_wait([this](error_code ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      (void)Reload("SIGHUP");
    } else {
      BeginStop(signo == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    WaitSignal();
  });
}

void Daemon::ArmTick() {
  tick_.expires_after(std::chrono::seconds(1));
  tick_.async_wait([this](error_code ec) {
    if (ec) return;
    Tick();
    ArmTick();
  });
}

void Daemon::ArmWatchdog(uint64_t usec) {
  watchdog_.expires_after(std::chrono::microseconds(usec / 2));
  watchdog_.async_wait([this, usec](error_code ec) {
    if (ec) return;
    Notify("WATCHDOG=1");
    ArmWatchdog(usec);
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
  const int64_t now = NowUnix();
  for (const std::string& name : order_) {
    RootRuntime& rt = roots_[name];
    if (rt.next_run && now >= *rt.next_run) {
      const std::string what = Trigger(rt, "schedule", false);
      if (what != "queued") {
        Log("scheduler").warn("root {}: scheduled run skipped: {}", name, what);
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
  if (stopping_) return;
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
  }
  SaveStateNow();
  if (stopping_) {
    if (running_.empty()) FinishStop();
    return;
  }
  Dispatch();
  UpdateStatus();
}

void Daemon::SaveStateNow() {
  if (state_path_.empty()) return;
  if (Status s = SaveState(state_path_, state_); !s.ok()) {
    Log("scheduler").error("cannot save the schedule state: {}", EscapeBytes(s.message(), true));
  }
}

ControlServer::Reply Daemon::OnControl(const std::string& line, const Peer& peer) {
  auto request = ParseRequest(line);
  if (!request.ok()) {
    // Not even a request: answer once and hang up.
    const bool not_json = request.status().message().find("not a JSON") != std::string::npos;
    return {ErrorResponse(request.status().message()), not_json};
  }
  metrics_.Add("custos_control_requests_total", {{"cmd", request->cmd}});
  Log("control").debug("{} from uid {} pid {}", request->cmd, peer.uid, peer.pid);
  json response;
  if (request->cmd == "status") {
    response = StatusJson();
  } else if (request->cmd == "scan-now") {
    response = ScanNow(*request);
  } else if (request->cmd == "reload") {
    Status s = Reload("control request");
    response = s.ok() ? json{{"ok", true}} : json{{"ok", false}, {"error", s.message()}};
  } else if (request->cmd == "findings") {
    response = Findings(*request);
  }
  return {response.dump(-1, ' ', false, json::error_handler_t::replace), false};
}

json Daemon::StatusJson() {
  const DaemonConfig& cfg = *snapshot_->config;
  const int64_t now = NowUnix();
  const bool window_open = InWindows(cfg.throttle.windows, now, cfg.zone);
  json roots = json::array();
  for (const std::string& name : order_) {
    const RootRuntime& rt = roots_[name];
    json r = {{"name", name},
              {"path", Shown(rt.config.path)},
              {"schedule", Shown(rt.config.schedule.text())},
              {"next_run", IsoOrNull(rt.next_run.value_or(0))}};
    std::string state = "idle";
    if (rt.running) {
      state = "running";
    } else if (rt.queued) {
      state = (!rt.queued_manual && !window_open) ? "waiting for scan window" : "queued";
    }
    r["state"] = state;
    if (rt.running) {
      const auto& run = *rt.running;
      r["running"] = {{"run", run.info.id},
                      {"trigger", run.info.trigger},
                      {"started", Iso(run.info.started)},
                      {"items", run.items.load()},
                      {"bytes", run.bytes.load()},
                      {"violations", run.violations.load()},
                      {"stopping", run.cancel.load()}};
    }
    if (rt.state.result.empty()) {
      r["last_run"] = nullptr;
    } else {
      const RootState& s = rt.state;
      r["last_run"] = {{"run", s.run_id},
                       {"trigger", s.trigger},
                       {"started", Iso(s.last_start)},
                       {"finished", Iso(s.last_end)},
                       {"result", s.result},
                       {"items", s.items},
                       {"read", s.items_read},
                       {"reused", s.items_reused},
                       {"bytes", s.bytes},
                       {"violations", s.violations},
                       {"seconds", s.seconds},
                       {"error", s.error}};
    }
    roots.push_back(std::move(r));
  }
  const InventoryFigures inv = store_->Figures();
  json by_policy = json::array();
  for (const auto& [key, n] : inv.findings_by_policy) {
    by_policy.push_back({{"policy", key.first}, {"severity", key.second}, {"count", n}});
  }
  json queue = json::array();
  for (const std::string& q : queue_) queue.push_back(q);
  json policy_files = json::array();
  for (const std::string& p : cfg.policies) policy_files.push_back(Shown(p));
  return {
      {"ok", true},
      {"version", CUSTOS_VERSION},
      {"pid", ::getpid()},
      {"started", Iso(started_)},
      {"config", Shown(options_.config_path)},
      {"policies",
       {{"files", policy_files},
        {"count", snapshot_->policies ? snapshot_->policies->policy_count() : 0}}},
      {"reload", {{"last", Iso(last_reload_)}, {"error", last_reload_error_}}},
      {"metrics", http_ ? json(http_->endpoint()) : json(nullptr)},
      {"window_open", window_open},
      {"stopping", stopping_},
      {"queue", queue},
      {"roots", roots},
      {"inventory",
       {{"store", Shown(inv.store)},
        {"items", inv.items},
        {"bytes", inv.bytes},
        {"findings", inv.findings},
        {"findings_by_policy", by_policy}}},
  };
}

json Daemon::ScanNow(const Request& request) {
  if (stopping_) return {{"ok", false}, {"error", "custosd is stopping"}};
  std::vector<RootRuntime*> targets;
  if (request.root.empty()) {
    for (const std::string& name : order_) targets.push_back(&roots_[name]);
    if (targets.empty()) return {{"ok", false}, {"error", "no roots configured"}};
  } else if (RootRuntime* rt = FindRoot(request.root)) {
    targets.push_back(rt);
  } else {
    std::string known;
    for (const std::string& name : order_) known += (known.empty() ? "" : ", ") + name;
    return {{"ok", false},
            {"error", "unknown root '" + Shown(request.root) +
                          "' (configured: " + (known.empty() ? "none" : known) + ")"}};
  }
  json runs = json::array();
  for (RootRuntime* rt : targets) {
    const std::string what = Trigger(*rt, "manual", true);
    Log("scheduler").info("root {}: scan-now: {}", rt->config.name, what);
    runs.push_back({{"root", rt->config.name}, {"state", what}});
  }
  Dispatch();
  // Report the run ids now that queued runs may have started.
  for (json& r : runs) {
    const RootRuntime& rt = roots_[r["root"].get<std::string>()];
    r["run"] = rt.running ? json(rt.running->info.id) : json(nullptr);
    r["after_run"] = rt.state.run_id;  // a run later than this one answers the request
  }
  UpdateStatus();
  return {{"ok", true}, {"runs", runs}};
}

json Daemon::Findings(const Request& request) {
  FindingsQuery q;
  q.policy = request.policy;
  q.severity = request.severity;
  q.limit = request.limit;
  auto found = store_->Findings(q);
  if (!found.ok()) return {{"ok", false}, {"error", found.status().message()}};
  json list = json::array();
  for (const FindingRecord& f : *found) {
    list.push_back({{"id", f.id},
                    {"path", Shown(f.path)},
                    {"policy", f.policy},
                    {"kind", f.kind},
                    {"severity", f.severity},
                    {"reason", Shown(f.reason)},
                    {"first_seen", Iso(f.first_seen)},
                    {"last_seen", Iso(f.last_seen)}});
  }
  return {{"ok", true}, {"findings", list}};
}

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
  auto needs_restart = [](const char* what) {
    Log("custosd").warn("{} changed: takes effect after a restart", what);
  };
  if (neu.control.socket != old.control.socket || neu.control.group != old.control.group ||
      neu.control.max_request_bytes != old.control.max_request_bytes ||
      neu.control.request_timeout != old.control.request_timeout ||
      neu.control.max_connections != old.control.max_connections) {
    needs_restart("control");
  }
  if (neu.metrics.enabled != old.metrics.enabled || neu.metrics.address != old.metrics.address ||
      neu.metrics.port != old.metrics.port) {
    needs_restart("metrics");
  }
  if (neu.state_directory != old.state_directory || neu.inventory != old.inventory) {
    needs_restart("state_directory/inventory");
  }
  if (neu.parallel_roots != old.parallel_roots) needs_restart("scan.parallel_roots");
  snapshot_ = loaded.value();
  last_reload_ = NowUnix();
  last_reload_error_.clear();
  SetLogLevel(neu.log_level);
  for (const std::string& line : DescribeConfig(neu)) Log("custosd").info("{}", line);
  ApplyRoots(last_reload_);
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

HttpServer::Response Daemon::OnHttp(const std::string& target) {
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/metrics") {
    metrics_.Add("custos_http_requests_total", {{"path", "/metrics"}});
    return {200, "text/plain; version=0.0.4; charset=utf-8", RenderMetrics()};
  }
  if (path == "/healthz") {
    metrics_.Add("custos_http_requests_total", {{"path", "/healthz"}});
    if (stopping_) return {503, "text/plain; charset=utf-8", "stopping\n"};
    return {200, "text/plain; charset=utf-8", "ok\n"};
  }
  metrics_.Add("custos_http_requests_total", {{"path", "other"}});
  return {404, "text/plain; charset=utf-8", "not found (try /metrics or /healthz)\n"};
}

std::string Daemon::RenderMetrics() {
  // Gauges that describe the present are recomputed on every scrape.
  metrics_.Set("custos_scans_running", {}, static_cast<double>(running_.size()));
  metrics_.Set("custos_scan_queue_depth", {}, static_cast<double>(queue_.size()));
  metrics_.Clear("custos_scan_progress_items");
  metrics_.Clear("custos_scan_next_run_timestamp_seconds");
  for (const std::string& name : order_) {
    const RootRuntime& rt = roots_[name];
    if (rt.running) {
      metrics_.Set("custos_scan_progress_items", {{"root", name}},
                   static_cast<double>(rt.running->items.load()));
    }
    if (rt.next_run) {
      metrics_.Set("custos_scan_next_run_timestamp_seconds", {{"root", name}},
                   static_cast<double>(*rt.next_run));
    }
  }
  const InventoryFigures inv = store_->Figures();
  metrics_.Set("custos_inventory_items", {}, static_cast<double>(inv.items));
  metrics_.Set("custos_inventory_bytes", {}, static_cast<double>(inv.bytes));
  metrics_.Clear("custos_findings");
  for (const auto& [key, n] : inv.findings_by_policy) {
    metrics_.Set("custos_findings", {{"policy", key.first}, {"severity", key.second}},
                 static_cast<double>(n));
  }
  metrics_.Set("custos_policies_loaded", {},
               snapshot_->policies ? static_cast<double>(snapshot_->policies->policy_count()) : 0);
  return metrics_.Render();
}

void Daemon::UpdateStatus() {
  std::string status;
  for (const auto& run : running_) {
    status += (status.empty() ? "scanning " : ", ") + run->info.root_name + " (" +
              std::to_string(run->items.load()) + " items)";
  }
  if (status.empty()) {
    std::optional<int64_t> next;
    std::string next_root;
    for (const auto& [name, rt] : roots_) {
      if (rt.next_run && (!next || *rt.next_run < *next)) {
        next = rt.next_run;
        next_root = name;
      }
    }
    status = next ? "idle; next run " + next_root + " at " + Iso(*next) : "idle";
  }
  if (!queue_.empty()) status += "; " + std::to_string(queue_.size()) + " queued";
  if (status != last_status_) {
    last_status_ = status;
    Notify("STATUS=" + status);
  }
}

void Daemon::BeginStop(const char* why) {
  if (stopping_) {
    Log("custosd").info("{}: already stopping", why);
    return;
  }
  stopping_ = true;
  stop_deadline_ = SystemClock().Monotonic() + kStopDeadlineSeconds;
  Notify("STOPPING=1");
  Log("custosd").info("{}: stopping ({} scan(s) running)", why, running_.size());
  for (const auto& run : running_) run->cancel = true;
  for (auto& [name, rt] : roots_) rt.queued = false;
  queue_.clear();
  if (control_) control_->Stop();
  if (http_) http_->Stop();
  if (running_.empty()) FinishStop();
}

void Daemon::FinishStop() {
  SaveStateNow();
  error_code ec;
  tick_.cancel();
  watchdog_.cancel();
  signals_.cancel(ec);
  io_.stop();
}

}  // namespace

int RunService(ServiceOptions options, std::shared_ptr<const Snapshot> snapshot) {
  Daemon daemon(std::move(options), std::move(snapshot));
  return daemon.Run();
}

}  // namespace custos::service
