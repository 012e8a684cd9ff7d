// Reads a folder of the PostgreSQL inventory for an incremental scan: its records,
// detections and findings in one round trip (four statements in one pipeline, in one
// repeatable-read transaction so that they see the same moment).
#include <algorithm>
#include <utility>

#include "pg_store.h"
#include "sqlite_rows.h"  // kFolderBatchLimit

namespace custos::inventory {

using pg::Params;

namespace {

std::string FolderWhere() {
  return " JOIN dirs d ON d.id = i.dir WHERE d.node = $1 AND d.path = $2";
}

}  // namespace

Result<std::shared_ptr<const StoredFolder>> PgReader::LoadFolder(std::string_view dir) {
  auto f = std::make_shared<StoredFolder>();
  f->path = std::string(dir);
  auto params = [&] { return Params().Bytes(node_).Bytes(dir); };
  std::vector<pg::Query> q;
  if (own_txn_) q.push_back({"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", Params()});
  q.push_back({"SELECT id FROM dirs WHERE node = $1 AND path = $2", params()});
  q.push_back({std::string("SELECT ") + kPgItemColumns +
                   " FROM items i LEFT JOIN content_keys k ON k.id = i.content_key" +
                   FolderWhere() + " ORDER BY i.id LIMIT " + std::to_string(kFolderBatchLimit + 1),
               params()});
  q.push_back(
      {"SELECT t.item, t.detector, t.count, t.masked, t.hashes FROM detections t JOIN "
       "items i ON i.id = t.item" +
           FolderWhere() + " AND i.ndet > 0",
       params()});
  q.push_back({std::string("SELECT f.item, ") + kPgFindingColumns +
                   " FROM findings f JOIN items i ON i.id = f.item" + FolderWhere(),
               params()});
  if (own_txn_) q.push_back({"COMMIT", Params()});
  auto r = conn_.Pipeline(q);
  if (!r.ok()) return r.status();
  const size_t base = own_txn_ ? 1 : 0;
  const pg::Res& dir_r = r.value()[base];
  const pg::Res& items = r.value()[base + 1];
  const pg::Res& dets = r.value()[base + 2];
  const pg::Res& findings = r.value()[base + 3];
  if (dir_r.rows() == 0) return std::shared_ptr<const StoredFolder>(std::move(f));
  f->dir_id = dir_r.Int(0, 0);
  if (static_cast<size_t>(items.rows()) > kFolderBatchLimit) {
    f->complete = false;
    return std::shared_ptr<const StoredFolder>(std::move(f));
  }
  f->items.resize(static_cast<size_t>(items.rows()));
  for (int i = 0; i < items.rows(); ++i) PgReadItem(items, i, &f->items[static_cast<size_t>(i)]);
  f->Index();
  std::vector<std::pair<int64_t, StoredItem*>> by_id;
  by_id.reserve(f->items.size());
  for (StoredItem& s : f->items) by_id.emplace_back(s.id, &s);
  std::sort(by_id.begin(), by_id.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  auto item_of = [&](int64_t id) -> StoredItem* {
    auto it = std::lower_bound(by_id.begin(), by_id.end(), id,
                               [](const auto& a, int64_t v) { return a.first < v; });
    return it != by_id.end() && it->first == id ? it->second : nullptr;
  };
  for (int i = 0; i < dets.rows(); ++i) {
    if (StoredItem* s = item_of(dets.Int(i, 0)))
      s->item.detections.push_back(PgReadDetection(dets, i, 1, true));
  }
  for (int i = 0; i < findings.rows(); ++i) {
    if (StoredItem* s = item_of(findings.Int(i, 0)))
      PgReadFinding(findings, i, 1, &s->findings.emplace_back());
  }
  // Findings by id, as the SQLite store loads them (lifecycle plans follow their order).
  for (StoredItem& s : f->items) {
    std::sort(s.findings.begin(), s.findings.end(),
              [](const StoredFinding& a, const StoredFinding& b) { return a.id < b.id; });
  }
  return std::shared_ptr<const StoredFolder>(std::move(f));
}

Result<const StoredItem*> PgReader::FindOne(const StoredFolder& f, std::string_view name) {
  return LoadOne(f.dir_id, name, /*with_findings=*/false);
}

Result<const StoredItem*> PgReader::LoadOne(int64_t dir_id, std::string_view name,
                                            bool with_findings) {
  single_ = StoredItem();
  if (dir_id == 0) return static_cast<const StoredItem*>(nullptr);
  auto params = [&] { return Params().Int(dir_id).Bytes(name); };
  std::vector<pg::Query> q;
  if (own_txn_) q.push_back({"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", Params()});
  q.push_back({std::string("SELECT ") + kPgItemColumns +
                   " FROM items i LEFT JOIN content_keys k ON k.id = i.content_key WHERE i.dir = "
                   "$1 AND i.name = $2",
               params()});
  q.push_back(
      {"SELECT t.detector, t.count, t.masked, t.hashes FROM detections t JOIN items i ON "
       "i.id = t.item WHERE i.dir = $1 AND i.name = $2",
       params()});
  q.push_back({std::string("SELECT ") + kPgFindingColumns +
                   " FROM findings f JOIN items i ON i.id = f.item WHERE i.dir = $1 AND i.name "
                   "= $2 AND $3::bigint = 1 ORDER BY f.id",
               params().Int(with_findings ? 1 : 0)});
  if (own_txn_) q.push_back({"COMMIT", Params()});
  auto r = conn_.Pipeline(q);
  if (!r.ok()) return r.status();
  const size_t base = own_txn_ ? 1 : 0;
  const pg::Res& item = r.value()[base];
  if (item.rows() == 0) return static_cast<const StoredItem*>(nullptr);
  PgReadItem(item, 0, &single_);
  const pg::Res& dets = r.value()[base + 1];
  for (int i = 0; i < dets.rows(); ++i) {
    single_.item.detections.push_back(PgReadDetection(dets, i, 0, true));
  }
  const pg::Res& findings = r.value()[base + 2];
  for (int i = 0; i < findings.rows(); ++i) {
    PgReadFinding(findings, i, 0, &single_.findings.emplace_back());
  }
  return static_cast<const StoredItem*>(&single_);
}

}  // namespace custos::inventory
