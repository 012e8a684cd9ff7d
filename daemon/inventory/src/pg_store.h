// The PostgreSQL inventory: one database for a fleet of servers, each a node with its
// own folders, items and scans (the same path on two nodes is two items); findings,
// events, policies and content keys are shared. Its files by role: pg_store.cc opens
// the database (schema in pg_schema.cc, created or migrated under an advisory lock) and
// holds the writer's batch; pg_scan.cc writes a scan; pg_reader.cc reads a folder for
// incremental scans; pg_report.cc reads for reports and makes reviewers' decisions.
// None decides a finding's life: that is lifecycle.h's, applied through the store's
// FindingWriter.
//
// Round trips, not rows, are what a remote database costs. A scan's batch is one
// transaction: the candidates for moved files of the whole batch are looked up in one
// query, item and finding ids are reserved from their sequences in blocks, and every
// write whose result is not needed (items, detections, new findings, events,
// confirmations) is queued and sent at once (multi-row statements over arrays, libpq's
// pipeline mode) before the commit or before anything is read. A folder is read in one
// round trip (pg_reader.cc).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "custos/inventory/lifecycle.h"
#include "custos/inventory/store.h"
#include "pg.h"

namespace custos::inventory {

// Creates or migrates the schema (pg_schema.cc), under a transaction-level advisory lock.
Status PgMigrate(const pg::Conn& conn);
// The complete scans of `node` (lifecycle.h: Sightings).
Result<Sightings> PgLoadSightings(const pg::Conn& conn, const std::string& node);

// Columns of an item as PgReadItem reads them (`i` items, `k` content_keys).
inline constexpr const char* kPgItemColumns =
    "i.id, i.name, i.dev, i.ino, i.size, i.mtime, i.ctime, i.mode, i.uid, i.gid, i.mime, "
    "i.category, i.content_date, i.content_key, i.state, i.reason, i.acl, i.ndet, "
    "i.deleted_at, k.key";
void PgReadItem(const pg::Res& r, int row, StoredItem* s);
// Columns of a finding as PgReadFinding reads them (`f` findings).
inline constexpr const char* kPgFindingColumns =
    "f.id, f.policy, f.kind, f.severity, f.reason, f.status, f.last_scan, f.exception_reason, "
    "f.exception_until, f.notes, f.last_seen, f.pinned";
inline constexpr int kPgFindingColumnCount = 12;
void PgReadFinding(const pg::Res& r, int row, int col, StoredFinding* f);
Detection PgReadDetection(const pg::Res& r, int row, int col, bool with_hashes);

// Reads folders of one node (ItemReader); on a connection of its own, or on the
// writer's inside its transaction (then it sees the writer's uncommitted writes).
class PgReader : public ItemReader {
 public:
  PgReader(pg::Conn conn, std::string node, bool own_transaction)
      : conn_(std::move(conn)), node_(std::move(node)), own_txn_(own_transaction) {}
  Result<std::shared_ptr<const StoredFolder>> LoadFolder(std::string_view dir) override;
  Result<const StoredItem*> FindOne(const StoredFolder& f, std::string_view name) override;
  // The item `name` of the folder `dir_id` with its detections and findings; null when
  // there is none. Valid until the next call.
  Result<const StoredItem*> LoadOne(int64_t dir_id, std::string_view name, bool with_findings);

 private:
  pg::Conn conn_;
  std::string node_;
  bool own_txn_;
  StoredItem single_;
};

class PgStore : public Store {
 public:
  PgStore(std::string uri, pg::Conn conn, std::string node);
  ~PgStore() override;

  // ScanWriter (pg_scan.cc).
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

  // FindingReviewer and ReportReader (pg_report.cc).
  Status Review(int64_t finding_id, const lifecycle::ReviewAction& action, int64_t now) override;
  Result<uint64_t> ExpireExceptions(int64_t now) override;
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

  Status CheckIntegrity() override;
  // A node's inventory written whole (pg_copy.cc).
  Result<std::unique_ptr<InventoryImport>> Import() override;

 private:
  friend class PgImport;
  struct WItem {
    int64_t id = 0;
    FileInfo info;
    int64_t deleted_at = 0;
    std::vector<StoredFinding> findings;
  };
  struct WFolder {
    std::string path;
    int64_t dir_id = 0;
    bool complete = true;  // false: too large, its items looked up one by one
    std::unordered_map<std::string, WItem> items;
    std::shared_ptr<const StoredFolder> loaded;  // items not looked at yet
    WItem* Find(std::string_view name);
  };
  struct MoveCandidate {
    int64_t id, dir_id, size, mtime, deleted_at;
    uint64_t dev, ino;
    std::string old_path;
  };
  // Writes queued until Flush (see the top of the file).
  struct Pending {
    std::vector<std::vector<std::string>> new_items, updated_items;  // array literal columns
    std::vector<std::string> det_deleted;                            // item ids
    std::vector<std::vector<std::string>> detections;                // columns
    std::vector<pg::Query> queued;
    bool empty() const {
      return new_items.empty() && updated_items.empty() && det_deleted.empty() && queued.empty();
    }
  };
  class Writer;  // lifecycle::FindingWriter over the queue (pg_scan.cc)

  // pg_store.cc.
  Status Flush();
  void DropCaches();
  Result<int64_t> NextId(const char* sequence, std::vector<int64_t>& pool);
  Result<int64_t> DirId(std::string_view dir);
  Result<int64_t> ContentKeyId(const std::string& key);
  Status ApplyPlan(const lifecycle::Plan& plan, int64_t item_id,
                   std::vector<StoredFinding>& findings, const lifecycle::Place& place);
  Result<std::unordered_map<int64_t, std::vector<StoredFinding>>> FindingsOf(
      const std::vector<int64_t>& items);
  Result<uint64_t> ExpireLocked(int64_t now, int64_t scan_id);

  // pg_scan.cc.
  Status LoadMoveCandidates(const std::vector<ItemRecord>& items);
  Result<WFolder*> GetWFolder(std::string_view dir, std::shared_ptr<const StoredFolder> loaded);
  Status RecordOne(int64_t scan_id, const ItemRecord& rec, int64_t now, const ExistsFn& exists);
  void QueueItem(bool insert, int64_t id, int64_t dir_id, std::string_view name,
                 const ItemRecord& rec, std::optional<int64_t> key, int64_t now, int64_t scan_id);
  Result<WItem*> FollowMove(int64_t scan_id, const Item& it, WFolder& f, std::string_view name,
                            int64_t now, const ExistsFn& exists);
  void MarkSeen(int64_t id) {
    const auto i = static_cast<size_t>(id);
    if (i >= seen_.size()) seen_.resize(std::max(i + 1, seen_.size() * 2), false);
    seen_[i] = true;
  }
  bool Seen(int64_t id) const {
    const auto i = static_cast<size_t>(id);
    return i < seen_.size() && seen_[i];
  }

  // pg_report.cc.
  Result<std::vector<FindingEvent>> EventsWithOpenings(const std::string& where, int64_t arg,
                                                       int64_t finding, int64_t since);
  Result<std::vector<ScanRecord>> QueryScans(const std::string& where, int64_t arg);
  Result<std::unordered_map<std::string, Sightings>> AllSightings();
  // The findings of `where_order` with `p` as the scans show them (pg_report.cc).
  Status QueryFindings(const FindingQuery& q, const std::string& where_order, const pg::Params& p,
                       std::vector<Finding>* out);

  const std::string uri_;
  pg::Conn conn_;
  const std::string node_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<PgReader> rows_;  // reads folders inside the writer's transactions
  bool locked_ = false;
  Sightings sightings_;
  Pending pending_;
  std::vector<int64_t> item_ids_, finding_ids_;  // reserved from the sequences
  std::unordered_map<std::string, int64_t> key_ids_, dir_ids_;
  std::vector<bool> seen_;
  std::list<WFolder> folders_;  // most recently used first
  std::unordered_set<int64_t> written_dirs_;
  std::unordered_map<uint64_t, std::vector<MoveCandidate>> candidates_;  // by inode
  static constexpr size_t kWriterFolders = 4;
};

}  // namespace custos::inventory
