#include "scan_inventory.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>

#include <cstdio>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/inventory/content_keys.h"
#include "custos/inventory/key.h"

namespace custos::cli {
namespace {

std::string FolderOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

// The absolute form of `path` (its folder resolved); `path` itself when that fails.
std::string Absolute(const std::string& path) {
  const std::string folder = FolderOf(path);
  char resolved[PATH_MAX];
  if (::realpath(folder.c_str(), resolved) == nullptr) return path;
  const size_t slash = path.find_last_of('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return std::string(resolved) + (std::string_view(resolved) == "/" ? "" : "/") + base;
}

}  // namespace

class InventoryScan::RecordingSink : public scan::Sink {
 public:
  // `own_files`: the inventory's own files (database, WAL, key), never recorded: a scan
  // of the folder that holds them would otherwise find them changed every time.
  RecordingSink(inventory::Recorder& recorder, std::vector<std::string> own_files)
      : recorder_(recorder), own_files_(std::move(own_files)) {}
  void set_print(std::function<void(const Item&)> print) { print_ = std::move(print); }
  void Emit(Item&& item) override {
    if (print_) print_(item);
    if (std::find(own_files_.begin(), own_files_.end(), item.path) == own_files_.end()) {
      recorder_.Add(std::move(item));
    }
  }

 private:
  inventory::Recorder& recorder_;
  const std::vector<std::string> own_files_;
  std::function<void(const Item&)> print_;
};

InventoryScan::~InventoryScan() {
  // Readers and the writer thread go before the store they use.
  recorder_.reset();
  reuser_.reset();
  store_.reset();
}

std::unique_ptr<InventoryScan> InventoryScan::Start(
    const InventoryScanOptions& inv, scan::ScanOptions& options,
    const std::shared_ptr<const policies::PolicySet>& policies) {
  std::unique_ptr<InventoryScan> s(new InventoryScan);
  auto store = inventory::OpenSqliteStore(inv.db_path);
  if (!store.ok()) {
    PrintError("inventory: " + EscapeBytes(store.status().message(), true));
    return nullptr;
  }
  s->store_ = std::move(store.value());
  Status locked = s->store_->LockForScan();
  if (!locked.ok()) {
    PrintError("inventory: " + EscapeBytes(locked.message(), true));
    return nullptr;
  }
  std::string key_id;
  if (options.detectors) {
    auto key =
        inventory::LoadOrCreateKey(inv.state_dir.empty() ? FolderOf(inv.db_path) : inv.state_dir);
    if (!key.ok()) {
      PrintError("inventory key: " + EscapeBytes(key.status().message(), true));
      return nullptr;
    }
    options.hmac_key = key.value();
    key_id = inventory::KeyId(key.value());
  }
  std::vector<inventory::PolicyRecord> records;
  if (policies) {
    for (const policies::PolicyInfo& p : policies->policies()) {
      records.push_back({p.id, p.description, p.references, p.severity});
    }
  }
  auto scan_id = s->store_->BeginScan(options.roots, inv.now, records, key_id);
  if (!scan_id.ok()) {
    PrintError("inventory: " + EscapeBytes(scan_id.status().message(), true));
    return nullptr;
  }
  inventory::ContentKeys keys = inventory::KeysForScan(options, policies, key_id);
  s->reuser_ = std::make_unique<inventory::Reuser>(*s->store_, keys);
  inventory::Reuser* reuser = s->reuser_.get();
  options.reuse = [reuser](Item& item) { return reuser->TryReuse(item); };
  inventory::RecorderOptions ro;
  ro.now = inv.now;
  ro.started_wall = NowUnix();
  ro.keys = std::move(keys);
  ro.content_searched = options.detectors != nullptr;
  s->recorder_ = std::make_unique<inventory::Recorder>(*s->store_, scan_id.value(), std::move(ro));
  const std::string db = Absolute(inv.db_path);
  const std::string state_dir = inv.state_dir.empty() ? FolderOf(db) : Absolute(inv.state_dir);
  s->sink_ = std::make_unique<RecordingSink>(
      *s->recorder_, std::vector<std::string>{db, db + "-wal", db + "-shm", db + "-journal",
                                              state_dir + "/" + inventory::kKeyFileName});
  return s;
}

scan::Sink& InventoryScan::Wrap(std::function<void(const Item&)> print) {
  sink_->set_print(std::move(print));
  return *sink_;
}

bool InventoryScan::Finish(const Status& scan_status, const scan::ScanStats& stats) {
  inventory::ScanTotals totals;
  totals.items = stats.items;
  totals.read = stats.items_read;
  totals.reused = stats.items_reused;
  for (const auto& [reason, n] : stats.skipped_by_reason) totals.skipped += n;
  totals.violations = stats.violations;
  const inventory::ScanState end = !scan_status.ok() ? inventory::ScanState::kFailed
                                   : stats.cancelled ? inventory::ScanState::kInterrupted
                                                     : inventory::ScanState::kComplete;
  reuser_.reset();  // its readers close before the final checkpoint
  Status s = recorder_->Finish(end, totals);
  if (!s.ok()) {
    PrintError("inventory: " + EscapeBytes(s.message(), true));
    return false;
  }
  return true;
}

const std::atomic<bool>* InstallStopSignals() {
  struct sigaction sa = {};
  sa.sa_handler = OnStopSignal;
  sa.sa_flags = SA_RESETHAND;  // a second signal takes the default action
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return &g_stop;
}

}  // namespace custos::cli
