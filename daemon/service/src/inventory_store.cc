// The inventory (SQLite or PostgreSQL) behind the ResultStore seam: what `custos scan --db`
// does for one scan, done for every run of the daemon. A database server that cannot be
// reached makes the store unavailable (Health) until a Reconnect succeeds.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>

#include "custos/base/mutex.h"
#include "custos/inventory/scan_session.h"
#include "custos/inventory/store.h"
#include "custos/service/result_store.h"

namespace custos::service {
namespace {

// Seconds the figures of status and /metrics may be old (reviewers change findings
// from other processes; scans invalidate the cache themselves).
constexpr double kFiguresMaxAge = 5;

bool Active(inventory::FindingStatus s) { return inventory::IsActive(s); }

class InventoryStore;

class InventoryRecorder : public RunRecorder {
 public:
  InventoryRecorder(InventoryStore& owner, std::unique_lock<Mutex> lock,
                    std::unique_ptr<inventory::ScanWriter> store)
      : owner_(owner), lock_(std::move(lock)), store_(std::move(store)) {}
  ~InventoryRecorder() override {
    // The session's readers and writer thread go before the store they use.
    session_.reset();
    store_.reset();
  }

  Status Start(const RunInfo& run, scan::ScanOptions& options,
               const std::shared_ptr<const policies::PolicySet>& policies,
               const std::string& db_path, const std::string& state_dir) {
    auto session =
        inventory::ScanSession::Begin(*store_, db_path, state_dir, options, policies, run.started);
    if (!session.ok()) return session.status();
    session_ = std::move(session.value());
    return Status::Ok();
  }
  Status Emit(Item&& item) override {
    session_->Add(std::move(item));
    // A write that failed (the database went away) ends the scan: what it would read
    // from here on could not be recorded.
    return session_->status();
  }
  Status Finish(const scan::ScanStats& stats, bool complete) override;

 private:
  InventoryStore& owner_;
  std::unique_lock<Mutex> lock_;  // the store's write_mu_: one run writes at a time
  std::unique_ptr<inventory::ScanWriter> store_;
  std::unique_ptr<inventory::ScanSession> session_;
};

class InventoryStore : public ResultStore {
 public:
  // `reader` is null when the database could not be reached (`health` says why).
  InventoryStore(std::string db_path, std::string state_dir, std::string node,
                 std::unique_ptr<inventory::ReportReader> reader, Status health)
      : db_path_(std::move(db_path)),
        state_dir_(std::move(state_dir)),
        node_(std::move(node)),
        reader_(std::move(reader)),
        health_(std::move(health)) {}

  Result<std::unique_ptr<RunRecorder>> BeginRun(
      const RunInfo& run, scan::ScanOptions& options,
      const std::shared_ptr<const policies::PolicySet>& policies) override {
    std::unique_lock<Mutex> lock(write_mu_);
    auto store = inventory::OpenStore(db_path_, {.node = node_});
    if (!store.ok()) {
      Status s(store.status().code(), "inventory: " + store.status().message());
      NoteFailure(s);
      return s;
    }
    auto rec =
        std::make_unique<InventoryRecorder>(*this, std::move(lock), std::move(store.value()));
    if (Status s = rec->Start(run, options, policies, inventory::SqlitePath(db_path_), state_dir_);
        !s.ok()) {
      NoteFailure(s);
      return s;
    }
    return std::unique_ptr<RunRecorder>(std::move(rec));
  }

  InventoryFigures Figures() const override {
    MutexLock lock(read_mu_);
    const auto now = std::chrono::steady_clock::now();
    if (cached_ && now - cached_at_ < std::chrono::duration<double>(kFiguresMaxAge))
      return *cached_;
    InventoryFigures f;
    f.store = inventory::IsPgLocation(db_path_) ? inventory::RedactUri(db_path_)
                                                : "sqlite:" + inventory::SqlitePath(db_path_);
    if (reader_ == nullptr) return f;  // unreachable: nothing known
    if (auto totals = reader_->Totals(); totals.ok()) {
      f.items = totals->items;
      f.bytes = totals->bytes;
    } else {
      NoteFailure(totals.status());
    }
    inventory::FindingQuery q;
    q.statuses = {inventory::FindingStatus::kNew, inventory::FindingStatus::kOpen,
                  inventory::FindingStatus::kAcknowledged};
    if (auto findings = reader_->ListFindings(q); findings.ok()) {
      for (const inventory::Finding& x : *findings) {
        if (!Active(x.status) || x.item_deleted) continue;
        ++f.findings_by_policy[{x.policy, x.severity}];
        ++f.findings;
      }
    } else {
      NoteFailure(findings.status());
      return f;  // not cached: asked again once the database is back
    }
    cached_ = f;
    cached_at_ = now;
    return f;
  }

  void RetainRoots(const std::vector<std::string>& root_names) override {
    // The inventory keeps what it knows about a root that is no longer scanned: its
    // findings stay open for review until resolved there.
    (void)root_names;
  }

  Result<std::vector<FindingRecord>> Findings(const FindingsQuery& query) const override {
    MutexLock lock(read_mu_);
    inventory::FindingQuery q;
    q.statuses = {inventory::FindingStatus::kNew, inventory::FindingStatus::kOpen,
                  inventory::FindingStatus::kAcknowledged};
    if (!query.policy.empty()) q.policies = {query.policy};
    if (reader_ == nullptr) return Health();
    auto found = reader_->ListFindings(q);
    if (!found.ok()) {
      NoteFailure(found.status());
      return found.status();
    }
    std::vector<FindingRecord> out;
    for (const inventory::Finding& x : *found) {
      if (!query.severity.empty() && x.severity != query.severity) continue;
      out.push_back({std::to_string(x.id), x.path, x.policy, x.kind, x.severity, x.reason,
                     x.first_seen, x.last_seen});
    }
    std::sort(out.begin(), out.end(), [](const FindingRecord& a, const FindingRecord& b) {
      return a.last_seen != b.last_seen ? a.last_seen > b.last_seen : a.id > b.id;
    });
    if (out.size() > query.limit) out.resize(query.limit);
    return out;
  }

  Result<std::unique_ptr<inventory::Store>> OpenInventory() const override {
    // Decisions are durable (a person's decision must not be lost).
    auto store = inventory::OpenStore(db_path_, {.create = false, .durable = true, .node = node_});
    if (!store.ok()) return store.status();
    return std::unique_ptr<inventory::Store>(std::move(store.value()));
  }

  Status Health() const override {
    MutexLock lock(health_mu_);
    return health_;
  }

  Status Reconnect() override {
    if (Health().ok()) return Status::Ok();
    auto reader = inventory::OpenStore(db_path_, {.node = node_});
    if (!reader.ok()) {
      Status s(reader.status().code(), "inventory: " + reader.status().message());
      MutexLock lock(health_mu_);
      health_ = s;
      return s;
    }
    {
      MutexLock lock(read_mu_);
      reader_ = std::move(reader.value());
      cached_.reset();
    }
    MutexLock lock(health_mu_);
    health_ = Status::Ok();
    return Status::Ok();
  }

  // A failure that says the database cannot be reached (connection refused or lost)
  // makes the store unavailable until Reconnect(); other errors change nothing.
  void NoteFailure(const Status& s) const {
    if (s.code() != StatusCode::kUnavailable) return;
    MutexLock lock(health_mu_);
    if (health_.ok()) health_ = s;
  }

  void Invalidate() {
    MutexLock lock(read_mu_);
    cached_.reset();
  }

 private:
  const std::string db_path_;
  const std::string state_dir_;
  const std::string node_;
  // Guards no data: runs take turns at writing. Held from BeginRun to the recorder's
  // Finish (or its end), by a std::unique_lock the recorder keeps.
  Mutex write_mu_;
  mutable Mutex read_mu_;
  std::unique_ptr<inventory::ReportReader> reader_ GUARDED_BY(read_mu_);
  mutable std::optional<InventoryFigures> cached_ GUARDED_BY(read_mu_);
  mutable std::chrono::steady_clock::time_point cached_at_ GUARDED_BY(read_mu_);
  mutable Mutex health_mu_;  // taken alone, or inside read_mu_
  mutable Status health_ GUARDED_BY(health_mu_);
};

Status InventoryRecorder::Finish(const scan::ScanStats& stats, bool complete) {
  const inventory::ScanState end = complete          ? inventory::ScanState::kComplete
                                   : stats.cancelled ? inventory::ScanState::kInterrupted
                                                     : inventory::ScanState::kFailed;
  Status s = session_->Finish(end, stats);
  session_.reset();
  store_.reset();
  owner_.NoteFailure(s);
  owner_.Invalidate();
  lock_.unlock();
  return s;
}

}  // namespace

Result<std::unique_ptr<ResultStore>> OpenInventoryStore(const std::string& db_path,
                                                        const std::string& state_dir,
                                                        const std::string& node) {
  auto reader = inventory::OpenStore(db_path, {.node = node});
  if (!reader.ok()) {
    Status s(reader.status().code(), "inventory: " + reader.status().message());
    // A database server that cannot be reached now may be later: the daemon starts
    // without it and retries (Reconnect). Anything else stops the start.
    if (s.code() != StatusCode::kUnavailable) return s;
    return std::unique_ptr<ResultStore>(
        std::make_unique<InventoryStore>(db_path, state_dir, node, nullptr, std::move(s)));
  }
  return std::unique_ptr<ResultStore>(std::make_unique<InventoryStore>(
      db_path, state_dir, node, std::move(reader.value()), Status::Ok()));
}

}  // namespace custos::service
