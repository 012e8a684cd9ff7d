// The inventory: what the scans saw, kept between scans, and the findings with their
// life (new, open, acknowledged, excepted, resolved).
//
// The interface comes in three roles: what a scan writes (ScanWriter), what a reviewer
// does (FindingReviewer) and what a report reads (ReportReader); Store is all three, as
// OpenSqliteStore() opens it (one file, WAL, one writer). A PostgreSQL store for fleets
// of servers can follow behind the same interfaces: every method is a unit of work,
// none exposes SQL, and the rules of a finding's life are not the store's but
// lifecycle.h's. The records they read and write are in records.h.
//
// No raw sensitive value ever reaches a store: items carry masked samples and keyed
// hashes only (see custos/base/item.h). The HMAC key itself is kept out of the
// inventory (custos/inventory/key.h).
//
// Times are Unix seconds, UTC. "now" arguments are the judgement time of the caller
// (a scan's --now, or the wall clock), so that tests and reports can move in time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"
#include "custos/inventory/lifecycle.h"
#include "custos/inventory/records.h"

namespace custos::inventory {

class InventoryExport;  // copy.h
class InventoryImport;

// A folder as an ItemReader loaded it: its items with their detections and findings.
// Read-only once loaded, so that the threads of a scan can share it, and the scan's
// writer can start from it instead of reading the folder again (it is handed along
// with the items as Item::reused_from).
struct StoredFolder : ReuseSource {
  std::string path;
  int64_t dir_id = 0;  // 0: the inventory has no such folder
  // False for a folder too large to hold in memory: `items` is empty, and its entries
  // are looked up one by one (ItemReader::FindOne).
  bool complete = true;
  // Decoded from the folder_cache row (one value) rather than loaded from its rows.
  bool from_cache = false;
  std::vector<StoredItem> items;
  std::vector<uint32_t> by_name;  // indexes into items, in entry name (byte) order

  // Sorts by_name; call once `items` is complete.
  void Index() {
    by_name.resize(items.size());
    for (uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
    std::sort(by_name.begin(), by_name.end(),
              [&](uint32_t a, uint32_t b) { return items[a].name < items[b].name; });
  }
  const StoredItem* Get(std::string_view name) const {
    auto it = std::lower_bound(by_name.begin(), by_name.end(), name,
                               [&](uint32_t i, std::string_view n) { return items[i].name < n; });
    return it != by_name.end() && items[*it].name == name ? &items[*it] : nullptr;
  }
};

// One item as a scan hands it to the store.
struct ItemRecord {
  Item item;  // judged: violations filled in
  // The detector/extraction versions the stored detections depend on; empty when the
  // record must not be reused by the next scan.
  std::string content_key;
  // The folder as a reader of this scan loaded it (Item::reused_from), if it did: the
  // store may take the folder's records from it instead of reading them again, as long
  // as this scan has not written to the folder since.
  std::shared_ptr<const StoredFolder> folder;
  // False when the item's content would be searched but was not (a scan without
  // content search): like a partly read item, it then resolves none of its
  // "forbidden" findings.
  bool content_judged = true;
};

// Items a scan reached that need nothing written: unchanged and reused, judged as
// their findings stand (JudgementStands); all of one folder as a reader of the scan
// loaded it.
struct ReachedItems {
  std::shared_ptr<const StoredFolder> folder;
  std::vector<int64_t> ids;  // StoredItem::id
};

// A reading handle for incremental scans, used by one thread at a time. Reads by
// folder, in one read transaction: the folder's summary row when it has one, otherwise
// one query each for its records, their detections and their findings. Errors (a
// locked or damaged file) are returned as such.
class ItemReader {
 public:
  virtual ~ItemReader() = default;
  // The folder `dir` (raw path bytes) as stored now. A folder of more than a few
  // thousand entries comes back without its items (complete false).
  virtual Result<std::shared_ptr<const StoredFolder>> LoadFolder(std::string_view dir) = 0;
  // The entry `name` of a folder LoadFolder returned incomplete, with its detections
  // (not its findings); null when there is none. Valid until the next call.
  virtual Result<const StoredItem*> FindOne(const StoredFolder& folder, std::string_view name) = 0;
};

// --- The roles. A caller takes the one it needs; a store implements all three.

// What a scan writes: one scan at a time per inventory, from one thread.
class ScanWriter {
 public:
  virtual ~ScanWriter() = default;

  // Takes the inventory's scan lock (one scan at a time per inventory; other
  // processes may still read and review). Fails at once when another scan holds it.
  virtual Status LockForScan() = 0;
  // Starts a scan: marks scans that never ended as interrupted, stores the policy
  // metadata and the id of the HMAC key in use (informational: content keys carry it,
  // so that a new key makes the next scan re-read what holds keyed hashes). Returns
  // the scan id.
  virtual Result<int64_t> BeginScan(const std::vector<std::string>& roots, int64_t now,
                                    const std::vector<PolicyRecord>& policies,
                                    std::string_view key_id) = 0;
  // Records a batch of judged items in one transaction: inserts or updates items and
  // their detections, follows moved files (same dev, ino, size and mtime at a new path
  // while the old path is gone), and moves findings along their life. An item that
  // was reused (item.reused) and is unchanged writes nothing but its findings.
  // `exists` tells whether an old path still holds the file (a hard link, not a move).
  virtual Status RecordItems(int64_t scan_id, const std::vector<ItemRecord>& items, int64_t now,
                             const ExistsFn& exists) = 0;
  // Notes items the scan reached that need nothing written (see ReachedItems), so
  // that the end of a complete scan does not take them for gone. Writes nothing.
  virtual void MarkReached(const std::vector<ReachedItems>& reached) = 0;
  // Ends a scan as `end` (complete, failed or interrupted). After a complete scan,
  // items under the scan's roots that it did not reach and that are gone (per
  // `exists`) are marked deleted and their findings resolved; any other end resolves
  // nothing. Expired exceptions reopen either way. Writes the totals (totals.deleted
  // is filled in here).
  virtual Status FinishScan(int64_t scan_id, ScanState end, ScanTotals totals, int64_t now,
                            const ExistsFn& exists) = 0;
  // A reader for incremental lookups; open one per thread. Sees committed data.
  virtual Result<std::unique_ptr<ItemReader>> OpenReader() = 0;
};

// What a reviewer does: a decision about one finding, each in a transaction of its own,
// while a scan may be running (lifecycle.h: a scan's change that a decision overtook).
// Each is recorded as made by `by` (FindingEvent::by).
class FindingReviewer {
 public:
  virtual ~FindingReviewer() = default;

  // A decision about finding `finding_id`, by `action.by`, in its own unit of work: the
  // rules are lifecycle::Review's; a store only reads the finding and applies the plan.
  // NotFound for an unknown id.
  virtual Status Review(int64_t finding_id, const lifecycle::ReviewAction& action, int64_t now) = 0;

  // new/open/excepted -> acknowledged; appends `note` (may be empty) to the notes.
  // InvalidArgument for a resolved finding.
  Status Acknowledge(int64_t finding_id, std::string_view note, int64_t now, const Actor& by) {
    return Review(finding_id,
                  {lifecycle::ReviewAction::Kind::kAcknowledge, std::string(note), {}, 0, by}, now);
  }
  // Active or excepted -> excepted with `reason` until the end of the day `until`
  // (00:00 UTC of that day), which must not be in the past.
  Status Except(int64_t finding_id, std::string_view reason, int64_t until, std::string_view note,
                int64_t now, const Actor& by) {
    return Review(
        finding_id,
        {lifecycle::ReviewAction::Kind::kExcept, std::string(note), std::string(reason), until, by},
        now);
  }
  // Appends a reviewer note without changing the status.
  Status AddNote(int64_t finding_id, std::string_view note, int64_t now, const Actor& by) {
    return Review(finding_id, {lifecycle::ReviewAction::Kind::kNote, std::string(note), {}, 0, by},
                  now);
  }
};

// What a report (or a listing of the findings) reads.
class ReportReader {
 public:
  virtual ~ReportReader() = default;

  // The one write of a reader: excepted findings whose exception has run out go back
  // to open (they do at the next scan, listing or report). Returns how many.
  virtual Result<uint64_t> ExpireExceptions(int64_t now) = 0;

  // Findings matching `query`, by id. Status, last_seen and status_changed are as the
  // scans show them: a complete scan that covered a finding's file and neither resolved
  // nor pinned it saw it again (README "Findings"), whether or not it wrote so.
  virtual Result<std::vector<Finding>> ListFindings(const FindingQuery& query) = 0;
  // One page of the findings matching `query` (shown as by ListFindings): most severe
  // first, then oldest (first seen) first, then by id; at most `limit` from the
  // `offset`-th on, and how many match in all. Filtered, sorted and cut in the store's
  // query, whatever the inventory's size.
  virtual Result<FindingPage> ListFindingsPage(const FindingQuery& query, uint64_t offset,
                                               uint64_t limit) = 0;
  // The history of one finding, oldest first, with its opening by a scan that saw it
  // again (written down or not).
  virtual Result<std::vector<FindingEvent>> History(int64_t finding_id) = 0;
  // All events at or after `since`, oldest first (openings as in History).
  virtual Result<std::vector<FindingEvent>> Events(int64_t since) = 0;
  virtual Result<std::vector<PolicyRecord>> Policies() = 0;
  // Scans started at or after `since`, oldest first.
  virtual Result<std::vector<ScanRecord>> Scans(int64_t since) = 0;
  // The latest scan that completed, if any.
  virtual Result<std::optional<ScanRecord>> LastCompleteScan() = 0;
  virtual Result<InventoryTotals> Totals() = 0;
  // Existing items that are skipped or partial, grouped by state and reason, largest
  // groups first.
  virtual Result<std::vector<CoverageRow>> Coverage(size_t examples_per_row) = 0;
};

// An opened inventory: all three roles, and the check of the file itself.
class Store : public ScanWriter, public FindingReviewer, public ReportReader {
 public:
  ~Store() override = default;

  // PRAGMA integrity_check and foreign key check; an error describes the damage.
  virtual Status CheckIntegrity() = 0;

  // The store read whole, or its node written whole, for CopyInventory (copy.h);
  // kUnsupported where the store cannot (copy.cc).
  virtual Result<std::unique_ptr<InventoryExport>> Export();
  virtual Result<std::unique_ptr<InventoryImport>> Import();
};

struct OpenOptions {
  bool create = true;  // create the file (mode 0600) and its folder (0700) if missing
  // synchronous=FULL instead of NORMAL: every commit survives a power cut. Review
  // decisions use it (a person's decision must not be lost); scans do not need it
  // (a lost tail of a scan is simply read again by the next one).
  bool durable = false;
  int busy_timeout_ms = 10000;
  // The name of this server in a fleet inventory (PostgreSQL): its folders, items and
  // scans are its own. Empty: the host name.
  std::string node = "";
};

// Opens (or creates) the SQLite inventory at `path` and migrates its schema forward.
// Fails with a message naming the path when the file is not an inventory, is newer
// than this program, or cannot be opened.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const OpenOptions& options = {});

// Opens the PostgreSQL inventory at `uri` (a libpq connection URI, postgresql://... or
// postgres://..., service files and ~/.pgpass honoured) and creates or migrates its
// schema, under a lock, when it is older than this program. Never prompts for a
// password; messages never hold one.
Result<std::unique_ptr<Store>> OpenPgStore(const std::string& uri, const OpenOptions& options = {});

// Whether `location` names a PostgreSQL inventory (postgresql:// or postgres://) rather
// than an SQLite file (a path, or sqlite:PATH).
bool IsPgLocation(std::string_view location);
// The SQLite file of `location` (a path, or sqlite:PATH); empty for PostgreSQL.
std::string SqlitePath(std::string_view location);
// Opens the inventory `location` names: PostgreSQL for postgresql:// and postgres://
// URIs, else the SQLite file of a path or sqlite:PATH.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location,
                                         const OpenOptions& options = {});
// `text` (a location, or a message quoting one) with every password taken out: the
// password of a URI's user information and any password parameter (password=...).
std::string RedactUri(std::string_view text);

// The schema version this program writes (SQLite).
int SchemaVersion();

}  // namespace custos::inventory
