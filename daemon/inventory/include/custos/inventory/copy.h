// Moving a whole inventory into another store (`custos inventory copy`): a single
// server's SQLite inventory into the fleet's PostgreSQL database, under the server's
// node name. Everything a store keeps is copied as it is stored: scans, policies,
// folders and items with their detections (masked samples and keyed hashes only),
// findings with their decisions, exceptions and notes, and every event of their history
// with who made it. Ids are numbered anew by the destination (it may hold other nodes).
//
// A store reads itself whole (InventoryExport, one snapshot) or writes a node's
// inventory whole (InventoryImport, one transaction); CopyInventory() in between keeps
// the ids apart. No SQL here: each store speaks its own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "custos/base/status.h"
#include "custos/inventory/records.h"
#include "custos/inventory/store.h"

namespace custos::inventory {

// An item as stored, with what StoredItem leaves out.
struct CopiedItem {
  std::string dir;  // its folder (raw bytes); stored.name is its entry name
  // Ids are the source's; item.detections carry their keyed hashes; item.owner and
  // item.group are the stored names.
  StoredItem stored;
  int64_t first_seen = 0, last_read = 0, last_scan = 0;
};

// A finding as stored, with what StoredFinding leaves out.
struct CopiedFinding {
  int64_t item_id = 0;  // the source's
  StoredFinding finding;
  int64_t first_seen = 0, first_scan = 0, status_changed = 0, resolved_at = 0;
};

struct CopiedPolicy {
  PolicyRecord policy;
  int64_t updated = 0;
};

// What an inventory holds, counted.
struct InventoryCounts {
  uint64_t scans = 0, items = 0, findings = 0, events = 0;
  bool empty() const { return scans == 0 && items == 0 && findings == 0 && events == 0; }
};

// A store read whole, as of one moment (a read transaction held until it goes).
class InventoryExport {
 public:
  virtual ~InventoryExport() = default;
  virtual Result<InventoryCounts> Counts() = 0;
  // Oldest first.
  virtual Result<std::vector<ScanRecord>> Scans() = 0;
  virtual Result<std::vector<CopiedPolicy>> Policies() = 0;
  // The last scan that wrote every sighting down itself (0: none); later complete scans
  // confirm findings by covering their files (lifecycle.h, Sightings).
  virtual Result<int64_t> SightingsAfter() = 0;
  // Items, findings and events in id order, up to `batch` at a time; a batch is the
  // callee's to move from. Stops at the first error `take` returns.
  template <typename T>
  using Take = std::function<Status(std::vector<T>& batch)>;
  virtual Status Items(size_t batch, const Take<CopiedItem>& take) = 0;
  virtual Status Findings(size_t batch, const Take<CopiedFinding>& take) = 0;
  virtual Status Events(size_t batch, const Take<FindingEvent>& take) = 0;
};

// A node's inventory written whole, in one transaction that Commit() ends (dropped
// without it: nothing written). Every id handed in is the destination's, except in
// AddScan and AddItems (whose ids are only read back through their order).
class InventoryImport {
 public:
  virtual ~InventoryImport() = default;
  // The node written to, and what the destination holds of it already.
  virtual const std::string& node() const = 0;
  virtual Result<InventoryCounts> Existing() = 0;
  // Removes the node's scans, folders, items, their findings and events (for a copy
  // that replaces them).
  virtual Status RemoveNode() = 0;
  // The scan's new id.
  virtual Result<int64_t> AddScan(const ScanRecord& scan) = 0;
  // A policy already there stays, unless this one was updated later.
  virtual Status AddPolicies(const std::vector<CopiedPolicy>& policies) = 0;
  // The items' new ids, in order (their last_scan already the destination's).
  virtual Result<std::vector<int64_t>> AddItems(const std::vector<CopiedItem>& items) = 0;
  // The findings' new ids, in order.
  virtual Result<std::vector<int64_t>> AddFindings(const std::vector<CopiedFinding>& findings) = 0;
  virtual Status AddEvents(const std::vector<FindingEvent>& events) = 0;
  virtual Status Commit() = 0;
};

struct CopyOptions {
  // When the destination already holds the node's inventory: replace it (in the same
  // transaction) instead of refusing.
  bool replace = false;
  size_t batch = 1000;
  // Called after each batch: what was copied so far, of `total`.
  std::function<void(const InventoryCounts& done, const InventoryCounts& total)> progress;
};

struct CopySummary {
  InventoryCounts copied;
  std::string node;  // the node they were copied into
};

// Copies the inventory `from` holds into the node of `to` (both opened, e.g. by
// OpenStore; `to` with the node name in OpenOptions::node): takes the scan lock of both,
// reads `from` in one snapshot and writes `to` in one transaction. Refuses, writing
// nothing, when `to` already holds an inventory of that node (unless options.replace),
// or when a store cannot take part (kUnsupported).
Result<CopySummary> CopyInventory(Store& from, Store& to, const CopyOptions& options = {});

}  // namespace custos::inventory
