#include "sqlite_reader.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "folder_blob.h"
#include "sqlite_rows.h"

namespace custos::inventory {

using sql::Db;
using sql::ReadTxn;
using sql::Stmt;
using sql::Txn;

Result<std::unique_ptr<SqliteReader>> SqliteReader::Open(const std::string& path, int busy_ms) {
  auto db = Db::Open(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  std::unique_ptr<SqliteReader> r(new SqliteReader());
  r->owned_ = std::move(db.value());
  sqlite3_busy_timeout(r->owned_.get(), busy_ms);
  Status s = r->Prepare();
  if (!s.ok()) return s;
  return r;
}

Result<std::unique_ptr<SqliteReader>> SqliteReader::Attach(const Db& db) {
  std::unique_ptr<SqliteReader> r(new SqliteReader());
  r->attached_ = &db;
  Status s = r->Prepare();
  if (!s.ok()) return s;
  return r;
}

Result<std::shared_ptr<const StoredFolder>> SqliteReader::LoadFolder(std::string_view dir,
                                                                     bool use_cache) {
  auto f = std::make_shared<StoredFolder>();
  f->path = std::string(dir);
  // One read transaction, so that the folder's records, detections and findings are
  // of the same moment (attached: the writer's transaction).
  Status s = attached_ != nullptr ? Status::Ok() : begin_.Run();
  if (s.ok()) s = Load(*f, use_cache);
  // Statements are left reset whatever happened, ready for the next folder.
  for (Stmt* st : {&dir_id_, &cached_, &folder_span_, &folder_items_, &folder_items_range_,
                   &folder_dets_, &folder_findings_, &folder_findings_range_}) {
    st->Reset();
  }
  Status end = attached_ != nullptr ? Status::Ok() : commit_.Run();
  if (s.ok()) s = end;
  if (!s.ok()) return s;
  return std::shared_ptr<const StoredFolder>(std::move(f));
}

Result<const StoredItem*> SqliteReader::FindOne(const StoredFolder& f, std::string_view name) {
  single_ = StoredItem();
  if (f.dir_id == 0) return static_cast<const StoredItem*>(nullptr);
  one_item_.Bind(1, f.dir_id).BindBlob(2, name);
  auto row = one_item_.Step();
  if (!row.ok() || !*row) {
    one_item_.Reset();
    if (!row.ok()) return row.status();
    return static_cast<const StoredItem*>(nullptr);
  }
  ReadItem(one_item_, &single_, [&](int64_t id) { return KeyText(id); });
  const bool has_detections = one_item_.Int(kItemNdet) > 0;
  one_item_.Reset();
  if (has_detections) {
    one_dets_.Bind(1, single_.id);
    while (true) {
      auto r = one_dets_.Step();
      if (!r.ok()) {
        one_dets_.Reset();
        return r.status();
      }
      if (!*r) break;
      single_.item.detections.push_back(ReadDetection(one_dets_, 1, true));
    }
    one_dets_.Reset();
  }
  return static_cast<const StoredItem*>(&single_);
}

Status SqliteReader::Prepare() {
  if (attached_ == nullptr) {
    Status s = owned_.Exec(std::string("PRAGMA query_only = 1; ") + kConnectionPragmas);
    if (!s.ok()) return s;
  }
  const std::string cols = kItemColumns;
  struct {
    Stmt* st;
    std::string sql;
  } stmts[] = {
      {&begin_, "BEGIN"},
      {&commit_, "COMMIT"},
      {&dir_id_, "SELECT id FROM dirs WHERE path = ?1"},
      {&cached_, "SELECT data FROM folder_cache WHERE dir = ?1"},
      {&folder_span_, "SELECT min(id), max(id), count(*) FROM items WHERE dir = ?1"},
      {&folder_items_, "SELECT " + cols + " FROM items i WHERE i.dir = ?1"},
      // "+i.dir": the rowid range, not the folder index, drives the search.
      {&folder_items_range_,
       "SELECT " + cols + " FROM items i WHERE i.id BETWEEN ?2 AND ?3 AND +i.dir = ?1"},
      {&folder_dets_,
       "SELECT d.item, d.detector, d.count, d.masked, d.hashes FROM detections d "
       "JOIN items i ON i.id = d.item WHERE i.dir = ?1"},
      {&folder_findings_, kFolderFindingsSql},
      {&folder_findings_range_,
       "SELECT f.item, " CUSTOS_FINDING_COLUMNS " FROM findings f WHERE f.item BETWEEN ?1 AND ?2"},
      {&one_item_, "SELECT " + cols + " FROM items i WHERE i.dir = ?1 AND i.name = ?2"},
      {&one_dets_, "SELECT item, detector, count, masked, hashes FROM detections WHERE item = ?1"},
      {&key_, "SELECT key FROM content_keys WHERE id = ?1"},
  };
  for (auto& p : stmts) {
    auto st = Stmt::Prepare(db(), p.sql);
    if (!st.ok()) return st.status();
    *p.st = std::move(st.value());
  }
  return Status::Ok();
}

const std::string& SqliteReader::KeyText(int64_t id) {
  auto it = keys_.find(id);
  if (it != keys_.end()) return it->second;
  std::string text;
  key_.Bind(1, id);
  auto r = key_.Step();
  if (r.ok() && *r) text = key_.Text(0);
  key_.Reset();
  return keys_.emplace(id, std::move(text)).first->second;
}

// Loads a folder with a handful of queries. Its records are usually stored next to
// each other (a folder's files are recorded together): then they are read as one
// range of the table, and their findings as one range of the findings index, rather
// than looking up every record and every item's findings on their own.
Status SqliteReader::Load(StoredFolder& f, bool use_cache) {
  dir_id_.BindBlob(1, f.path);
  auto r = dir_id_.Step();
  if (!r.ok()) return r.status();
  f.dir_id = *r ? dir_id_.Int(0) : 0;
  dir_id_.Reset();
  if (f.dir_id == 0) return Status::Ok();
  r = false;
  if (use_cache) {
    cached_.Bind(1, f.dir_id);
    r = cached_.Step();
    if (!r.ok()) return r.status();
  }
  // A row that does not decode (damaged, or written by another version) is ignored:
  // the folder's rows say the same.
  if (*r &&
      folder_blob::Decode(
          cached_.View(0), [&](int64_t id) -> const std::string& { return KeyText(id); }, &f)) {
    f.from_cache = true;
    return Status::Ok();
  }
  cached_.Reset();
  folder_span_.Bind(1, f.dir_id);
  r = folder_span_.Step();
  if (!r.ok()) return r.status();
  const int64_t lo = folder_span_.Int(0), hi = folder_span_.Int(1);
  const auto count = static_cast<uint64_t>(folder_span_.Int(2));
  folder_span_.Reset();
  if (count == 0) return Status::Ok();
  if (count > kFolderBatchLimit) {
    f.complete = false;
    return Status::Ok();
  }
  // Dense: at most as many other records in the range as the folder's own.
  const bool dense = static_cast<uint64_t>(hi - lo) < 2 * count;
  Stmt& items = dense ? folder_items_range_ : folder_items_;
  items.Bind(1, f.dir_id);
  if (dense) items.Bind(2, lo).Bind(3, hi);
  f.items.reserve(count);
  bool any_detections = false;
  while (true) {
    auto row = items.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StoredItem& s = f.items.emplace_back();
    s.name = items.View(1);
    ReadItem(items, &s, [&](int64_t id) { return KeyText(id); });
    any_detections |= items.Int(kItemNdet) > 0;
  }
  items.Reset();
  f.Index();
  std::vector<std::pair<int64_t, StoredItem*>> by_id;
  by_id.reserve(f.items.size());
  for (StoredItem& s : f.items) by_id.emplace_back(s.id, &s);
  auto by_first = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::sort(by_id.begin(), by_id.end(), by_first);
  auto item_of = [&](int64_t id) -> StoredItem* {
    auto it = std::lower_bound(by_id.begin(), by_id.end(), std::make_pair(id, nullptr), by_first);
    return it != by_id.end() && it->first == id ? it->second : nullptr;
  };
  if (any_detections) {
    folder_dets_.Bind(1, f.dir_id);
    while (true) {
      auto row = folder_dets_.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (StoredItem* s = item_of(folder_dets_.Int(0)))
        s->item.detections.push_back(ReadDetection(folder_dets_, 1, true));
    }
    folder_dets_.Reset();
  }
  Stmt& findings = dense ? folder_findings_range_ : folder_findings_;
  if (dense) {
    findings.Bind(1, lo).Bind(2, hi);
  } else {
    findings.Bind(1, f.dir_id);
  }
  while (true) {
    auto row = findings.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (StoredItem* s = item_of(findings.Int(0))) {
      ReadFinding(findings, 1, &s->findings.emplace_back());
    }
  }
  findings.Reset();
  return Status::Ok();
}

}  // namespace custos::inventory
