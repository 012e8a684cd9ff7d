// The writes of the findings lifecycle (custos/inventory/lifecycle.h) in the SQLite
// inventory: SQL only, every decision is the lifecycle's.
#pragma once

#include "custos/inventory/lifecycle.h"
#include "sqlite.h"

namespace custos::inventory {

// On the writing connection, inside its write transactions. `db` must outlive it.
class SqliteFindingWriter : public lifecycle::FindingWriter {
 public:
  explicit SqliteFindingWriter(const sql::Db& db) : db_(db) {}

  Result<int64_t> Insert(int64_t item_id, const lifecycle::Create& c) override;
  Result<bool> Update(int64_t id, const lifecycle::StatusChange& c) override;
  Result<std::optional<std::pair<FindingStatus, std::string>>> Reread(int64_t id) override;
  Status Update(int64_t id, const lifecycle::Confirm& c) override;
  Status Update(int64_t id, const lifecycle::Pin& p) override;
  Status Update(int64_t id, const lifecycle::Annotate& a) override;
  Status AddEvent(const FindingEvent& e) override;

  // Whether a status change found the finding changed by somebody else since the
  // change was decided, since the last call (then copies of it in memory are stale).
  bool TakeConflict() { return std::exchange(conflict_, false); }

 private:
  // `slot`, prepared with `sql` on first use.
  Result<sql::Stmt*> Get(sql::Stmt& slot, const char* sql);

  const sql::Db& db_;
  sql::Stmt insert_, status_, reread_, confirm_, pin_, annotate_, event_;
  bool conflict_ = false;
};

}  // namespace custos::inventory
