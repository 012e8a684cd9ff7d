#include "sightings.h"

#include "codec.h"

namespace custos::inventory {

Result<Sightings> LoadSightings(const sql::Db& db) {
  int64_t after = 0;
  {
    auto st = sql::Stmt::Prepare(db, "SELECT value FROM meta WHERE key = 'sightings_after'");
    if (!st.ok()) return st.status();
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (*row) after = st->Int(0);
  }
  auto st = sql::Stmt::Prepare(
      db, "SELECT id, now, roots FROM scans WHERE state = 'complete' AND id > ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, after);
  Sightings out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.Add(st->Int(0), st->Int(1), codec::UnpackStrings(st->View(2)));
  }
  return out;
}

}  // namespace custos::inventory
