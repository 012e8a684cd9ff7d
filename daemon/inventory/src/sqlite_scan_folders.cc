#include "sqlite_store.h"

#include <algorithm>

#include "folder_blob.h"
#include "sqlite_rows.h"

namespace custos::inventory {

using sql::Db;
using sql::ReadTxn;
using sql::Stmt;
using sql::Txn;

void SqliteStore::DropCaches() {
  ClearFolders();
  key_ids_.clear();
}

// A folder leaves the writer's cache: its items the scan has not reached (yet) are
// remembered as possibly gone, so that the end of a complete scan need not read every
// record again. (Reached later after all, they are recognised by the seen bitmap.)
void SqliteStore::Evict(const WFolder& f) {
  if (!f.batched) return;  // handled at the end, from the file
  for (const auto& [name, w] : f.items) {
    if (w.deleted_at != 0 || Seen(w.id)) continue;
    gone_candidates_.push_back({w.id, JoinPath(f.path, name), w.info.dev, w.info.ino});
  }
  // Those the writer never looked at. (An item both here and above is listed twice;
  // GoneItems takes each once.)
  if (f.loaded != nullptr && !f.whole) AddGoneCandidates(*f.loaded);
}

void SqliteStore::ClearFolders() {
  for (const WFolder& f : folders_) Evict(f);
  folders_.clear();
  for (const auto& f : reached_folders_) AddGoneCandidates(*f);
  reached_folders_.clear();
}

// The items of a folder as a reader loaded it that the scan has not reached (yet).
void SqliteStore::AddGoneCandidates(const StoredFolder& f) {
  for (const StoredItem& s : f.items) {
    if (s.deleted_at != 0 || Seen(s.id)) continue;
    gone_candidates_.push_back({s.id, JoinPath(f.path, s.name), s.item.info.dev, s.item.info.ino});
  }
}

// The writer's view of a folder: its items and their findings. Taken from `loaded`
// (the folder as a reader of this scan loaded it) when that is the same folder, whole,
// and this scan has not written to it since the scan began: then the reader's copy is
// still what the file holds. Otherwise the folder is read inside the writer's
// transaction.
Result<SqliteStore::WFolder*> SqliteStore::GetWFolder(std::string_view dir,
                                                      std::shared_ptr<const StoredFolder> loaded) {
  for (auto it = folders_.begin(); it != folders_.end(); ++it) {
    if (it->path == dir) {
      folders_.splice(folders_.begin(), folders_, it);
      return &folders_.front();
    }
  }
  if (loaded != nullptr && (loaded->dir_id == 0 || !loaded->complete || loaded->path != dir ||
                            written_dirs_.count(loaded->dir_id))) {
    loaded.reset();
  }
  int64_t dir_id = 0;
  if (loaded != nullptr) {
    dir_id = loaded->dir_id;
  } else {
    auto id = DirId(dir);
    if (!id.ok()) return id.status();
    dir_id = id.value();
  }
  if (folders_.size() >= kWriterFolders) {
    Status s = WriteFolderCache(folders_.back());
    if (!s.ok()) return s;
    Evict(folders_.back());
    folders_.pop_back();
  }
  folders_.emplace_front();
  WFolder& f = folders_.front();
  f.path = std::string(dir);
  f.dir_id = dir_id;
  visited_dirs_.insert(f.dir_id);
  if (loaded == nullptr) {
    // No copy from a reader to start from: the folder as this transaction has it, read
    // the way readers read it (its folder_cache row, if any, is current here).
    Result<SqliteReader*> rows = Rows();
    if (!rows.ok()) {
      folders_.pop_front();
      return rows.status();
    }
    auto read = rows.value()->LoadFolder(dir, /*use_cache=*/true);
    if (!read.ok()) {
      folders_.pop_front();
      return read.status();
    }
    if (!read.value()->complete) {
      f.batched = false;  // looked up entry by entry (LoadOne)
      unbatched_dirs_.insert(f.dir_id);
      return &f;
    }
    loaded = std::move(read.value());
  }
  f.cache_due = !loaded->from_cache && !cached_dirs_.count(dir_id);
  f.loaded = std::move(loaded);  // items are taken from it as they come (Find)
  return &f;
}

// Writes the folder as its folder_cache row, so that the next scan decodes one value
// instead of reading its rows. Called when the writer is done with the folder (it
// leaves the writer's memory, or the scan ends), so that a folder that changes over
// several batches is written once, not once per batch. The row says what the file
// holds at this point of the write transaction:
// - when only findings changed since the copy of the folder was taken: the
//   copy with the findings as the writer keeps them, as long as the copy is still
//   what the file holds: it was taken after the scan began and before the scan wrote
//   to the folder (GetWFolder), and no other connection has committed since the scan
//   began (copies_current_);
// - otherwise (records written, a new folder, a review meanwhile): the folder read
//   again inside this transaction, which costs a read of its rows.
// Anything written to the folder later drops the row again (the schema's triggers).
Status SqliteStore::WriteFolderCache(WFolder& f) {
  if (!f.cache_due || !f.batched) return Status::Ok();
  f.cache_due = false;
  std::string blob;
  if (f.loaded != nullptr && !f.records_written && copies_current_) {
    // The reader's copy, with the findings as the writer keeps them.
    if (f.loaded->items.empty()) return Status::Ok();
    auto findings_of = [&](const StoredItem& s) -> const std::vector<StoredFinding>* {
      auto it = f.items.find(s.name);
      if (it == f.items.end() || it->second.loaded_findings != nullptr) return nullptr;
      return &it->second.findings;
    };
    blob = folder_blob::Encode(*f.loaded, findings_of);
  } else {
    // Records written (or no copy to trust): the folder as this transaction has it.
    auto rows = Rows();
    if (!rows.ok()) return rows.status();
    auto folder = rows.value()->LoadFolder(f.path, /*use_cache=*/false);
    if (!folder.ok()) return folder.status();
    if (!folder.value()->complete || folder.value()->items.empty()) return Status::Ok();
    blob = folder_blob::Encode(*folder.value());
  }
  cached_dirs_.insert(f.dir_id);
  auto st = Get("INSERT OR REPLACE INTO folder_cache (dir, data) VALUES (?1, ?2)");
  if (!st.ok()) return st.status();
  return st.value()->Bind(1, f.dir_id).BindBlob(2, blob).Run();
}

// The folders the writer still holds are done with when the scan ends: written as
// their folder_cache rows as they are now (what FinishScan changes after this drops
// the rows of the folders it touches).
Status SqliteStore::WriteHeldFolders() {
  if (folders_.empty()) return Status::Ok();
  Txn txn(db_);
  Status s = txn.Begin();
  if (s.ok()) s = CheckCopiesCurrent();
  for (auto f = folders_.begin(); s.ok() && f != folders_.end(); ++f) s = WriteFolderCache(*f);
  if (s.ok()) s = txn.Commit();
  return s;
}

// Inside a write transaction: whether another connection (a reviewer) has committed
// since the scan began. Then the folder copies taken since may predate it, and for the
// rest of the scan no folder_cache row is written from them (WriteFolderCache reads
// the folder again instead).
Status SqliteStore::CheckCopiesCurrent() {
  if (!copies_current_) return Status::Ok();
  auto version = DataVersion();
  if (!version.ok()) return version.status();
  if (version.value() != data_version_) copies_current_ = false;
  return Status::Ok();
}

// The entry `name` of a folder that is not batched, loaded into f.items.
Result<SqliteStore::WItem*> SqliteStore::LoadOne(WFolder& f, std::string_view name) {
  auto it = f.items.find(std::string(name));
  if (it != f.items.end()) return &it->second;
  auto st =
      Get("SELECT id, name, dev, ino, size, mtime, ctime, mode, uid, gid, deleted_at FROM items "
          "WHERE dir = ?1 AND name = ?2");
  if (!st.ok()) return st.status();
  Stmt& q = *st.value();
  q.Bind(1, f.dir_id).BindBlob(2, name);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    q.Reset();
    return static_cast<WItem*>(nullptr);
  }
  WItem w;
  ReadWItem(q, &w);
  q.Reset();
  auto findings = LoadFindings(w.id);
  if (!findings.ok()) return findings.status();
  w.findings = std::move(findings.value());
  // Large folders keep only the entries recorded during this batch.
  if (f.items.size() > kFolderBatchLimit) f.items.clear();
  return &f.items.emplace(std::string(name), std::move(w)).first->second;
}

}  // namespace custos::inventory
