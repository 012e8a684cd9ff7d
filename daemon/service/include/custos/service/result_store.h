// The seam between the daemon and where scan results go.
//
// A ResultStore receives the items of every run and answers the inventory figures of
// `custos status` and /metrics. The daemon ships an in-memory store (MemoryStore:
// figures of the last complete run of each root, nothing on disk) and the SQLite
// inventory (OpenInventoryStore: incremental scans, the findings lifecycle, resume of
// an interrupted run by reusing what it recorded).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"
#include "custos/inventory/store.h"
#include "custos/policies/policy.h"
#include "custos/scan/scan.h"

namespace custos::service {

// What a run is about.
struct RunInfo {
  uint64_t id = 0;
  std::string root_name;
  std::string root_path;
  std::string trigger;  // schedule | startup | catch-up | resume | manual
  int64_t started = 0;  // Unix seconds
};

// Receives the items of one run, on the scan's threads (calls are serialised by the
// scan, see scan::Sink), then Finish on the thread that ran the scan.
class RunRecorder : public scan::Sink {
 public:
  // Ends the run. `complete` is false when the run was cancelled or failed: the store
  // keeps what it received (so that a resumed run can reuse it) but must not take
  // items it did not see as deleted.
  virtual Status Finish(const scan::ScanStats& stats, bool complete) = 0;
};

// Inventory figures: what the store knows now.
struct InventoryFigures {
  std::string store;  // "memory", "sqlite:PATH" or the URI (password-free)
  uint64_t items = 0;
  uint64_t bytes = 0;
  uint64_t findings = 0;  // open findings (violations)
  // (policy, severity) -> open findings
  std::map<std::pair<std::string, std::string>, uint64_t> findings_by_policy;
};

// A findings query of the control protocol.
struct FindingsQuery {
  std::string policy;    // empty: any
  std::string severity;  // empty: any
  size_t limit = 100;
};

// One open finding as the inventory keeps it (no raw values: the reason and masked
// figures only).
struct FindingRecord {
  std::string id;
  std::string path;  // raw bytes; escape before display
  std::string policy;
  std::string kind;
  std::string severity;
  std::string reason;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
};

class ResultStore {
 public:
  virtual ~ResultStore() = default;
  // Starts recording a run, on the thread that will run the scan. May adjust `options`
  // before the scan starts (ScanOptions::reuse for incremental scans, the HMAC key of
  // detections). `policies` (may be null) are the policies the run judges with. The
  // recorder must not outlive the store. Thread-safe.
  virtual Result<std::unique_ptr<RunRecorder>> BeginRun(
      const RunInfo& run, scan::ScanOptions& options,
      const std::shared_ptr<const policies::PolicySet>& policies) = 0;
  // Current figures. Thread-safe.
  virtual InventoryFigures Figures() const = 0;
  // Roots no longer configured: their results stop counting. Thread-safe.
  virtual void RetainRoots(const std::vector<std::string>& root_names) = 0;
  // Open findings matching `query`, newest first. Stores without per-item records
  // return kUnsupported. Thread-safe.
  virtual Result<std::vector<FindingRecord>> Findings(const FindingsQuery& query) const {
    (void)query;
    return Status(StatusCode::kUnsupported,
                  "findings queries need the inventory (this daemon keeps figures only)");
  }
  // Whether the store can record runs now: OK, or why not. A store on a database server
  // becomes unavailable (StatusCode::kUnavailable, a password-free message) when the
  // server cannot be reached at start-up or a run or query loses it, and stays so until
  // Reconnect() succeeds. Thread-safe.
  virtual Status Health() const { return Status::Ok(); }
  // Tries to reach the store again when it is unavailable; OK once it is. Blocks for a
  // connection attempt: not for the io thread. Thread-safe.
  virtual Status Reconnect() { return Status::Ok(); }
  // The inventory, opened for one review command of the control socket (custos
  // findings, custos report), used on the calling thread and closed after. Stores
  // without per-item records return kUnsupported. Thread-safe.
  virtual Result<std::unique_ptr<inventory::Store>> OpenInventory() const {
    return Status(StatusCode::kUnsupported,
                  "this custosd keeps figures only: findings and reports need an inventory");
  }
};

// The in-memory store: per root, the figures of its last complete run (a cancelled run
// leaves the previous figures in place). Holds no paths.
std::unique_ptr<ResultStore> MakeMemoryStore();

// The inventory at `db_path`: a SQLite file (created mode 0600 in a 0700 folder when
// missing) or a postgresql:// URI, with the HMAC key of detections kept in `state_dir`.
// Runs are recorded one at a time (one writer per node); figures and findings are read
// through a separate connection and cached for a few seconds. Fails when the file is
// not an inventory or cannot be opened, or the database refuses us for good (not an
// inventory, a newer schema); a database server that cannot be reached gives a store
// that is unavailable (Health) until it can.
// `node` names this server in a fleet inventory (empty: the host name).
Result<std::unique_ptr<ResultStore>> OpenInventoryStore(const std::string& db_path,
                                                        const std::string& state_dir,
                                                        const std::string& node = "");

}  // namespace custos::service
