#include "sqlite_store.h"

#include "sightings.h"
#include "sqlite_rows.h"

namespace custos::inventory {

using sql::Db;
using sql::ReadTxn;
using sql::Stmt;
using sql::Txn;

Result<uint64_t> SqliteStore::ExpireExceptions(int64_t now) {
  Txn txn(db_);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  auto n = ExpireLocked(now, 0);
  if (!n.ok()) return n;
  s = txn.Commit();
  if (!s.ok()) return s;
  return n;
}

// A reviewer's decision about finding `finding_id`, in its own transaction.
Status SqliteStore::Review(int64_t finding_id, const lifecycle::ReviewAction& action, int64_t now) {
  Status s = lifecycle::CheckReview(action, now);
  if (!s.ok()) return s;
  Txn txn(db_);
  s = txn.Begin();
  if (!s.ok()) return s;
  auto sightings = LoadSightings(db_);
  if (!sightings.ok()) return sightings.status();
  sightings_ = std::move(sightings.value());
  static const std::string sql = std::string("SELECT ") + kFindingColumns +
                                 ", d.path, i.name FROM findings f JOIN items i ON i.id = "
                                 "f.item JOIN dirs d ON d.id = i.dir WHERE f.id = ?1";
  auto st = Get(sql.c_str());
  if (!st.ok()) return st.status();
  Stmt& q = *st.value();
  q.Bind(1, finding_id);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    q.Reset();
    return Status(StatusCode::kNotFound, "no finding " + std::to_string(finding_id));
  }
  std::vector<WFinding> f(1);
  ReadFinding(q, 0, &f[0]);
  const std::string dir = q.Text(kFindingColumnCount);
  const std::string name = q.Text(kFindingColumnCount + 1);
  q.Reset();
  const lifecycle::Place place{&sightings_, dir, name};
  auto plan = lifecycle::Review(f[0], place, action, now);
  if (!plan.ok()) return plan.status();
  s = ApplyPlan(plan.value(), 0, f, place);
  if (!s.ok()) return s;
  s = txn.Commit();
  ClearFolders();
  return s;
}

Result<uint64_t> SqliteStore::ExpireLocked(int64_t now, int64_t scan_id) {
  static const std::string sql = std::string("SELECT ") + kFindingColumns +
                                 " FROM findings f WHERE f.status = 'excepted' AND "
                                 "f.exception_until <= ?1";
  auto found = SelectFindings(sql.c_str(), lifecycle::LatestExpiredUntil(now));
  if (!found.ok()) return found.status();
  std::vector<WFinding>& due = found.value();
  const lifecycle::Plan plan = lifecycle::Expire(due, now, scan_id);
  Status s = ApplyPlan(plan, 0, due, lifecycle::Place{});
  if (!s.ok()) return s;
  if (!plan.empty()) ClearFolders();
  return static_cast<uint64_t>(plan.size());
}

}  // namespace custos::inventory
