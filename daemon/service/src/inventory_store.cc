// The SQLite inventory behind the ResultStore seam: what `custos scan --db` does for one
// scan, done for every run of the daemon.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "custos/base/time.h"
#include "custos/detect/detect.h"
#include "custos/extract/extract.h"
#include "custos/inventory/key.h"
#include "custos/inventory/recorder.h"
#include "custos/inventory/store.h"
#include "custos/service/result_store.h"

namespace custos::service {
namespace {

// Seconds the figures of status and /metrics may be old (reviewers change findings
// from other processes; scans invalidate the cache themselves).
constexpr double kFiguresMaxAge = 5;

// The content keys items are stored under. They must equal those of `custos scan --db`
// (daemon/src/scan_inventory.cc, InventoryScan::KeysFor) for the two to reuse each
// other's records; a difference costs re-reading, never a wrong result.
// TODO(custos): move KeysFor into custos_inventory so that there is one copy.
constexpr int kIdentifyVersion = 1;
constexpr int kExtractionVersion = 1;

class Fnv {
 public:
  void Add(std::string_view s) {
    for (unsigned char c : s) h_ = (h_ ^ c) * 0x100000001b3ull;
    h_ = (h_ ^ 0xff) * 0x100000001b3ull;
  }
  std::string Hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

inventory::ContentKeys KeysFor(const scan::ScanOptions& options,
                               const std::shared_ptr<const policies::PolicySet>& policies,
                               const std::string& key_id) {
  inventory::ContentKeys keys;
  keys.identified = "i" + std::to_string(kIdentifyVersion) + (options.read_acl ? ";acl" : "") +
                    (options.magic_database.empty() ? "" : ";m" + options.magic_database);
  if (!options.detectors) {
    keys.searched = keys.identified + ";no-content";
  } else {
    Fnv custom;
    if (policies) {
      for (const policies::CustomDetector& d : policies->custom_detectors()) {
        custom.Add(d.id);
        custom.Add(d.pattern);
        for (const std::string& w : d.context) custom.Add(w);
        custom.Add(d.validate);
      }
    }
    Fnv limits;
    limits.Add(extract::FormatLimits(options.limits));
    keys.searched = keys.identified + ";x" + std::to_string(kExtractionVersion) + ";d" +
                    std::to_string(detect::Engine::kVersion) + ";c" + custom.Hex() + ";l" +
                    limits.Hex() + ";k" + key_id;
  }
  keys.is_searched = [](const Item& item) { return extract::IsSearchable(item); };
  return keys;
}

bool Active(inventory::FindingStatus s) { return inventory::IsActive(s); }

class InventoryStore;

class InventoryRecorder : public RunRecorder {
 public:
  InventoryRecorder(InventoryStore& owner, std::unique_lock<std::mutex> lock,
                    std::unique_ptr<inventory::Store> store,
                    const std::vector<std::string>* own_files)
      : owner_(owner), lock_(std::move(lock)), store_(std::move(store)), own_files_(own_files) {}
  ~InventoryRecorder() override {
    // Readers and the writer thread go before the store they use.
    recorder_.reset();
    reuser_.reset();
    store_.reset();
  }

  Status Start(const RunInfo& run, scan::ScanOptions& options,
               const std::shared_ptr<const policies::PolicySet>& policies,
               const std::string& state_dir);
  void Emit(Item&& item) override {
    // The inventory's own files (database, WAL, key) are never recorded: a root that
    // holds the state directory would otherwise find them changed on every run.
    if (std::find(own_files_->begin(), own_files_->end(), item.path) == own_files_->end()) {
      recorder_->Add(item);
    }
  }
  Status Finish(const scan::ScanStats& stats, bool complete) override;

 private:
  InventoryStore& owner_;
  std::unique_lock<std::mutex> lock_;  // one run writes at a time
  std::unique_ptr<inventory::Store> store_;
  std::unique_ptr<inventory::Reuser> reuser_;
  std::unique_ptr<inventory::Recorder> recorder_;
  const std::vector<std::string>* own_files_;  // owned by the store
};

// `path` with its folder resolved (symbolic links, "..").
std::string Absolute(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string folder =
      slash == std::string::npos ? "." : path.substr(0, std::max<size_t>(slash, 1));
  char* resolved = ::realpath(folder.c_str(), nullptr);
  if (resolved == nullptr) return path;
  std::string out = resolved;
  std::free(resolved);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return out + (out == "/" ? "" : "/") + base;
}

class InventoryStore : public ResultStore {
 public:
  InventoryStore(std::string db_path, std::string state_dir,
                 std::unique_ptr<inventory::Store> reader)
      : db_path_(std::move(db_path)), state_dir_(std::move(state_dir)), reader_(std::move(reader)) {
    const std::string db = Absolute(db_path_);
    own_files_ = {db, db + "-wal", db + "-shm", db + "-journal",
                  Absolute(state_dir_ + "/" + inventory::kKeyFileName)};
  }

  Result<std::unique_ptr<RunRecorder>> BeginRun(
      const RunInfo& run, scan::ScanOptions& options,
      const std::shared_ptr<const policies::PolicySet>& policies) override {
    std::unique_lock<std::mutex> lock(write_mu_);
    auto store = inventory::OpenSqliteStore(db_path_);
    if (!store.ok()) return Status(store.status().code(), "inventory: " + store.status().message());
    auto rec = std::make_unique<InventoryRecorder>(*this, std::move(lock), std::move(store.value()),
                                                   &own_files_);
    if (Status s = rec->Start(run, options, policies, state_dir_); !s.ok()) return s;
    return std::unique_ptr<RunRecorder>(std::move(rec));
  }

  InventoryFigures Figures() const override {
    std::lock_guard lock(read_mu_);
    const auto now = std::chrono::steady_clock::now();
    if (cached_ && now - cached_at_ < std::chrono::duration<double>(kFiguresMaxAge))
      return *cached_;
    InventoryFigures f;
    f.store = "sqlite:" + db_path_;
    if (auto totals = reader_->Totals(); totals.ok()) {
      f.items = totals->items;
      f.bytes = totals->bytes;
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
    std::lock_guard lock(read_mu_);
    inventory::FindingQuery q;
    q.statuses = {inventory::FindingStatus::kNew, inventory::FindingStatus::kOpen,
                  inventory::FindingStatus::kAcknowledged};
    if (!query.policy.empty()) q.policies = {query.policy};
    auto found = reader_->ListFindings(q);
    if (!found.ok()) return found.status();
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

  void Invalidate() {
    std::lock_guard lock(read_mu_);
    cached_.reset();
  }

 private:
  const std::string db_path_;
  const std::string state_dir_;
  std::vector<std::string> own_files_;
  std::mutex write_mu_;
  mutable std::mutex read_mu_;
  std::unique_ptr<inventory::Store> reader_;  // guarded by read_mu_
  mutable std::optional<InventoryFigures> cached_;
  mutable std::chrono::steady_clock::time_point cached_at_;
};

Status InventoryRecorder::Start(const RunInfo& run, scan::ScanOptions& options,
                                const std::shared_ptr<const policies::PolicySet>& policies,
                                const std::string& state_dir) {
  if (Status s = store_->LockForScan(); !s.ok()) return Status::Io("inventory: " + s.message());
  std::string key_id;
  if (options.detectors) {
    auto key = inventory::LoadOrCreateKey(state_dir);
    if (!key.ok()) return Status::Io("inventory key: " + key.status().message());
    options.hmac_key = key.value();
    key_id = inventory::KeyId(key.value());
  }
  std::vector<inventory::PolicyRecord> records;
  if (policies) {
    for (const policies::PolicyInfo& p : policies->policies()) {
      records.push_back({p.id, p.description, p.references, p.severity});
    }
  }
  auto scan_id = store_->BeginScan(options.roots, run.started, records, key_id);
  if (!scan_id.ok()) return Status::Io("inventory: " + scan_id.status().message());
  inventory::ContentKeys keys = KeysFor(options, policies, key_id);
  reuser_ = std::make_unique<inventory::Reuser>(*store_, keys);
  inventory::Reuser* reuser = reuser_.get();
  options.reuse = [reuser](Item& item) { return reuser->TryReuse(item); };
  inventory::RecorderOptions ro;
  ro.now = run.started;
  ro.started_wall = NowUnix();
  ro.keys = std::move(keys);
  ro.content_searched = options.detectors != nullptr;
  recorder_ = std::make_unique<inventory::Recorder>(*store_, scan_id.value(), std::move(ro));
  return Status::Ok();
}

Status InventoryRecorder::Finish(const scan::ScanStats& stats, bool complete) {
  inventory::ScanTotals totals;
  totals.items = stats.items;
  totals.read = stats.items_read;
  totals.reused = stats.items_reused;
  for (const auto& [reason, n] : stats.skipped_by_reason) totals.skipped += n;
  totals.violations = stats.violations;
  const inventory::ScanState end = complete          ? inventory::ScanState::kComplete
                                   : stats.cancelled ? inventory::ScanState::kInterrupted
                                                     : inventory::ScanState::kFailed;
  reuser_.reset();  // its readers close before the final checkpoint
  Status s = recorder_->Finish(end, totals);
  recorder_.reset();
  store_.reset();
  owner_.Invalidate();
  lock_.unlock();
  return s;
}

}  // namespace

Result<std::unique_ptr<ResultStore>> OpenInventoryStore(const std::string& db_path,
                                                        const std::string& state_dir) {
  auto reader = inventory::OpenSqliteStore(db_path);
  if (!reader.ok()) {
    return Status(reader.status().code(), "inventory: " + reader.status().message());
  }
  return std::unique_ptr<ResultStore>(
      std::make_unique<InventoryStore>(db_path, state_dir, std::move(reader.value())));
}

}  // namespace custos::service
