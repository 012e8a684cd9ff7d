// Reads the SQLite inventory by folder for incremental scans (ItemReader): a folder's
// folder_cache row when it has one, otherwise its records, detections and findings,
// usually as one range of the items table and one of the findings index (a folder's
// files are recorded together).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "custos/inventory/store.h"
#include "sqlite.h"

namespace custos::inventory {

class SqliteReader : public ItemReader {
 public:
  // A reader on a read-only connection of its own.
  static Result<std::unique_ptr<SqliteReader>> Open(const std::string& path, int busy_ms);

  // A reader on the writing connection `db`, used inside its write transactions: it
  // sees what the writer has written and not yet committed. `db` must outlive it.
  static Result<std::unique_ptr<SqliteReader>> Attach(const sql::Db& db);

  Result<std::shared_ptr<const StoredFolder>> LoadFolder(std::string_view dir) override {
    return LoadFolder(dir, /*use_cache=*/true);
  }
  // With use_cache false, from the folder's rows whether it has a folder_cache row or not.
  Result<std::shared_ptr<const StoredFolder>> LoadFolder(std::string_view dir, bool use_cache);
  Result<const StoredItem*> FindOne(const StoredFolder& f, std::string_view name) override;

 private:
  SqliteReader() = default;

  const sql::Db& db() const { return attached_ != nullptr ? *attached_ : owned_; }
  Status Prepare();
  const std::string& KeyText(int64_t id);
  Status Load(StoredFolder& f, bool use_cache);

  sql::Db owned_;                      // the reader's own read-only connection, or
  const sql::Db* attached_ = nullptr;  // a writer's connection (Attach)
  sql::Stmt begin_, commit_, dir_id_, cached_, folder_span_, folder_items_, folder_items_range_,
      folder_dets_, folder_findings_, folder_findings_range_, one_item_, one_dets_, key_;
  std::unordered_map<int64_t, std::string> keys_;
  StoredItem single_;
};

}  // namespace custos::inventory
