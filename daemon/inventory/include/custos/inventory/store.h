// The inventory: what the scans saw, kept between scans, and the findings with their
// life (new, open, acknowledged, excepted, resolved).
//
// Store is the interface; OpenSqliteStore() gives the one implementation so far (one
// file, WAL, one writer). A PostgreSQL store for fleets of servers can follow behind
// the same interface: every method is a unit of work, none exposes SQL.
//
// No raw sensitive value ever reaches a Store: items carry masked samples and keyed
// hashes only (see custos/base/item.h). The HMAC key itself is kept out of the
// inventory (custos/inventory/key.h).
//
// Times are Unix seconds, UTC. "now" arguments are the judgement time of the caller
// (a scan's --now, or the wall clock), so that tests and reports can move in time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"

namespace custos::inventory {

// Where `custos` keeps its inventory when no --db is given.
inline constexpr const char* kDefaultDbPath = "/var/lib/custos/inventory.db";

// How far an item was looked at.
enum class ItemState {
  kComplete = 0,  // read and searched as far as it goes
  kPartial = 1,   // opened and identified, but a limit (or damage) stopped the search
  kSkipped = 2,   // not read at all (permission denied, vanished, special file, ...)
};
std::string_view ItemStateName(ItemState s);
// The state of a scanned item: an item with a skip reason that was nevertheless
// identified (it has a MIME type) is partial, otherwise skipped.
ItemState StateOf(const Item& item);

// The life of a finding. See README "Findings" for the transitions.
enum class FindingStatus { kNew, kOpen, kAcknowledged, kExcepted, kResolved };
std::string_view StatusName(FindingStatus s);
std::optional<FindingStatus> ParseStatus(std::string_view name);
// New, open and acknowledged findings still need somebody: they are "active".
bool IsActive(FindingStatus s);
// (ExceptionExpired and the other rules of a finding's life: custos/inventory/lifecycle.h.)

// What reports show about a policy; stored at scan time so that reports need no
// policy files.
struct PolicyRecord {
  std::string id;
  std::string description;
  std::vector<std::string> references;
  std::string severity;
};

enum class ScanState { kRunning, kComplete, kFailed, kInterrupted };
std::string_view ScanStateName(ScanState s);

// The figures of one scan, written when it ends.
struct ScanTotals {
  uint64_t items = 0;
  uint64_t read = 0;     // items whose content was opened and read
  uint64_t reused = 0;   // unchanged items taken from the inventory, not read
  uint64_t skipped = 0;  // items with a skip or partial reason
  uint64_t violations = 0;
  uint64_t deleted = 0;  // items found gone at the end of a complete scan
};

struct ScanRecord {
  int64_t id = 0;
  int64_t started = 0;   // wall clock
  int64_t now = 0;       // judgement time
  int64_t finished = 0;  // 0 while running or when it never ended
  ScanState state = ScanState::kRunning;
  std::vector<std::string> roots;
  ScanTotals totals;
};

// A finding as the inventory holds it, with what a scan needs to move it along.
struct StoredFinding {
  int64_t id = 0;
  std::string policy, kind, severity, reason;
  FindingStatus status = FindingStatus::kNew;
  // The scan that last wrote its sighting down (later complete scans that covered its
  // file saw it too unless it is pinned: lifecycle.h, Sightings). As stored: not moved along.
  int64_t last_scan = 0;
  std::string exception_reason;
  int64_t exception_until = 0;
  std::string notes;
  int64_t last_seen = 0;
  // Covered by a scan that could not confirm it: last_seen, last_scan and status are as
  // stored, not moved along by later scans that covered its file (see lifecycle.h, Sightings).
  bool pinned = false;
};

// An item as the inventory knows it.
struct StoredItem {
  int64_t id = 0;
  std::string name;  // the entry name in its folder (raw bytes)
  // has_info, info, mime, category, content_date, acl, detections (masked samples and
  // hashes), skipped. Not: path (the folder and the entry name give it), owner and
  // group (names of info.uid and info.gid), violations, legal_hold.
  Item item;
  ItemState state = ItemState::kComplete;
  std::string content_key;              // empty: never reused (changed during its scan, or skipped)
  int64_t content_key_id = 0;           // the inventory's number for content_key; 0: none
  int64_t deleted_at = 0;               // 0 while it exists
  std::vector<StoredFinding> findings;  // filled by ItemReader::LoadFolder only
};

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

struct Finding {
  int64_t id = 0;  // stable
  std::string policy;
  std::string kind;  // retention | access | location | encryption | forbidden
  std::string severity;
  // The breach as last written (Violation::kept_reason: a retention breach by its date
  // and limit, not by its age that grows every day).
  std::string reason;
  FindingStatus status = FindingStatus::kNew;
  int64_t item_id = 0;
  std::string path;  // raw bytes; escape for display
  bool item_deleted = false;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  int64_t status_changed = 0;
  int64_t resolved_at = 0;  // 0 unless resolved
  std::string notes;        // reviewer notes, one per line
  std::string exception_reason;
  int64_t exception_until = 0;  // 00:00 UTC of the last day the exception covers; 0: none
  // The item's detections: detector, count and masked samples only (never hashes).
  std::vector<Detection> detections;
};

// One change of a finding's status (or a note on it).
struct FindingEvent {
  int64_t finding_id = 0;
  int64_t at = 0;
  int64_t scan_id = 0;                // 0 when a reviewer made the change
  std::optional<FindingStatus> from;  // none when the finding was created
  FindingStatus to = FindingStatus::kNew;
  std::string note;
};

struct FindingQuery {
  std::vector<FindingStatus> statuses;  // empty: any
  std::vector<std::string> policies;    // empty: any
  // When set: findings first seen, or whose status changed, at or after this time.
  std::optional<int64_t> since;
  std::optional<int64_t> id;
  bool with_detections = false;  // fill Finding::detections (masked samples)
};

// Items not (fully) read, by state and reason.
struct CoverageRow {
  ItemState state = ItemState::kSkipped;
  std::string reason;
  uint64_t items = 0;
  uint64_t bytes = 0;
  std::vector<std::string> examples;  // raw paths, at most the number asked for
};

struct InventoryTotals {
  uint64_t items = 0;  // existing (not deleted) items
  uint64_t bytes = 0;
  uint64_t deleted = 0;
  uint64_t with_detections = 0;
  std::vector<std::pair<Category, uint64_t>> by_category;
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

// Whether `path` still names the file (dev, ino). Used to tell a moved file from a
// hard link, and a deleted file from one left out by an exclude.
using ExistsFn = std::function<bool(const std::string& path, uint64_t dev, uint64_t ino)>;
// The default ExistsFn: lstat.
bool PathStillNames(const std::string& path, uint64_t dev, uint64_t ino);

class Store {
 public:
  virtual ~Store() = default;

  // --- Scans. One scan at a time writes; call from one thread.

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

  // --- Review.

  // Findings matching `query`, by id. Status, last_seen and status_changed are as the
  // scans show them: a complete scan that covered a finding's file and neither resolved
  // nor pinned it saw it again (README "Findings"), whether or not it wrote so.
  virtual Result<std::vector<Finding>> ListFindings(const FindingQuery& query) = 0;
  // The history of one finding, oldest first, with its opening by a scan that saw it
  // again (written down or not).
  virtual Result<std::vector<FindingEvent>> History(int64_t finding_id) = 0;
  // All events at or after `since`, oldest first (openings as in History).
  virtual Result<std::vector<FindingEvent>> Events(int64_t since) = 0;
  // new/open/excepted -> acknowledged; appends `note` (may be empty) to the notes.
  // NotFound for an unknown id; InvalidArgument for a resolved finding.
  virtual Status Acknowledge(int64_t finding_id, std::string_view note, int64_t now) = 0;
  // Active or excepted -> excepted with `reason` until the end of the day `until`
  // (00:00 UTC of that day), which must not be in the past.
  virtual Status Except(int64_t finding_id, std::string_view reason, int64_t until,
                        std::string_view note, int64_t now) = 0;
  // Appends a reviewer note without changing the status.
  virtual Status AddNote(int64_t finding_id, std::string_view note, int64_t now) = 0;
  // Excepted findings whose exception has run out go back to open. Returns how many.
  virtual Result<uint64_t> ExpireExceptions(int64_t now) = 0;

  // --- Reports.

  virtual Result<std::vector<PolicyRecord>> Policies() = 0;
  // Scans started at or after `since`, oldest first.
  virtual Result<std::vector<ScanRecord>> Scans(int64_t since) = 0;
  // The latest scan that completed, if any.
  virtual Result<std::optional<ScanRecord>> LastCompleteScan() = 0;
  virtual Result<InventoryTotals> Totals() = 0;
  // Existing items that are skipped or partial, grouped by state and reason, largest
  // groups first.
  virtual Result<std::vector<CoverageRow>> Coverage(size_t examples_per_row) = 0;

  // PRAGMA integrity_check and foreign key check; an error describes the damage.
  virtual Status CheckIntegrity() = 0;
};

struct OpenOptions {
  bool create = true;  // create the file (mode 0600) and its folder (0700) if missing
  // synchronous=FULL instead of NORMAL: every commit survives a power cut. Review
  // decisions use it (a person's decision must not be lost); scans do not need it
  // (a lost tail of a scan is simply read again by the next one).
  bool durable = false;
  int busy_timeout_ms = 10000;
};

// Opens (or creates) the SQLite inventory at `path` and migrates its schema forward.
// Fails with a message naming the path when the file is not an inventory, is newer
// than this program, or cannot be opened.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const OpenOptions& options = {});

// The schema version this program writes.
int SchemaVersion();

}  // namespace custos::inventory
