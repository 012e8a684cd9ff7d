#include "custos/inventory/scan_session.h"

#include <stdlib.h>

#include <algorithm>

#include "custos/base/path.h"
#include "custos/base/time.h"
#include "custos/inventory/content_keys.h"
#include "custos/inventory/key.h"

namespace custos::inventory {
namespace {

// `path` with its folder resolved (symbolic links, ".."); `path` itself when that fails.
std::string Absolute(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  char* resolved = ::realpath(FolderOf(path).c_str(), nullptr);
  if (resolved == nullptr) return path;
  std::string out = resolved;
  std::free(resolved);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return out + (out == "/" ? "" : "/") + base;
}

}  // namespace

Result<std::unique_ptr<ScanSession>> ScanSession::Begin(
    ScanWriter& store, const std::string& db_path, const std::string& state_dir,
    scan::ScanOptions& options, const std::shared_ptr<const policies::PolicySet>& policies,
    int64_t now) {
  if (Status s = store.LockForScan(); !s.ok()) {
    return Status(s.code(), "inventory: " + s.message());
  }
  std::unique_ptr<ScanSession> session(new ScanSession);
  std::string key_id;
  if (options.detectors) {
    auto key = LoadOrCreateKey(state_dir);
    if (!key.ok()) return Status(key.status().code(), "inventory key: " + key.status().message());
    options.hmac_key = key.value();
    key_id = KeyId(key.value());
  }
  std::vector<PolicyRecord> records;
  if (policies) {
    for (const policies::PolicyInfo& p : policies->policies()) {
      records.push_back({p.id, p.description, p.references, std::string(SeverityName(p.severity))});
    }
  }
  auto scan_id = store.BeginScan(options.roots, now, records, key_id);
  if (!scan_id.ok()) {
    return Status(scan_id.status().code(), "inventory: " + scan_id.status().message());
  }
  ContentKeys keys = KeysForScan(options, policies, key_id);
  session->reuser_ = std::make_unique<Reuser>(store, keys);
  Reuser* reuser = session->reuser_.get();
  options.reuse = [reuser](Item& item) { return reuser->TryReuse(item); };
  RecorderOptions ro;
  ro.now = now;
  ro.started_wall = NowUnix();
  ro.keys = std::move(keys);
  ro.content_searched = options.detectors != nullptr;
  session->recorder_ = std::make_unique<Recorder>(store, scan_id.value(), std::move(ro));
  session->own_files_ = {Absolute(state_dir + "/" + kKeyFileName)};
  if (!db_path.empty()) {  // an inventory file (not a database server)
    const std::string db = Absolute(db_path);
    session->own_files_.insert(session->own_files_.end(),
                               {db, db + "-wal", db + "-shm", db + "-journal"});
  }
  return session;
}

ScanSession::~ScanSession() {
  // The writer thread and the readers go before the store they use.
  recorder_.reset();
  reuser_.reset();
}

void ScanSession::Add(Item&& item) {
  if (std::find(own_files_.begin(), own_files_.end(), item.path) == own_files_.end()) {
    recorder_->Add(std::move(item));
  }
}

Status ScanSession::status() const {
  if (!recorder_->failed()) return Status::Ok();
  Status s = recorder_->status();
  return Status(s.code(), "inventory: " + s.message());
}

Status ScanSession::Finish(ScanState end, const scan::ScanStats& stats) {
  ScanTotals totals;
  totals.items = stats.items;
  totals.read = stats.items_read;
  totals.reused = stats.items_reused;
  for (const auto& [reason, n] : stats.skipped_by_reason) totals.skipped += n;
  totals.violations = stats.violations;
  totals.excluded = stats.walk.excluded;
  totals.links_not_followed = stats.walk.symlinks;
  totals.other_filesystems = stats.walk.other_filesystems;
  reuser_.reset();  // its readers close before the final checkpoint
  Status s = recorder_->Finish(end, totals);
  if (!s.ok()) return Status(s.code(), "inventory: " + s.message());
  return s;
}

}  // namespace custos::inventory
