// The SQLite inventory: one file in WAL mode, one writing connection, one read-only
// connection per reader thread (sqlite_reader.h). Its files by role: sqlite_store.cc
// opens the file and keeps the writer's statements; sqlite_scan.cc writes a scan,
// sqlite_scan_folders.cc holds the folders the scan's writer works on; sqlite_review.cc
// makes reviewers' decisions; sqlite_report.cc reads for reports; sqlite_findings.cc
// writes what the findings lifecycle (lifecycle.h) plans. None decides a finding's life.
//
// Hot path of an incremental scan (an unchanged tree): a reader loads each folder
// once, records, detections and findings, as one value of the folder_cache table
// (folder_blob.h) or, when the folder has none, from its rows, usually as one range of
// the items table and one of the findings index (a folder's files are recorded
// together). The folder goes with the items to the writer, which starts from it unless
// this scan wrote to the folder since, writes nothing for an unchanged item without
// finding changes, and writes the folder as its folder_cache row for the next scan when
// the folder had none or the scan changed it. The cost per unchanged item is a few
// lookups in memory. Which items a scan reached is kept in memory (a bitmap of item
// ids) and used when a complete scan ends, to find the items that are gone.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "custos/base/fd.h"
#include "custos/base/host.h"
#include "custos/inventory/lifecycle.h"
#include "custos/inventory/store.h"
#include "sqlite.h"
#include "sqlite_findings.h"
#include "sqlite_reader.h"

namespace custos::inventory {

struct SqlArg;  // a value bound to a query (sqlite_report.cc)

// The store on one file: its writing connection, and what the running scan's writer
// keeps in memory (the folders it works on, the items it reached).
class SqliteStore : public Store {
 public:
  SqliteStore(std::string path, sql::Db db, const OpenOptions& options);
  ~SqliteStore() override;
  // The server this inventory is of (OpenOptions::node; empty: the host name).
  std::string Node() const { return options_.node.empty() ? HostName() : options_.node; }

  // ScanWriter (sqlite_scan.cc).
  Status LockForScan() override;
  Result<int64_t> BeginScan(const std::vector<std::string>& roots, int64_t now,
                            const std::vector<PolicyRecord>& policies,
                            std::string_view key_id) override;
  Status RecordItems(int64_t scan_id, const std::vector<ItemRecord>& items, int64_t now,
                     const ExistsFn& exists) override;
  void MarkReached(const std::vector<ReachedItems>& reached) override;
  Status FinishScan(int64_t scan_id, ScanState end, ScanTotals totals, int64_t now,
                    const ExistsFn& exists) override;
  Result<std::unique_ptr<ItemReader>> OpenReader() override;

  // FindingReviewer, and ExpireExceptions (sqlite_review.cc).
  Status Review(int64_t finding_id, const lifecycle::ReviewAction& action, int64_t now) override;
  Result<uint64_t> ExpireExceptions(int64_t now) override;

  // ReportReader (sqlite_report.cc).
  Result<std::vector<Finding>> ListFindings(const FindingQuery& q) override;
  Result<FindingPage> ListFindingsPage(const FindingQuery& q, uint64_t offset,
                                       uint64_t limit) override;
  Result<std::vector<FindingEvent>> History(int64_t finding_id) override;
  Result<std::vector<FindingEvent>> Events(int64_t since) override;
  Result<std::vector<PolicyRecord>> Policies() override;
  Result<std::vector<ScanRecord>> Scans(int64_t since) override;
  Result<std::optional<ScanRecord>> LastCompleteScan() override;
  Result<InventoryTotals> Totals() override;
  Result<std::vector<CoverageRow>> Coverage(size_t examples_per_row) override;

  // sqlite_store.cc.
  Status CheckIntegrity() override;
  // The file read whole (sqlite_copy.cc).
  Result<std::unique_ptr<InventoryExport>> Export() override;

 private:
  friend class SqliteExport;
  using WFinding = StoredFinding;
  struct WItem {
    int64_t id = 0;
    FileInfo info;
    int64_t deleted_at = 0;
    std::vector<WFinding> findings;
    // The findings as a reader of this scan loaded them (its folder is held by the
    // WFolder), while none of them changed: copied into `findings` on the first change.
    const std::vector<StoredFinding>* loaded_findings = nullptr;

    const std::vector<WFinding>& View() const {
      return loaded_findings != nullptr ? *loaded_findings : findings;
    }
    std::vector<WFinding>& Mutable() {
      if (loaded_findings != nullptr) {
        findings = *loaded_findings;
        loaded_findings = nullptr;
      }
      return findings;
    }
  };
  struct GoneCandidate {
    int64_t id;
    std::string path;
    uint64_t dev, ino;
  };
  struct WFolder {
    std::string path;
    int64_t dir_id = 0;
    bool batched = true;
    // The items of the folder the writer has looked at; the others are in `loaded`, a
    // copy of the folder (a reader's, or the writer's own read), as the file has them.
    std::unordered_map<std::string, WItem> items;
    std::shared_ptr<const StoredFolder> loaded;  // what the items' loaded_findings point into

    bool whole = false;  // `items` holds every item: `loaded` is not looked at any more

    // The item `name`, taken from `loaded` on first use; null when there is none.
    WItem* Find(std::string_view name) {
      auto it = items.find(std::string(name));
      if (it != items.end()) return &it->second;
      if (loaded == nullptr || whole) return nullptr;
      const StoredItem* s = loaded->Get(name);
      if (s == nullptr) return nullptr;
      WItem& w = items[std::string(name)];
      w.id = s->id;
      w.info = s->item.info;
      w.deleted_at = s->deleted_at;
      if (!s->findings.empty()) w.loaded_findings = &s->findings;
      return &w;
    }
    // Takes every item of `loaded` into `items`, so that items can be taken out.
    void TakeAll() {
      if (loaded == nullptr || whole) return;
      for (const StoredItem& s : loaded->items) Find(s.name);
      whole = true;
    }
    // For the folder_cache row (WriteFolderCache), while `loaded` and the items' findings
    // are what the file holds: no record of the folder written since it was loaded.
    bool records_written = false;
    bool cache_due = false;  // the folder has no row, or this scan changed its findings
  };
  // The items under a complete scan's roots that it did not reach: gone, or still there
  // (an exclude, a depth limit, another file system).
  struct Unreached {
    std::vector<GoneCandidate> gone, kept;
  };
  static constexpr size_t kWriterFolders = 4;  // folders the writer keeps in memory

  // Statements, ids and findings of the writing connection (sqlite_store.cc).
  Result<sql::Stmt*> Get(const char* sql);
  Result<int64_t> DirId(std::string_view dir);
  Result<int64_t> ContentKeyId(const std::string& key);
  Result<std::vector<WFinding>> LoadFindings(int64_t item_id);
  Result<std::vector<WFinding>> SelectFindings(const char* sql, int64_t param);
  static void ReadWItem(const sql::Stmt& q, WItem* w);
  Result<SqliteReader*> Rows();
  Result<int64_t> DataVersion();
  Status ApplyPlan(const lifecycle::Plan& plan, int64_t item_id, std::vector<WFinding>& findings,
                   const lifecycle::Place& place);

  // A scan's writes (sqlite_scan.cc).
  Status WriteItem(const char* sql, int64_t scan_id, const ItemRecord& rec, int64_t now,
                   int64_t dir_id, std::string_view name, int64_t id);
  Status WriteDetections(int64_t item_id, const Item& it, bool replace);
  Result<std::optional<WItem>> FollowMove(int64_t scan_id, const Item& it, WFolder& folder,
                                          std::string_view name, int64_t now,
                                          const ExistsFn& exists);
  Status RecordOne(int64_t scan_id, const ItemRecord& rec, int64_t now, const ExistsFn& exists);
  Status RecordIn(int64_t scan_id, const ItemRecord& rec, WFolder& f, std::string_view name,
                  int64_t now, const ExistsFn& exists);
  Status Reconcile(int64_t scan_id, WItem& w, std::string_view dir, std::string_view name,
                   const std::vector<Violation>& violations, ItemState state, int64_t now);
  Result<Unreached> GoneItems(int64_t scan_id, const ExistsFn& exists);
  // Drops what the writer keeps in memory about the running scan (it begins or ended).
  void ForgetScan();

  // The folders the scan's writer holds, and the items it reached (sqlite_scan_folders.cc).
  void DropCaches();
  void Evict(const WFolder& f);
  void ClearFolders();
  void AddGoneCandidates(const StoredFolder& f);
  void MarkSeen(int64_t id) {
    const auto i = static_cast<size_t>(id);
    if (i >= seen_.size()) seen_.resize(std::max(i + 1, seen_.size() * 2), false);
    seen_[i] = true;
  }
  bool Seen(int64_t id) const {
    const auto i = static_cast<size_t>(id);
    return i < seen_.size() && seen_[i];
  }
  Result<WFolder*> GetWFolder(std::string_view dir, std::shared_ptr<const StoredFolder> loaded);
  Status WriteFolderCache(WFolder& f);
  Status WriteHeldFolders();
  Status CheckCopiesCurrent();
  Result<WItem*> LoadOne(WFolder& f, std::string_view name);

  // Reviews and expiry (sqlite_review.cc).
  Result<uint64_t> ExpireLocked(int64_t now, int64_t scan_id);

  // Reports (sqlite_report.cc).
  Result<std::vector<FindingEvent>> EventsWithOpenings(const char* sql, int64_t arg,
                                                       int64_t finding, int64_t since);
  Result<std::vector<FindingEvent>> QueryEvents(const char* sql, int64_t arg);
  Result<std::vector<ScanRecord>> QueryScans(const std::string& where, int64_t arg);
  // The findings of `where_order` with `args` as the scans show them (sqlite_report.cc).
  Status QueryFindings(const FindingQuery& q, const std::string& where_order,
                       const std::vector<SqlArg>& args, std::vector<Finding>* out);

  const std::string path_;
  sql::Db db_;
  const OpenOptions options_;
  SqliteFindingWriter finding_writer_;  // the findings lifecycle's writes
  UniqueFd lock_fd_;
  std::unordered_map<const char*, sql::Stmt> stmts_;  // keyed by the SQL literal's address
  std::unordered_map<std::string, int64_t> key_ids_;
  std::vector<bool> seen_;      // item ids reached by the running scan
  std::list<WFolder> folders_;  // writer cache, most recently used first
  // Folders of items noted by MarkReached, most recent last.
  std::deque<std::shared_ptr<const StoredFolder>> reached_folders_;
  // Items of folders that left the cache before the scan reached them.
  std::vector<GoneCandidate> gone_candidates_;
  std::unordered_set<int64_t> visited_dirs_;    // folders the writer loaded
  std::unordered_set<int64_t> unbatched_dirs_;  // ... too large to keep in memory
  std::unordered_set<int64_t> written_dirs_;    // folders the running scan wrote to
  std::unordered_set<int64_t> cached_dirs_;     // ... whose folder_cache row it wrote
  std::unique_ptr<SqliteReader> rows_;          // reads folders inside write transactions
  // Whether the folder copies taken since the running scan began (its readers', the
  // writer's own) are still what the file holds, as far as other connections go: none
  // has committed since (data_version_), and no finding changed under the writer.
  bool copies_current_ = false;
  int64_t data_version_ = 0;  // PRAGMA data_version when the running scan began
  // The complete scans that saw findings without writing them (loaded by BeginScan and
  // by reviews, in their transactions).
  Sightings sightings_;
};

}  // namespace custos::inventory
