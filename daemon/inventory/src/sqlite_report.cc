#include "sqlite_store.h"

#include <algorithm>
#include <unordered_map>

#include "codec.h"
#include "sightings.h"
#include "sqlite_rows.h"

namespace custos::inventory {

using sql::Db;
using sql::ReadTxn;
using sql::Stmt;
using sql::Txn;

Result<std::vector<Finding>> SqliteStore::ListFindings(const FindingQuery& q) {
  ReadTxn read(db_);
  Status begun = read.Begin();
  if (!begun.ok()) return begun;
  // One server's inventory: its findings are all of its node's.
  if (!q.nodes.empty() && std::find(q.nodes.begin(), q.nodes.end(), Node()) == q.nodes.end()) {
    return std::vector<Finding>();
  }
  auto sightings = LoadSightings(db_);
  if (!sightings.ok()) return sightings.status();
  // Status and `since` are those the scans show (lifecycle.h, Sightings): a finding stored as new
  // may show as open, opened since. The query takes those in too; they are sorted out
  // below.
  std::string sql =
      "SELECT f.id, f.policy, f.kind, f.severity, f.reason, f.status, f.item, d.path, i.name, "
      "i.deleted_at, f.first_seen, f.last_seen, f.status_changed, f.resolved_at, f.notes, "
      "f.exception_reason, f.exception_until, f.last_scan, f.pinned FROM findings f JOIN items "
      "i ON i.id = f.item JOIN dirs d ON d.id = i.dir WHERE 1";
  int n = 0;
  const std::vector<FindingStatus> stored_statuses = lifecycle::StoredStatuses(q.statuses);
  if (!stored_statuses.empty()) {
    sql += " AND f.status IN (";
    for (size_t k = 0; k < stored_statuses.size(); ++k) {
      sql += (k ? ", ?" : "?") + std::to_string(++n);
    }
    sql += ")";
  }
  if (!q.policies.empty()) {
    sql += " AND f.policy IN (";
    for (size_t k = 0; k < q.policies.size(); ++k) sql += (k ? ", ?" : "?") + std::to_string(++n);
    sql += ")";
  }
  if (q.since) {
    ++n;
    sql += " AND (f.first_seen >= ?" + std::to_string(n) + " OR f.status_changed >= ?" +
           std::to_string(n) + " OR f.status = 'new')";
  }
  if (q.id) sql += " AND f.id = ?" + std::to_string(++n);
  sql += " ORDER BY f.id";
  auto st = Stmt::Prepare(db_, sql);
  if (!st.ok()) return st.status();
  int b = 0;
  for (FindingStatus s : stored_statuses) st->Bind(++b, StatusName(s));
  for (const std::string& p : q.policies) st->Bind(++b, p);
  if (q.since) st->Bind(++b, *q.since);
  if (q.id) st->Bind(++b, *q.id);
  std::vector<Finding> out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Finding f;
    f.id = st->Int(0);
    f.policy = st->Text(1);
    f.kind = st->Text(2);
    f.severity = st->Text(3);
    f.reason = st->Text(4);
    f.status = StatusFromSql(st->View(5));
    f.item_id = st->Int(6);
    f.path = JoinPath(st->View(7), st->View(8));
    f.item_deleted = !st->IsNull(9);
    f.first_seen = st->Int(10);
    f.last_seen = st->Int(11);
    f.status_changed = st->Int(12);
    f.resolved_at = st->IsNull(13) ? 0 : st->Int(13);
    f.notes = st->Text(14);
    f.exception_reason = st->Text(15);
    f.exception_until = st->IsNull(16) ? 0 : st->Int(16);
    StoredFinding stored;
    stored.status = f.status;
    stored.last_seen = f.last_seen;
    stored.last_scan = st->Int(17);
    stored.pinned = st->Int(18) != 0;
    lifecycle::Show(f, stored, {&sightings.value(), st->View(7), st->View(8)});
    if (lifecycle::Matches(f, q)) out.push_back(std::move(f));
  }
  st->Reset();
  if (q.with_detections) {
    auto dets =
        Get("SELECT detector, count, masked FROM detections WHERE item = ?1 ORDER BY detector");
    if (!dets.ok()) return dets.status();
    std::unordered_map<int64_t, std::vector<Detection>> cache;
    for (Finding& f : out) {
      auto it = cache.find(f.item_id);
      if (it == cache.end()) {
        std::vector<Detection> v;
        Stmt& d = *dets.value();
        d.Bind(1, f.item_id);
        while (true) {
          auto row = d.Step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          v.push_back(ReadDetection(d, 0, false));
        }
        d.Reset();
        it = cache.emplace(f.item_id, std::move(v)).first;
      }
      f.detections = it->second;
    }
  }
  return out;
}

Result<std::vector<FindingEvent>> SqliteStore::History(int64_t finding_id) {
  return EventsWithOpenings(
      "SELECT finding, at, scan, from_status, to_status, note, by_name, by_uid FROM events "
      "WHERE finding = ?1 "
      "ORDER BY at, id",
      finding_id, finding_id, 0);
}

Result<std::vector<FindingEvent>> SqliteStore::Events(int64_t since) {
  return EventsWithOpenings(
      "SELECT finding, at, scan, from_status, to_status, note, by_name, by_uid FROM events "
      "WHERE at >= ?1 "
      "ORDER BY at, id",
      since, 0, since);
}

// The events `sql` returns (see QueryEvents), with the openings the scans show but
// that are not written down yet (lifecycle.h, Sightings) of finding `finding` (0: any)
// at or after `since`, in time order.
Result<std::vector<FindingEvent>> SqliteStore::EventsWithOpenings(const char* sql, int64_t arg,
                                                                  int64_t finding, int64_t since) {
  ReadTxn read(db_);
  Status begun = read.Begin();
  if (!begun.ok()) return begun;
  auto events = QueryEvents(sql, arg);
  if (!events.ok()) return events.status();
  auto sightings = LoadSightings(db_);
  if (!sightings.ok()) return sightings.status();
  std::vector<FindingEvent>& out = events.value();
  if (sightings->last_id() == 0) return std::move(out);
  auto st =
      Get("SELECT f.id, f.last_scan, f.last_seen, d.path, i.name FROM findings f JOIN items i ON "
          "i.id = f.item JOIN dirs d ON d.id = i.dir WHERE f.status = 'new' AND f.pinned = 0 AND "
          "f.last_scan < ?1 AND (?2 = 0 OR f.id = ?2)");
  if (!st.ok()) return st.status();
  Stmt& q = *st.value();
  q.Bind(1, sightings->last_id()).Bind(2, finding);
  std::vector<FindingEvent> openings;
  while (true) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StoredFinding f;
    f.id = q.Int(0);
    f.status = FindingStatus::kNew;
    f.last_scan = q.Int(1);
    f.last_seen = q.Int(2);
    auto e = lifecycle::Opening(f, {&sightings.value(), q.View(3), q.View(4)}, since);
    if (e) openings.push_back(std::move(*e));
  }
  q.Reset();
  return lifecycle::WithOpenings(std::move(out), std::move(openings));
}

Result<std::vector<FindingEvent>> SqliteStore::QueryEvents(const char* sql, int64_t arg) {
  auto st = Get(sql);
  if (!st.ok()) return st.status();
  Stmt& q = *st.value();
  q.Bind(1, arg);
  std::vector<FindingEvent> out;
  while (true) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    FindingEvent e;
    e.finding_id = q.Int(0);
    e.at = q.Int(1);
    e.scan_id = q.IsNull(2) ? 0 : q.Int(2);
    if (!q.IsNull(3)) e.from = StatusFromSql(q.View(3));
    e.to = StatusFromSql(q.View(4));
    e.note = q.Text(5);
    if (!q.IsNull(6)) e.by.name = q.Text(6);
    if (!q.IsNull(7)) e.by.uid = q.Int(7);
    out.push_back(std::move(e));
  }
  q.Reset();
  return out;
}

Result<std::vector<PolicyRecord>> SqliteStore::Policies() {
  auto st = Get("SELECT id, description, refs, severity FROM policies ORDER BY id");
  if (!st.ok()) return st.status();
  std::vector<PolicyRecord> out;
  Stmt& q = *st.value();
  while (true) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({q.Text(0), q.Text(1), codec::UnpackStrings(q.View(2)), q.Text(3)});
  }
  q.Reset();
  return out;
}

Result<std::vector<ScanRecord>> SqliteStore::Scans(int64_t since) {
  return QueryScans("WHERE now >= ?1 ORDER BY id", since);
}

Result<std::optional<ScanRecord>> SqliteStore::LastCompleteScan() {
  auto v = QueryScans("WHERE state = 'complete' AND ?1 = ?1 ORDER BY id DESC LIMIT 1", 0);
  if (!v.ok()) return v.status();
  if (v->empty()) return std::optional<ScanRecord>();
  return std::optional<ScanRecord>(v->front());
}

Result<std::vector<ScanRecord>> SqliteStore::QueryScans(const std::string& where, int64_t arg) {
  auto st = Stmt::Prepare(db_,
                          "SELECT id, started, now, finished, state, roots, items, read, reused, "
                          "skipped, violations, deleted, excluded, links_not_followed, "
                          "other_filesystems FROM scans " +
                              where);
  if (!st.ok()) return st.status();
  st->Bind(1, arg);
  std::vector<ScanRecord> out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ScanRecord r;
    r.id = st->Int(0);
    r.started = st->Int(1);
    r.now = st->Int(2);
    r.finished = st->IsNull(3) ? 0 : st->Int(3);
    const std::string_view state = st->View(4);
    r.state = state == "complete"      ? ScanState::kComplete
              : state == "failed"      ? ScanState::kFailed
              : state == "interrupted" ? ScanState::kInterrupted
                                       : ScanState::kRunning;
    r.roots = codec::UnpackStrings(st->View(5));
    r.totals.items = static_cast<uint64_t>(st->Int(6));
    r.totals.read = static_cast<uint64_t>(st->Int(7));
    r.totals.reused = static_cast<uint64_t>(st->Int(8));
    r.totals.skipped = static_cast<uint64_t>(st->Int(9));
    r.totals.violations = static_cast<uint64_t>(st->Int(10));
    r.totals.deleted = static_cast<uint64_t>(st->Int(11));
    r.totals.excluded = static_cast<uint64_t>(st->Int(12));
    r.totals.links_not_followed = static_cast<uint64_t>(st->Int(13));
    r.totals.other_filesystems = static_cast<uint64_t>(st->Int(14));
    out.push_back(std::move(r));
  }
  st->Reset();
  return out;
}

Result<InventoryTotals> SqliteStore::Totals() {
  InventoryTotals t;
  auto st =
      Get("SELECT category, count(*), coalesce(sum(size), 0), sum(ndet > 0) FROM items WHERE "
          "deleted_at IS NULL GROUP BY category ORDER BY category");
  if (!st.ok()) return st.status();
  Stmt& q = *st.value();
  while (true) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t cat = q.Int(0);
    const auto n = static_cast<uint64_t>(q.Int(1));
    t.items += n;
    t.bytes += static_cast<uint64_t>(q.Int(2));
    t.with_detections += static_cast<uint64_t>(q.Int(3));
    if (cat >= 0 && cat <= static_cast<int64_t>(Category::kOther)) {
      t.by_category.emplace_back(static_cast<Category>(cat), n);
    }
  }
  q.Reset();
  auto del = Get("SELECT count(*) FROM items WHERE deleted_at IS NOT NULL");
  if (!del.ok()) return del.status();
  auto row = del.value()->Step();
  if (!row.ok()) return row.status();
  t.deleted = static_cast<uint64_t>(del.value()->Int(0));
  del.value()->Reset();
  return t;
}

Result<std::vector<CoverageRow>> SqliteStore::Coverage(size_t examples_per_row) {
  auto st =
      Get("SELECT state, reason, count(*), coalesce(sum(size), 0) FROM items WHERE state != 0 AND "
          "deleted_at IS NULL GROUP BY state, reason ORDER BY count(*) DESC, state, reason");
  if (!st.ok()) return st.status();
  std::vector<CoverageRow> out;
  Stmt& q = *st.value();
  while (true) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    CoverageRow c;
    c.state = q.Int(0) == 1 ? ItemState::kPartial : ItemState::kSkipped;
    c.reason = q.Text(1);
    c.items = static_cast<uint64_t>(q.Int(2));
    c.bytes = static_cast<uint64_t>(q.Int(3));
    out.push_back(std::move(c));
  }
  q.Reset();
  auto ex =
      Get("SELECT d.path, i.name FROM items i JOIN dirs d ON d.id = i.dir WHERE i.state = ?1 AND "
          "i.reason = ?2 AND i.deleted_at IS NULL ORDER BY d.path, i.name LIMIT ?3");
  if (!ex.ok()) return ex.status();
  for (CoverageRow& c : out) {
    Stmt& e = *ex.value();
    e.Bind(1, c.state == ItemState::kPartial ? 1 : 2)
        .Bind(2, c.reason)
        .Bind(3, static_cast<int64_t>(examples_per_row));
    while (true) {
      auto row = e.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      c.examples.push_back(JoinPath(e.View(0), e.View(1)));
    }
    e.Reset();
  }
  return out;
}

}  // namespace custos::inventory
