// The records of the inventory, as every store keeps them and every caller sees them:
// items, findings and their events, scans, policies, and the figures reports show.
// Plain values; the interfaces that read and write them are in store.h, the rules of a
// finding's life in lifecycle.h.
//
// No raw sensitive value is ever in a record: items carry masked samples and keyed
// hashes only (see custos/base/item.h).
//
// Times are Unix seconds, UTC.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custos/base/item.h"

namespace custos::inventory {

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
// (ExceptionExpired and every other rule of a finding's life: lifecycle.h.)

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
  // What the walk left out on purpose (counts only, no paths): entries pruned by an
  // exclude glob, symbolic links seen and not followed, mount points not entered.
  uint64_t excluded = 0;
  uint64_t links_not_followed = 0;
  uint64_t other_filesystems = 0;
};

struct ScanRecord {
  int64_t id = 0;
  std::string node;      // the server that scanned (a fleet inventory); empty: SQLite's one
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
  // The server whose file it is (a fleet inventory: the same path on two nodes is two
  // items); empty in an SQLite inventory, which is one server's.
  std::string node;
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

// Who made a decision: a person by login name and uid, or the system (a scan, an
// exception running out) when the name is empty and the uid -1.
struct Actor {
  std::string name;
  int64_t uid = -1;
  bool IsSystem() const { return name.empty() && uid < 0; }
};

// One change of a finding's status (or a note on it).
struct FindingEvent {
  int64_t finding_id = 0;
  int64_t at = 0;
  int64_t scan_id = 0;                // 0 when a reviewer made the change
  std::optional<FindingStatus> from;  // none when the finding was created
  FindingStatus to = FindingStatus::kNew;
  std::string note;
  Actor by;  // the person who decided; the system for a scan's change or an expiry
};

struct FindingQuery {
  std::vector<FindingStatus> statuses;  // empty: any
  std::vector<std::string> policies;    // empty: any
  // When set: findings first seen, or whose status changed, at or after this time.
  std::optional<int64_t> since;
  std::optional<int64_t> id;
  // Only findings of these nodes (empty: any). An SQLite inventory is one node's: its
  // findings match when its node (OpenOptions::node) is among them.
  std::vector<std::string> nodes;
  std::vector<std::string> severities;  // empty: any
  // When set: findings first seen at or before this time (older ones).
  std::optional<int64_t> first_seen_until;
  // Only findings of files at or below one of these absolute paths (empty: any).
  std::vector<std::string> roots;
  bool with_detections = false;  // fill Finding::detections (masked samples)
};

// One page of the findings of a query (ReportReader::ListFindingsPage).
struct FindingPage {
  std::vector<Finding> findings;
  uint64_t total = 0;  // how many match the query, on all pages
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

// Whether `path` still names the file (dev, ino). Used to tell a moved file from a
// hard link, and a deleted file from one left out by an exclude.
using ExistsFn = std::function<bool(const std::string& path, uint64_t dev, uint64_t ino)>;
// The default ExistsFn: lstat.
bool PathStillNames(const std::string& path, uint64_t dev, uint64_t ino);

}  // namespace custos::inventory
