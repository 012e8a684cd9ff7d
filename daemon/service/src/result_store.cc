#include "custos/service/result_store.h"

#include <algorithm>

#include "custos/base/mutex.h"

namespace custos::service {
namespace {

struct RootFigures {
  uint64_t items = 0;
  uint64_t bytes = 0;
  std::map<std::pair<std::string, std::string>, uint64_t> findings;
};

class MemoryStore : public ResultStore {
 public:
  Result<std::unique_ptr<RunRecorder>> BeginRun(
      const RunInfo& run, scan::ScanOptions& options,
      const std::shared_ptr<const policies::PolicySet>& policies) override;
  InventoryFigures Figures() const override {
    MutexLock lock(mu_);
    InventoryFigures f;
    f.store = "memory";
    for (const auto& [name, r] : roots_) {
      f.items += r.items;
      f.bytes += r.bytes;
      for (const auto& [key, n] : r.findings) {
        f.findings_by_policy[key] += n;
        f.findings += n;
      }
    }
    return f;
  }
  void RetainRoots(const std::vector<std::string>& names) override {
    MutexLock lock(mu_);
    for (auto it = roots_.begin(); it != roots_.end();) {
      if (std::find(names.begin(), names.end(), it->first) == names.end()) {
        it = roots_.erase(it);
      } else {
        ++it;
      }
    }
  }
  void Commit(const std::string& root, RootFigures figures) {
    MutexLock lock(mu_);
    roots_[root] = std::move(figures);
  }

 private:
  mutable Mutex mu_;
  std::map<std::string, RootFigures> roots_ GUARDED_BY(mu_);
};

class MemoryRecorder : public RunRecorder {
 public:
  MemoryRecorder(MemoryStore& store, std::string root) : store_(store), root_(std::move(root)) {}
  Status Emit(Item&& item) override {
    ++figures_.items;
    if (item.skipped.empty()) figures_.bytes += item.info.size;
    for (const Violation& v : item.violations) {
      ++figures_.findings[{v.policy, std::string(SeverityName(v.severity))}];
    }
    return Status::Ok();
  }
  Status Finish(const scan::ScanStats& stats, bool complete) override {
    (void)stats;
    if (complete) store_.Commit(root_, std::move(figures_));
    return Status::Ok();
  }

 private:
  MemoryStore& store_;
  std::string root_;
  RootFigures figures_;
};

Result<std::unique_ptr<RunRecorder>> MemoryStore::BeginRun(
    const RunInfo& run, scan::ScanOptions& options,
    const std::shared_ptr<const policies::PolicySet>& policies) {
  (void)options;
  (void)policies;
  return std::unique_ptr<RunRecorder>(std::make_unique<MemoryRecorder>(*this, run.root_name));
}

}  // namespace

std::unique_ptr<ResultStore> MakeMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace custos::service
