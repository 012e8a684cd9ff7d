#include "sqlite_findings.h"

namespace custos::inventory {
namespace {

// Binds `text`, or NULL when it is empty.
void BindTextOrNull(sql::Stmt& q, int i, const std::string& text) {
  if (text.empty()) {
    q.BindNull(i);
  } else {
    q.Bind(i, text);
  }
}

// Binds `v`, or NULL when it is 0.
void BindOrNull(sql::Stmt& q, int i, int64_t v) {
  if (v == 0) {
    q.BindNull(i);
  } else {
    q.Bind(i, v);
  }
}

}  // namespace

Result<sql::Stmt*> SqliteFindingWriter::Get(sql::Stmt& slot, const char* sql) {
  if (slot.get() == nullptr) {
    auto st = sql::Stmt::Prepare(db_, sql);
    if (!st.ok()) return st.status();
    slot = std::move(st.value());
  }
  return &slot;
}

Result<int64_t> SqliteFindingWriter::Insert(int64_t item_id, const lifecycle::Create& c) {
  auto st = Get(insert_,
                "INSERT INTO findings (policy, item, kind, severity, reason, status, first_seen, "
                "last_seen, first_scan, last_scan, status_changed) VALUES (?1, ?2, ?3, ?4, ?5, "
                "'new', ?6, ?6, ?7, ?7, ?6)");
  if (!st.ok()) return st.status();
  Status s = st.value()
                 ->Bind(1, c.policy)
                 .Bind(2, item_id)
                 .Bind(3, c.kind)
                 .Bind(4, c.severity)
                 .Bind(5, c.reason)
                 .Bind(6, c.at)
                 .Bind(7, c.scan_id)
                 .Run();
  if (!s.ok()) return s;
  return db_.LastInsertId();
}

Result<bool> SqliteFindingWriter::Update(int64_t id, const lifecycle::StatusChange& c) {
  auto st =
      Get(status_,
          "UPDATE findings SET status = ?1, status_changed = ?2, resolved_at = ?3, "
          "exception_reason = ?4, exception_until = ?5, notes = ?6, last_seen = "
          "max(last_seen, ?9), last_scan = max(last_scan, ?10) WHERE id = ?7 AND status = ?8");
  if (!st.ok()) return st.status();
  sql::Stmt& q = *st.value();
  q.Bind(1, StatusName(c.to)).Bind(2, c.changed);
  BindOrNull(q, 3, c.resolved_at);
  BindTextOrNull(q, 4, c.exception_reason);
  BindOrNull(q, 5, c.exception_until);
  q.Bind(6, c.notes).Bind(7, id).Bind(8, StatusName(c.from));
  q.Bind(9, c.last_seen).Bind(10, c.last_scan);
  Status s = q.Run();
  if (!s.ok()) return s;
  if (db_.Changes() != 0) return true;
  conflict_ = true;
  return false;
}

Result<std::optional<std::pair<FindingStatus, std::string>>> SqliteFindingWriter::Reread(
    int64_t id) {
  auto st = Get(reread_, "SELECT status, notes FROM findings WHERE id = ?1");
  if (!st.ok()) return st.status();
  sql::Stmt& c = *st.value();
  c.Bind(1, id);
  auto row = c.Step();
  if (!row.ok()) return row.status();
  std::optional<std::pair<FindingStatus, std::string>> out;
  if (*row) {
    out.emplace(ParseStatus(c.View(0)).value_or(FindingStatus::kOpen), c.Text(1));
  }
  c.Reset();
  return out;
}

Status SqliteFindingWriter::Update(int64_t id, const lifecycle::Confirm& c) {
  auto st = Get(confirm_,
                "UPDATE findings SET severity = ?1, reason = ?2, last_seen = max(last_seen, ?3), "
                "last_scan = ?4, pinned = 0 WHERE id = ?5");
  if (!st.ok()) return st.status();
  return st.value()
      ->Bind(1, c.severity)
      .Bind(2, c.reason)
      .Bind(3, c.at)
      .Bind(4, c.scan_id)
      .Bind(5, id)
      .Run();
}

Status SqliteFindingWriter::Update(int64_t id, const lifecycle::Pin& p) {
  auto st = Get(pin_,
                "UPDATE findings SET last_seen = max(last_seen, ?1), last_scan = max(last_scan, "
                "?2), pinned = 1 WHERE id = ?3");
  if (!st.ok()) return st.status();
  return st.value()->Bind(1, p.last_seen).Bind(2, p.last_scan).Bind(3, id).Run();
}

Status SqliteFindingWriter::Update(int64_t id, const lifecycle::Annotate& a) {
  auto st = Get(annotate_,
                "UPDATE findings SET notes = ?1, exception_reason = ?2, exception_until = ?3 "
                "WHERE id = ?4");
  if (!st.ok()) return st.status();
  sql::Stmt& u = *st.value();
  u.Bind(1, a.notes);
  BindTextOrNull(u, 2, a.exception_reason);
  BindOrNull(u, 3, a.exception_until);
  return u.Bind(4, id).Run();
}

Status SqliteFindingWriter::AddEvent(const FindingEvent& e) {
  auto st = Get(event_,
                "INSERT INTO events (finding, at, scan, from_status, to_status, note, by_name, "
                "by_uid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st.ok()) return st.status();
  sql::Stmt& q = *st.value();
  q.Bind(1, e.finding_id).Bind(2, e.at);
  BindOrNull(q, 3, e.scan_id);
  if (e.from) {
    q.Bind(4, StatusName(*e.from));
  } else {
    q.BindNull(4);
  }
  q.Bind(5, StatusName(e.to)).Bind(6, e.note);
  if (e.by.IsSystem()) {
    q.BindNull(7).BindNull(8);
  } else {
    q.Bind(7, e.by.name).Bind(8, e.by.uid);
  }
  return q.Run();
}

}  // namespace custos::inventory
