#include "sqlite_store.h"

#include <algorithm>
#include <unordered_map>

#include "codec.h"
#include "path_parts.h"
#include "sightings.h"
#include "sqlite_rows.h"

namespace custos::inventory {

using sql::Db;
using sql::ReadTxn;
using sql::Stmt;
using sql::Txn;

// A value of a finding query's condition, bound in order to its '?'.
struct SqlArg {
  enum Kind { kInt, kText, kBlob } kind = kInt;
  int64_t n = 0;
  std::string s;
};

namespace {

constexpr const char* kFindingFrom =
    " FROM findings f JOIN items i ON i.id = f.item JOIN dirs d ON d.id = i.dir WHERE 1";

// The conditions of `q` on findings f, items i and dirs d (" AND ..." each), and their
// values in order. Statuses as stored (StoredStatuses) and `since` on the stored times:
// what the scans show is sorted out by lifecycle::Matches.
std::string FindingConditions(const FindingQuery& q, std::vector<SqlArg>* args) {
  std::string sql;
  auto any_of = [&](const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    sql += std::string(" AND ") + column + " IN (";
    for (size_t k = 0; k < values.size(); ++k) {
      sql += k ? ", ?" : "?";
      args->push_back({SqlArg::kText, 0, values[k]});
    }
    sql += ")";
  };
  std::vector<std::string> statuses;
  for (FindingStatus st : lifecycle::StoredStatuses(q.statuses)) {
    statuses.emplace_back(StatusName(st));
  }
  any_of("f.status", statuses);
  any_of("f.policy", q.policies);
  any_of("f.severity", q.severities);
  if (q.since) {
    sql += " AND (f.first_seen >= ? OR f.status_changed >= ? OR f.status = 'new')";
    args->push_back({SqlArg::kInt, *q.since, {}});
    args->push_back({SqlArg::kInt, *q.since, {}});
  }
  if (q.id) {
    sql += " AND f.id = ?";
    args->push_back({SqlArg::kInt, *q.id, {}});
  }
  if (q.first_seen_until) {
    sql += " AND f.first_seen <= ?";
    args->push_back({SqlArg::kInt, *q.first_seen_until, {}});
  }
  if (!q.roots.empty()) {
    // At or below a root: its folder, the folders below it (a byte range), or the root
    // itself as a file.
    sql += " AND (0";
    for (std::string root : q.roots) {
      if (root.empty()) continue;  // holds nothing
      while (root.size() > 1 && root.back() == '/') root.pop_back();
      auto [lo, hi] = BelowRange(root);
      auto [dir, name] = SplitPath(root);
      sql += " OR d.path = ? OR (d.path >= ? AND d.path < ?) OR (d.path = ? AND i.name = ?)";
      for (std::string_view v :
           {std::string_view(root), std::string_view(lo), std::string_view(hi), dir, name}) {
        args->push_back({SqlArg::kBlob, 0, std::string(v)});
      }
    }
    sql += ")";
  }
  return sql;
}

void BindArgs(Stmt& st, const std::vector<SqlArg>& args) {
  int i = 0;
  for (const SqlArg& a : args) {
    ++i;
    if (a.kind == SqlArg::kInt) {
      st.Bind(i, a.n);
    } else if (a.kind == SqlArg::kText) {
      st.Bind(i, a.s);
    } else {
      st.BindBlob(i, a.s);
    }
  }
}

}  // namespace

Result<std::vector<Finding>> SqliteStore::ListFindings(const FindingQuery& q) {
  ReadTxn read(db_);
  Status begun = read.Begin();
  if (!begun.ok()) return begun;
  // One server's inventory: its findings are all of its node's.
  if (!q.nodes.empty() && std::find(q.nodes.begin(), q.nodes.end(), Node()) == q.nodes.end()) {
    return std::vector<Finding>();
  }
  std::vector<SqlArg> args;
  const std::string where = FindingConditions(q, &args);
  std::vector<Finding> out;
  Status s = QueryFindings(q, where + " ORDER BY f.id", args, &out);
  if (!s.ok()) return s;
  return out;
}

Result<FindingPage> SqliteStore::ListFindingsPage(const FindingQuery& q, uint64_t offset,
                                                  uint64_t limit) {
  ReadTxn read(db_);
  Status begun = read.Begin();
  if (!begun.ok()) return begun;
  std::vector<SqlArg> args;
  const std::string where = FindingConditions(q, &args);
  const std::string order = std::string(" ORDER BY ") + lifecycle::kPageOrderSql;
  FindingPage page;
  // One server's inventory: its findings are all of its node's.
  if (!q.nodes.empty() && std::find(q.nodes.begin(), q.nodes.end(), Node()) == q.nodes.end()) {
    return page;
  }
  if (!lifecycle::StoredQueryIsExact(q)) {
    // What the scans show decides: every candidate is read, the page cut here.
    Status s = QueryFindings(q, where + order, args, &page.findings);
    if (!s.ok()) return s;
    page.total = page.findings.size();
    const auto first = static_cast<size_t>(std::min<uint64_t>(offset, page.total));
    const auto last = static_cast<size_t>(std::min<uint64_t>(first + limit, page.total));
    page.findings.erase(page.findings.begin() + static_cast<std::ptrdiff_t>(last),
                        page.findings.end());
    page.findings.erase(page.findings.begin(),
                        page.findings.begin() + static_cast<std::ptrdiff_t>(first));
    return page;
  }
  auto count = Stmt::Prepare(db_, std::string("SELECT count(*)") + kFindingFrom + where);
  if (!count.ok()) return count.status();
  BindArgs(count.value(), args);
  auto row = count->Step();
  if (!row.ok()) return row.status();
  page.total = *row ? static_cast<uint64_t>(count->Int(0)) : 0;
  count->Reset();
  args.push_back({SqlArg::kInt, static_cast<int64_t>(std::min<uint64_t>(limit, INT64_MAX)), {}});
  args.push_back({SqlArg::kInt, static_cast<int64_t>(std::min<uint64_t>(offset, INT64_MAX)), {}});
  Status s = QueryFindings(q, where + order + " LIMIT ? OFFSET ?", args, &page.findings);
  if (!s.ok()) return s;
  return page;
}

// The findings of `where_order` (conditions, order and limits after kFindingFrom) with
// `args`, shown as the scans show them and matched against `q` (in a read transaction).
Status SqliteStore::QueryFindings(const FindingQuery& q, const std::string& where_order,
                                  const std::vector<SqlArg>& args, std::vector<Finding>* out) {
  auto sightings = LoadSightings(db_);
  if (!sightings.ok()) return sightings.status();
  auto st = Stmt::Prepare(
      db_, std::string("SELECT f.id, f.policy, f.kind, f.severity, f.reason, f.status, f.item, "
                       "d.path, i.name, i.deleted_at, f.first_seen, f.last_seen, "
                       "f.status_changed, f.resolved_at, f.notes, f.exception_reason, "
                       "f.exception_until, f.last_scan, f.pinned") +
               kFindingFrom + where_order);
  if (!st.ok()) return st.status();
  BindArgs(st.value(), args);
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
    if (lifecycle::Matches(f, q)) out->push_back(std::move(f));
  }
  st->Reset();
  if (!q.with_detections) return Status::Ok();
  auto dets =
      Get("SELECT detector, count, masked FROM detections WHERE item = ?1 ORDER BY detector");
  if (!dets.ok()) return dets.status();
  std::unordered_map<int64_t, std::vector<Detection>> cache;
  for (Finding& f : *out) {
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
  return Status::Ok();
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
