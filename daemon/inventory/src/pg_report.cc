// Reviews and reports on the PostgreSQL inventory. Findings show as the scans of their
// own node show them (lifecycle.h: Sightings, one per node).
#include <algorithm>
#include <unordered_map>

#include "codec.h"
#include "path_parts.h"
#include "pg_store.h"
#include "sqlite_rows.h"  // JoinPath, BelowRange

namespace custos::inventory {

using pg::Params;

Result<std::unordered_map<std::string, Sightings>> PgStore::AllSightings() {
  auto r = conn_.Exec(
      "SELECT node, id, now, roots FROM scans WHERE state = 'complete' ORDER BY node, id");
  if (!r.ok()) return r.status();
  std::unordered_map<std::string, Sightings> out;
  for (int i = 0; i < r->rows(); ++i) {
    out[r->Text(i, 0)].Add(r->Int(i, 1), r->Int(i, 2), codec::UnpackStrings(r->View(i, 3)));
  }
  return out;
}

Result<uint64_t> PgStore::ExpireExceptions(int64_t now) {
  pg::PgTxn txn(conn_);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  auto n = ExpireLocked(now, 0);
  if (!n.ok()) return n;
  s = txn.Commit();
  if (!s.ok()) return s;
  return n;
}

Status PgStore::Review(int64_t finding_id, const lifecycle::ReviewAction& action, int64_t now) {
  Status s = lifecycle::CheckReview(action, now);
  if (!s.ok()) return s;
  pg::PgTxn txn(conn_);
  s = txn.Begin();
  if (!s.ok()) return s;
  auto r = conn_.Exec(std::string("SELECT ") + kPgFindingColumns +
                          ", d.path, i.name, d.node FROM findings f JOIN items i ON i.id = "
                          "f.item JOIN dirs d ON d.id = i.dir WHERE f.id = $1 FOR UPDATE OF f",
                      Params().Int(finding_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) {
    return Status(StatusCode::kNotFound, "no finding " + std::to_string(finding_id));
  }
  std::vector<StoredFinding> f(1);
  PgReadFinding(r.value(), 0, 0, &f[0]);
  const std::string dir = r->Text(0, kPgFindingColumnCount);
  const std::string name = r->Text(0, kPgFindingColumnCount + 1);
  auto sightings = PgLoadSightings(conn_, r->Text(0, kPgFindingColumnCount + 2));
  if (!sightings.ok()) return sightings.status();
  const lifecycle::Place place{&sightings.value(), dir, name};
  auto plan = lifecycle::Review(f[0], place, action, now);
  if (!plan.ok()) return plan.status();
  s = ApplyPlan(plan.value(), 0, f, place);
  if (s.ok()) s = Flush();
  if (!s.ok()) {
    pending_ = Pending();
    return s;
  }
  folders_.clear();
  return txn.Commit();
}

namespace {

constexpr const char* kFindingFrom =
    " FROM findings f JOIN items i ON i.id = f.item JOIN dirs d ON d.id = i.dir WHERE true";

// The conditions of `q` on findings f, items i and dirs d (" AND ..." each), their
// values added to `p`. Lists go as arrays, so that a query's text depends only on which
// filters are set (one prepared statement each). Statuses as stored (StoredStatuses)
// and `since` on the stored times: what the scans show is sorted out by
// lifecycle::Matches.
std::string FindingConditions(const FindingQuery& q, Params& p) {
  std::string sql;
  auto next = [&] { return "$" + std::to_string(p.size() + 1); };
  const std::vector<FindingStatus> stored = lifecycle::StoredStatuses(q.statuses);
  if (!stored.empty()) {
    std::vector<std::string> names;
    for (FindingStatus st : stored) names.emplace_back(StatusName(st));
    sql += " AND f.status = ANY(" + next() + "::text[])";
    p.Text(pg::ArrayLiteral(names));
  }
  if (!q.policies.empty()) {
    std::vector<std::string> hex;
    for (const std::string& pol : q.policies) hex.push_back(pg::Hex(pol));
    sql += " AND f.policy IN (SELECT decode(x, 'hex') FROM unnest(" + next() + "::text[]) AS x)";
    p.Text(pg::ArrayLiteral(hex));
  }
  if (!q.severities.empty()) {
    sql += " AND f.severity = ANY(" + next() + "::text[])";
    p.Text(pg::ArrayLiteral(q.severities));
  }
  if (q.since) {
    const std::string k = next();
    sql += " AND (f.first_seen >= " + k + "::bigint OR f.status_changed >= " + k +
           "::bigint OR f.status = 'new')";
    p.Int(*q.since);
  }
  if (q.id) {
    sql += " AND f.id = " + next() + "::bigint";
    p.Int(*q.id);
  }
  if (!q.nodes.empty()) {
    sql += " AND d.node = ANY(" + next() + "::text[])";
    p.Text(pg::ArrayLiteral(q.nodes));
  }
  if (q.first_seen_until) {
    sql += " AND f.first_seen <= " + next() + "::bigint";
    p.Int(*q.first_seen_until);
  }
  if (!q.roots.empty()) {
    // At or below a root: its folder, the folders below it (a byte range), or the root
    // itself as a file.
    std::vector<std::string> cols[5];
    for (std::string root : q.roots) {
      if (root.empty()) continue;  // holds nothing
      while (root.size() > 1 && root.back() == '/') root.pop_back();
      auto [lo, hi] = BelowRange(root);
      auto [dir, name] = SplitPath(root);
      cols[0].push_back(pg::Hex(root));
      cols[1].push_back(pg::Hex(lo));
      cols[2].push_back(pg::Hex(hi));
      cols[3].push_back(pg::Hex(dir));
      cols[4].push_back(pg::Hex(name));
    }
    std::string args;
    for (const auto& c : cols) {
      args += (args.empty() ? "" : ", ") + next() + "::text[]";
      p.Text(pg::ArrayLiteral(c));
    }
    sql += " AND EXISTS (SELECT 1 FROM unnest(" + args +
           ") AS r(p, lo, hi, dir, name) WHERE d.path = decode(r.p, 'hex') OR (d.path >= "
           "decode(r.lo, 'hex') AND d.path < decode(r.hi, 'hex')) OR (d.path = decode(r.dir, "
           "'hex') AND i.name = decode(r.name, 'hex')))";
  }
  return sql;
}

}  // namespace

Result<std::vector<Finding>> PgStore::ListFindings(const FindingQuery& q) {
  pg::PgTxn txn(conn_);
  Status s = txn.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!s.ok()) return s;
  Params p;
  const std::string where = FindingConditions(q, p);
  std::vector<Finding> out;
  s = QueryFindings(q, where + " ORDER BY f.id", p, &out);
  if (!s.ok()) return s;
  return out;
}

Result<FindingPage> PgStore::ListFindingsPage(const FindingQuery& q, uint64_t offset,
                                              uint64_t limit) {
  pg::PgTxn txn(conn_);
  Status s = txn.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!s.ok()) return s;
  Params p;
  const std::string where = FindingConditions(q, p);
  const std::string order = std::string(" ORDER BY ") + lifecycle::kPageOrderSql;
  FindingPage page;
  if (!lifecycle::StoredQueryIsExact(q)) {
    // What the scans show decides: every candidate is read, the page cut here.
    s = QueryFindings(q, where + order, p, &page.findings);
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
  auto count = conn_.Exec(std::string("SELECT count(*)") + kFindingFrom + where, p);
  if (!count.ok()) return count.status();
  page.total = static_cast<uint64_t>(count->Int(0, 0));
  const std::string cut = " LIMIT $" + std::to_string(p.size() + 1) + "::bigint OFFSET $" +
                          std::to_string(p.size() + 2) + "::bigint";
  p.Int(static_cast<int64_t>(std::min<uint64_t>(limit, INT64_MAX)));
  p.Int(static_cast<int64_t>(std::min<uint64_t>(offset, INT64_MAX)));
  s = QueryFindings(q, where + order + cut, p, &page.findings);
  if (!s.ok()) return s;
  return page;
}

// The findings of `where_order` (conditions, order and limits after kFindingFrom) with
// `p`, shown as the scans of their node show them and matched against `q` (in a read
// transaction).
Status PgStore::QueryFindings(const FindingQuery& q, const std::string& where_order,
                              const Params& p, std::vector<Finding>* out) {
  auto sightings = AllSightings();
  if (!sightings.ok()) return sightings.status();
  auto r = conn_.Exec(
      std::string("SELECT f.id, f.policy, f.kind, f.severity, f.reason, f.status, f.item, "
                  "d.path, i.name, i.deleted_at, f.first_seen, f.last_seen, f.status_changed, "
                  "f.resolved_at, f.notes, f.exception_reason, f.exception_until, f.last_scan, "
                  "f.pinned, d.node") +
          kFindingFrom + where_order,
      p);
  if (!r.ok()) return r.status();
  const Sightings none;
  const size_t before = out->size();
  for (int i = 0; i < r->rows(); ++i) {
    Finding f;
    f.id = r->Int(i, 0);
    f.policy = r->Text(i, 1);
    f.kind = r->Text(i, 2);
    f.severity = r->Text(i, 3);
    f.reason = r->Text(i, 4);
    f.status = ParseStatus(r->View(i, 5)).value_or(FindingStatus::kOpen);
    f.item_id = r->Int(i, 6);
    f.path = JoinPath(r->View(i, 7), r->View(i, 8));
    f.node = r->Text(i, 19);
    f.item_deleted = !r->IsNull(i, 9);
    f.first_seen = r->Int(i, 10);
    f.last_seen = r->Int(i, 11);
    f.status_changed = r->Int(i, 12);
    f.resolved_at = r->Int(i, 13);
    f.notes = r->Text(i, 14);
    f.exception_reason = r->Text(i, 15);
    f.exception_until = r->Int(i, 16);
    StoredFinding stored_f;
    stored_f.status = f.status;
    stored_f.last_seen = f.last_seen;
    stored_f.last_scan = r->Int(i, 17);
    stored_f.pinned = r->Int(i, 18) != 0;
    auto sn = sightings->find(r->Text(i, 19));
    const Sightings& sg = sn != sightings->end() ? sn->second : none;
    lifecycle::Show(f, stored_f, {&sg, r->View(i, 7), r->View(i, 8)});
    if (lifecycle::Matches(f, q)) out->push_back(std::move(f));
  }
  if (!q.with_detections || out->size() == before) return Status::Ok();
  std::vector<std::string> ids;
  for (size_t k = before; k < out->size(); ++k) ids.push_back(std::to_string((*out)[k].item_id));
  auto d = conn_.Exec(
      "SELECT item, detector, count, masked FROM detections WHERE item = ANY($1::bigint[]) "
      "ORDER BY item, detector",
      Params().Text(pg::ArrayLiteral(ids)));
  if (!d.ok()) return d.status();
  std::unordered_map<int64_t, std::vector<Detection>> by_item;
  for (int i = 0; i < d->rows(); ++i) {
    by_item[d->Int(i, 0)].push_back(PgReadDetection(d.value(), i, 1, false));
  }
  for (size_t k = before; k < out->size(); ++k) {
    (*out)[k].detections = by_item[(*out)[k].item_id];
  }
  return Status::Ok();
}

Result<std::vector<FindingEvent>> PgStore::History(int64_t finding_id) {
  return EventsWithOpenings("finding = $1", finding_id, finding_id, 0);
}

Result<std::vector<FindingEvent>> PgStore::Events(int64_t since) {
  return EventsWithOpenings("at >= $1", since, 0, since);
}

// The events matching `where` ($1 = `arg`), with the openings the scans show but that
// are not written down (lifecycle.h, Sightings) of finding `finding` (0: any) at or
// after `since`, in time order.
Result<std::vector<FindingEvent>> PgStore::EventsWithOpenings(const std::string& where, int64_t arg,
                                                              int64_t finding, int64_t since) {
  pg::PgTxn txn(conn_);
  Status s = txn.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!s.ok()) return s;
  auto r = conn_.Exec(
      "SELECT finding, at, scan, from_status, to_status, note, by_name, by_uid FROM events "
      "WHERE " +
          where + " ORDER BY at, id",
      Params().Int(arg));
  if (!r.ok()) return r.status();
  std::vector<FindingEvent> out;
  for (int i = 0; i < r->rows(); ++i) {
    FindingEvent e;
    e.finding_id = r->Int(i, 0);
    e.at = r->Int(i, 1);
    e.scan_id = r->Int(i, 2);
    if (!r->IsNull(i, 3)) e.from = ParseStatus(r->View(i, 3)).value_or(FindingStatus::kOpen);
    e.to = ParseStatus(r->View(i, 4)).value_or(FindingStatus::kOpen);
    e.note = r->Text(i, 5);
    if (!r->IsNull(i, 6)) e.by.name = r->Text(i, 6);
    if (!r->IsNull(i, 7)) e.by.uid = r->Int(i, 7);
    out.push_back(std::move(e));
  }
  auto sightings = AllSightings();
  if (!sightings.ok()) return sightings.status();
  if (sightings->empty()) return out;
  auto o = conn_.Exec(
      "SELECT f.id, f.last_scan, f.last_seen, d.path, i.name, d.node FROM findings f JOIN items "
      "i ON i.id = f.item JOIN dirs d ON d.id = i.dir WHERE f.status = 'new' AND NOT f.pinned "
      "AND ($1::bigint = 0 OR f.id = $1::bigint)",
      Params().Int(finding));
  if (!o.ok()) return o.status();
  std::vector<FindingEvent> openings;
  for (int i = 0; i < o->rows(); ++i) {
    auto sn = sightings->find(o->Text(i, 5));
    if (sn == sightings->end()) continue;
    StoredFinding f;
    f.id = o->Int(i, 0);
    f.status = FindingStatus::kNew;
    f.last_scan = o->Int(i, 1);
    f.last_seen = o->Int(i, 2);
    auto e = lifecycle::Opening(f, {&sn->second, o->View(i, 3), o->View(i, 4)}, since);
    if (e) openings.push_back(std::move(*e));
  }
  return lifecycle::WithOpenings(std::move(out), std::move(openings));
}

Result<std::vector<PolicyRecord>> PgStore::Policies() {
  auto r = conn_.Exec("SELECT id, description, refs, severity FROM policies ORDER BY id");
  if (!r.ok()) return r.status();
  std::vector<PolicyRecord> out;
  for (int i = 0; i < r->rows(); ++i) {
    out.push_back(
        {r->Text(i, 0), r->Text(i, 1), codec::UnpackStrings(r->View(i, 2)), r->Text(i, 3)});
  }
  return out;
}

Result<std::vector<ScanRecord>> PgStore::Scans(int64_t since) {
  return QueryScans("WHERE now >= $1 ORDER BY id", since);
}

Result<std::optional<ScanRecord>> PgStore::LastCompleteScan() {
  auto v = QueryScans(
      "WHERE state = 'complete' AND $1::bigint = $1::bigint ORDER BY id DESC LIMIT 1", 0);
  if (!v.ok()) return v.status();
  if (v->empty()) return std::optional<ScanRecord>();
  return std::optional<ScanRecord>(v->front());
}

Result<std::vector<ScanRecord>> PgStore::QueryScans(const std::string& where, int64_t arg) {
  auto r = conn_.Exec(
      "SELECT id, started, now, finished, state, roots, items, read, reused, skipped, "
      "violations, deleted, excluded, links_not_followed, other_filesystems, node FROM scans " +
          where,
      Params().Int(arg));
  if (!r.ok()) return r.status();
  std::vector<ScanRecord> out;
  for (int i = 0; i < r->rows(); ++i) {
    ScanRecord s;
    s.id = r->Int(i, 0);
    s.started = r->Int(i, 1);
    s.now = r->Int(i, 2);
    s.finished = r->Int(i, 3);
    const std::string_view state = r->View(i, 4);
    s.state = state == "complete"      ? ScanState::kComplete
              : state == "failed"      ? ScanState::kFailed
              : state == "interrupted" ? ScanState::kInterrupted
                                       : ScanState::kRunning;
    s.roots = codec::UnpackStrings(r->View(i, 5));
    s.totals.items = static_cast<uint64_t>(r->Int(i, 6));
    s.totals.read = static_cast<uint64_t>(r->Int(i, 7));
    s.totals.reused = static_cast<uint64_t>(r->Int(i, 8));
    s.totals.skipped = static_cast<uint64_t>(r->Int(i, 9));
    s.totals.violations = static_cast<uint64_t>(r->Int(i, 10));
    s.totals.deleted = static_cast<uint64_t>(r->Int(i, 11));
    s.totals.excluded = static_cast<uint64_t>(r->Int(i, 12));
    s.totals.links_not_followed = static_cast<uint64_t>(r->Int(i, 13));
    s.totals.other_filesystems = static_cast<uint64_t>(r->Int(i, 14));
    s.node = r->Text(i, 15);
    out.push_back(std::move(s));
  }
  return out;
}

Result<InventoryTotals> PgStore::Totals() {
  auto r = conn_.Exec(
      "SELECT category, count(*), coalesce(sum(size), 0)::bigint, count(*) FILTER (WHERE ndet > "
      "0) FROM items WHERE deleted_at IS NULL GROUP BY category ORDER BY category");
  if (!r.ok()) return r.status();
  InventoryTotals t;
  for (int i = 0; i < r->rows(); ++i) {
    const int64_t cat = r->Int(i, 0);
    const auto n = static_cast<uint64_t>(r->Int(i, 1));
    t.items += n;
    t.bytes += static_cast<uint64_t>(r->Int(i, 2));
    t.with_detections += static_cast<uint64_t>(r->Int(i, 3));
    if (cat >= 0 && cat <= static_cast<int64_t>(Category::kOther)) {
      t.by_category.emplace_back(static_cast<Category>(cat), n);
    }
  }
  auto del = conn_.Exec("SELECT count(*) FROM items WHERE deleted_at IS NOT NULL");
  if (!del.ok()) return del.status();
  t.deleted = static_cast<uint64_t>(del->Int(0, 0));
  return t;
}

Result<std::vector<CoverageRow>> PgStore::Coverage(size_t examples_per_row) {
  auto r = conn_.Exec(
      "SELECT state, reason, count(*), coalesce(sum(size), 0)::bigint FROM items WHERE state <> "
      "0 AND deleted_at IS NULL GROUP BY state, reason ORDER BY count(*) DESC, state, reason");
  if (!r.ok()) return r.status();
  std::vector<CoverageRow> out;
  for (int i = 0; i < r->rows(); ++i) {
    CoverageRow c;
    c.state = r->Int(i, 0) == 1 ? ItemState::kPartial : ItemState::kSkipped;
    c.reason = r->Text(i, 1);
    c.items = static_cast<uint64_t>(r->Int(i, 2));
    c.bytes = static_cast<uint64_t>(r->Int(i, 3));
    out.push_back(std::move(c));
  }
  for (CoverageRow& c : out) {
    auto e = conn_.Exec(
        "SELECT d.path, i.name FROM items i JOIN dirs d ON d.id = i.dir WHERE i.state = $1 AND "
        "i.reason = $2 AND i.deleted_at IS NULL ORDER BY d.path, i.name LIMIT $3",
        Params()
            .Int(c.state == ItemState::kPartial ? 1 : 2)
            .Bytes(c.reason)
            .Int(static_cast<int64_t>(examples_per_row)));
    if (!e.ok()) return e.status();
    for (int i = 0; i < e->rows(); ++i)
      c.examples.push_back(JoinPath(e->View(i, 0), e->View(i, 1)));
  }
  return out;
}

}  // namespace custos::inventory
