// The daemon's internals, shared by the files that implement it by role:
//   service.cc          start-up, the io_context loop, signals, systemd, stop
//   scheduler.cc        roots, the schedule tick, the run queue, the state file
//   runner.cc           one run: started on the io thread, scanned on a pool thread
//   control_handlers.cc control socket requests and the HTTP endpoint
//   control_review.cc   the review commands of the control socket (findings, report)
//   reload.cc           SIGHUP / `reload`: a new snapshot and the roots it configures
//   inventory_health.cc the inventory's database gone (at start or mid-run) and back
// Every member of Daemon belongs to the io_context thread unless said otherwise (see
// service.h for the threading model). Not installed: only these files include it.
#pragma once

#include <systemd/sd-daemon.h>

#include <atomic>
#include <boost/asio.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "console.h"
#include "control_server.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/scan/scan.h"
#include "custos/service/metrics.h"
#include "custos/service/protocol.h"
#include "custos/service/service.h"
#include "custos/service/state.h"
#include "custos/service/throttle.h"
#include "http_server.h"

#ifndef CUSTOS_VERSION
#define CUSTOS_VERSION "dev"
#endif

namespace custos::service::internal {
namespace asio = boost::asio;
using json = nlohmann::json;

// Scans that have not stopped this long after SIGTERM are abandoned (systemd's
// TimeoutStopSec is 30 s).
inline constexpr double kStopDeadlineSeconds = 25;

inline std::string Iso(int64_t t) { return t > 0 ? FormatIso8601(t) : std::string(); }

inline json IsoOrNull(int64_t t) { return t > 0 ? json(FormatIso8601(t)) : json(nullptr); }

// JSON-safe text of a raw byte string (paths): escaped like everywhere else.
inline std::string Shown(const std::string& raw) { return EscapeBytes(raw, true); }

inline void Notify(const std::string& message) { ::sd_notify(0, message.c_str()); }

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
  // A run cut short because the inventory went: resumed when it is back.
  bool resume_after_outage = false;
  bool resume_manual = false;
};

// Bounds of the back-off between attempts to reach an unavailable inventory (seconds;
// doubled after each failed attempt, +-20 % jitter).
inline constexpr double kRetryFirstSeconds = 1;
inline constexpr double kRetryMaxSeconds = 60;
// Failed attempts logged one by one before the log goes quiet (a changed reason is
// still logged).
inline constexpr uint64_t kRetryAttemptsLogged = 3;

// Whether the inventory can be reached: on the io thread.
struct InventoryHealth {
  bool up = true;
  std::string error;        // why it cannot (password-free)
  std::string logged;       // the reason the log last gave
  int64_t since = 0;        // Unix seconds it went
  uint64_t failures = 0;    // failed attempts since
  int64_t next_retry = 0;   // Unix seconds of the next attempt (0 while one runs)
  bool connecting = false;  // an attempt runs on connect_pool_
};

class Daemon {
 public:
  Daemon(ServiceOptions options, std::shared_ptr<const Snapshot> snapshot)
      : options_(std::move(options)),
        snapshot_(std::move(snapshot)),
        signals_(io_),
        tick_(io_),
        watchdog_(io_),
        retry_(io_),
        rng_(std::random_device{}()) {}

  int Run();

 private:
  // service.cc: start-up, signals, systemd, stop.
  Status Start();
  void WaitSignal();
  void ArmWatchdog(uint64_t usec);
  void UpdateStatus();
  void BeginStop(const char* why);
  void FinishStop();
  // scheduler.cc: roots, the tick, the queue, the state file.
  void InitRoots(int64_t now);
  RootRuntime MakeRuntime(const RootConfig& config, int64_t now, bool at_startup);
  RootRuntime* FindRoot(const std::string& name_or_path);
  void ArmTick();
  void Tick();
  std::optional<int64_t> NextRun(const RootConfig& root, int64_t now);
  std::string Trigger(RootRuntime& rt, const std::string& trigger, bool manual);
  void Dispatch();
  void SaveStateNow();
  // runner.cc: one run.
  void StartRun(RootRuntime& rt, const std::string& trigger, bool manual);
  void ExecuteRun(const std::shared_ptr<ScanRun>& run);  // pool thread
  void OnRunFinished(const std::shared_ptr<ScanRun>& run);
  // control_handlers.cc: control requests and HTTP.
  void OnControl(const std::string& line, const Peer& peer, ControlServer::Respond respond);
  json StatusJson();
  json ScanNow(const Request& request);
  json Findings(const Request& request);
  HttpServer::Response OnHttp(const std::string& target);
  // control_review.cc: the review commands, run on review_pool_.
  void Review(const Request& request, const Peer& peer, ControlServer::Respond respond);
  std::string RenderMetrics();
  // reload.cc.
  Status Reload(const char* why);
  void ApplyRoots(int64_t now);
  // inventory_health.cc.
  void CheckInventory();
  void InventoryDown(const Status& why);
  void ScheduleRetry();
  void TryReconnect();
  void OnReconnected(const Status& s);
  void NoteDeferred(RootRuntime& rt, const std::string& trigger);
  json InventoryHealthJson() const;

  ServiceOptions options_;
  std::shared_ptr<const Snapshot> snapshot_;
  // Settings that need a restart to change: those the daemon started with.
  std::shared_ptr<const DaemonConfig> boot_config_;
  std::string state_path_;

  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer tick_;
  asio::steady_timer watchdog_;
  asio::steady_timer retry_;  // the next attempt to reach the inventory
  std::unique_ptr<asio::thread_pool> pool_;
  std::unique_ptr<asio::thread_pool> connect_pool_;  // attempts to reach the inventory
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<console::Console> console_;  // the review console, when enabled
  std::unique_ptr<ResultStore> store_;
  // Runs the review commands of the control socket, one at a time, off the io thread
  // (a report of a large inventory takes a while). Declared after store_: it ends first.
  std::unique_ptr<asio::thread_pool> review_pool_;
  MetricsRegistry metrics_;
  InventoryHealth inventory_;
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

}  // namespace custos::service::internal
