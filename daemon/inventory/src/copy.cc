// CopyInventory (copy.h): the source read whole and written whole into the node of the
// destination, the ids of the source mapped to those the destination hands out.
#include "custos/inventory/copy.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace custos::inventory {

Result<std::unique_ptr<InventoryExport>> Store::Export() {
  return Status(StatusCode::kUnsupported, "this inventory cannot be copied from");
}

Result<std::unique_ptr<InventoryImport>> Store::Import() {
  return Status(StatusCode::kUnsupported,
                "an inventory is copied into a PostgreSQL database (postgresql://...), not into "
                "a file");
}

namespace {

std::string Counted(const InventoryCounts& c) {
  return std::to_string(c.scans) + " scans, " + std::to_string(c.items) + " items, " +
         std::to_string(c.findings) + " findings";
}

int64_t MapId(const std::unordered_map<int64_t, int64_t>& ids, int64_t id) {
  auto it = ids.find(id);
  return it == ids.end() ? 0 : it->second;
}

}  // namespace

Result<CopySummary> CopyInventory(Store& from, Store& to, const CopyOptions& options) {
  // Neither side scans meanwhile (the destination's node, that is: other nodes go on).
  Status s = from.LockForScan();
  if (s.ok()) s = to.LockForScan();
  if (!s.ok()) return s;
  auto in = from.Export();
  if (!in.ok()) return in.status();
  auto out = to.Import();
  if (!out.ok()) return out.status();
  InventoryExport& src = *in.value();
  InventoryImport& dst = *out.value();

  auto total = src.Counts();
  if (!total.ok()) return total.status();
  auto there = dst.Existing();
  if (!there.ok()) return there.status();
  if (!there->empty()) {
    if (!options.replace) {
      return Status::Invalid("the database already holds an inventory of node " + dst.node() +
                             " (" + Counted(there.value()) +
                             "): nothing copied. To replace it with this copy, add --replace; "
                             "to keep it, copy under another node name (--node)");
    }
    s = dst.RemoveNode();
    if (!s.ok()) return s;
  }

  InventoryCounts done;
  auto report = [&] {
    if (options.progress) options.progress(done, total.value());
  };
  auto policies = src.Policies();
  if (!policies.ok()) return policies.status();
  s = dst.AddPolicies(policies.value());
  if (!s.ok()) return s;

  auto scans = src.Scans();
  if (!scans.ok()) return scans.status();
  std::unordered_map<int64_t, int64_t> scan_ids, item_ids, finding_ids;
  std::map<int64_t, int64_t> scans_in_order;
  for (const ScanRecord& scan : scans.value()) {
    auto id = dst.AddScan(scan);
    if (!id.ok()) return id.status();
    scan_ids[scan.id] = id.value();
    scans_in_order[scan.id] = id.value();
    ++done.scans;
  }
  report();
  // The scans up to `after` wrote every sighting down (copy.h: SightingsAfter); the
  // destination counts all of a node's complete scans. A finding not moved along by
  // them is moved along from the last of them instead: the same sightings either way.
  auto after = src.SightingsAfter();
  if (!after.ok()) return after.status();
  int64_t mapped_after = 0;
  if (auto it = scans_in_order.upper_bound(after.value()); it != scans_in_order.begin()) {
    mapped_after = std::prev(it)->second;
  }

  s = src.Items(options.batch, [&](std::vector<CopiedItem>& batch) {
    for (CopiedItem& c : batch) c.last_scan = MapId(scan_ids, c.last_scan);
    auto ids = dst.AddItems(batch);
    if (!ids.ok()) return ids.status();
    for (size_t k = 0; k < batch.size(); ++k) item_ids[batch[k].stored.id] = ids.value()[k];
    done.items += batch.size();
    report();
    return Status::Ok();
  });
  if (!s.ok()) return s;

  s = src.Findings(options.batch, [&](std::vector<CopiedFinding>& batch) {
    for (CopiedFinding& c : batch) {
      c.item_id = MapId(item_ids, c.item_id);
      if (c.item_id == 0)
        return Status::Io("the source inventory is damaged: a finding's item is gone");
      c.first_scan = MapId(scan_ids, c.first_scan);
      StoredFinding& f = c.finding;
      f.last_scan = MapId(scan_ids, f.last_scan);
      if (!f.pinned && f.status != FindingStatus::kResolved) {
        f.last_scan = std::max(f.last_scan, mapped_after);
      }
    }
    auto ids = dst.AddFindings(batch);
    if (!ids.ok()) return ids.status();
    for (size_t k = 0; k < batch.size(); ++k) finding_ids[batch[k].finding.id] = ids.value()[k];
    done.findings += batch.size();
    report();
    return Status::Ok();
  });
  if (!s.ok()) return s;

  s = src.Events(options.batch, [&](std::vector<FindingEvent>& batch) {
    for (FindingEvent& e : batch) {
      e.finding_id = MapId(finding_ids, e.finding_id);
      if (e.finding_id == 0)
        return Status::Io("the source inventory is damaged: an event's finding is gone");
      e.scan_id = MapId(scan_ids, e.scan_id);
    }
    Status added = dst.AddEvents(batch);
    if (!added.ok()) return added;
    done.events += batch.size();
    report();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  s = dst.Commit();
  if (!s.ok()) return s;
  return CopySummary{done, dst.node()};
}

}  // namespace custos::inventory
