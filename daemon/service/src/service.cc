// The daemon: start-up, the io_context loop, signals, systemd notifications and stop.
// The rest of it is split by role (see daemon.h). See service.h for the threading model.
#include "custos/service/service.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "custos/service/log.h"
#include "daemon.h"

namespace custos::service {
namespace internal {
using boost::system::error_code;

namespace {

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
  m.Declare("custos_inventory_up",
            "1 when the inventory can be reached, 0 while its database is unavailable", T::kGauge);
  m.Declare("custos_inventory_connect_failures_total",
            "Failed attempts to reach an unavailable inventory", T::kCounter);
  m.Declare("custos_inventory_next_retry_timestamp_seconds",
            "Unix time of the next attempt to reach the unavailable inventory", T::kGauge);
  m.Declare("custos_scans_deferred_total",
            "Runs queued while the inventory was unavailable (they wait for it), by root",
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

}  // namespace

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
  metrics_.Set("custos_inventory_up", {}, 1);
  connect_pool_ = std::make_unique<asio::thread_pool>(1);
  CheckInventory();  // a database that cannot be reached yet: retried, runs wait
  metrics_.Set("custos_build_info", {{"version", CUSTOS_VERSION}}, 1);
  metrics_.Set("custos_start_time_seconds", {}, static_cast<double>(started_));
  metrics_.Set("custos_config_last_reload_successful", {}, 1);

  control_ = std::make_unique<ControlServer>(
      io_, cfg.control,
      [this](const std::string& line, const Peer& peer, ControlServer::Respond respond) {
        OnControl(line, peer, std::move(respond));
      },
      [this](const std::string& reason) {
        metrics_.Add("custos_control_rejected_total", {{"reason", reason}});
        Log("control").info("refused a client: {}", reason);
      });
  if (Status s = control_->Listen(); !s.ok()) return s;
  Log("control").info("control socket {} (mode 0666; operators: group {}, reviewers: group {})",
                      Shown(cfg.control.socket), Shown(cfg.control.group),
                      Shown(cfg.control.review_group));
  if (cfg.metrics.enabled) {
    http_ = std::make_unique<HttpServer>(
        io_, [this](const std::string& target) { return OnHttp(target); },
        cfg.control.request_timeout, cfg.control.max_connections);
    if (Status s = http_->Listen(cfg.metrics.address, cfg.metrics.port); !s.ok()) return s;
    Log("http").info("metrics on http://{}/metrics", http_->endpoint());
  }
  if (cfg.console.enabled) {
    auto console = console::Console::Start(cfg, CUSTOS_VERSION);
    if (!console.ok()) return console.status();
    console_ = std::move(console.value());
  }

  pool_ = std::make_unique<asio::thread_pool>(std::max(1u, cfg.parallel_roots));
  review_pool_ = std::make_unique<asio::thread_pool>(1);
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
    if (console_) console_->Stop();
    retry_.cancel();
    if (pool_) pool_->join();
    if (review_pool_) review_pool_->join();
    if (connect_pool_) connect_pool_->join();
    return 2;
  }
  Dispatch();
  UpdateStatus();
  Notify("READY=1");
  Log("custosd").info("ready: {} roots, pid {}", order_.size(), ::getpid());
  if (options_.on_ready) options_.on_ready();
  io_.run();
  pool_->join();
  review_pool_->join();
  connect_pool_->join();
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

void Daemon::ArmWatchdog(uint64_t usec) {
  watchdog_.expires_after(std::chrono::microseconds(usec / 2));
  watchdog_.async_wait([this, usec](error_code ec) {
    if (ec) return;
    Notify("WATCHDOG=1");
    ArmWatchdog(usec);
  });
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
  if (!inventory_.up) status = "inventory unavailable (runs wait); " + status;
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
  if (console_) console_->Stop();
  if (running_.empty()) FinishStop();
}

void Daemon::FinishStop() {
  SaveStateNow();
  error_code ec;
  tick_.cancel();
  watchdog_.cancel();
  retry_.cancel();
  signals_.cancel(ec);
  io_.stop();
}

}  // namespace internal

int RunService(ServiceOptions options, std::shared_ptr<const Snapshot> snapshot) {
  internal::Daemon daemon(std::move(options), std::move(snapshot));
  return daemon.Run();
}

}  // namespace custos::service
