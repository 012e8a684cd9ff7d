// Small RAII wrappers over the sqlite3 C API: a connection (Db), a prepared statement
// (Stmt) and a transaction guard (Txn). No exceptions; errors become Status.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "custos/base/status.h"

namespace custos::inventory::sql {

class Db {
 public:
  Db() = default;
  ~Db();
  Db(Db&& o) noexcept;
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Opens `path` with `flags` (SQLITE_OPEN_*); `what` names the file in errors.
  static Result<Db> Open(const std::string& path, int flags);
  sqlite3* get() const { return db_; }
  // Runs one or more statements without results.
  Status Exec(std::string_view sql) const;
  // Status for the connection's last error, prefixed with `what`.
  Status Error(std::string_view what) const;
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  int64_t TotalChanges() const { return sqlite3_total_changes64(db_); }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement. Binding indices are 1-based; binding again after Step() resets
// the statement first, so a statement can be reused without an explicit Reset().
class Stmt {
 public:
  Stmt() = default;
  ~Stmt();
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  static Result<Stmt> Prepare(const Db& db, std::string_view sql);

  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, std::string_view text);  // TEXT
  Stmt& BindBlob(int i, std::string_view bytes);
  Stmt& BindNull(int i);
  Stmt& BindOpt(int i, std::optional<int64_t> v);
  // SQLITE_ROW -> true, SQLITE_DONE -> false, otherwise the error (statement reset).
  Result<bool> Step();
  // Steps a statement that returns no row, then resets it.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(st_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
  std::string Text(int col) const;       // TEXT or BLOB bytes
  std::string_view View(int col) const;  // valid until the next Step/Reset
  sqlite3_stmt* get() const { return st_; }

 private:
  void Rearm();

  sqlite3_stmt* st_ = nullptr;
  sqlite3* db_ = nullptr;
  bool stepped_ = false;
};

// BEGIN IMMEDIATE on construction (Begin()), ROLLBACK on destruction unless Commit().
class Txn {
 public:
  explicit Txn(const Db& db) : db_(db) {}
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  Status Begin();
  Status Commit();

 private:
  const Db& db_;
  bool open_ = false;
};

// A read transaction (BEGIN DEFERRED): the statements inside see one state of the file.
// Ended on destruction. Does nothing inside a transaction already open.
class ReadTxn {
 public:
  explicit ReadTxn(const Db& db) : db_(db) {}
  ~ReadTxn();
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;
  Status Begin();

 private:
  const Db& db_;
  bool open_ = false;
};

}  // namespace custos::inventory::sql
