#include "sqlite.h"

#include <utility>

namespace custos::inventory::sql {

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Db::Db(Db&& o) noexcept : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
  }
  return *this;
}

Result<Db> Db::Open(const std::string& path, int flags) {
  Db db;
  db.path_ = path;
  const int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = db.db_ != nullptr ? db.Error("open") : Status::Io(path + ": cannot open");
    return s;
  }
  sqlite3_extended_result_codes(db.db_, 1);
  return db;
}

Status Db::Exec(std::string_view sql) const {
  char* err = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = path_ + ": " + (err != nullptr ? err : "error");
    sqlite3_free(err);
    return Status::Io(m);
  }
  return Status::Ok();
}

Status Db::Error(std::string_view what) const {
  return Status::Io(path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

Stmt::~Stmt() {
  if (st_ != nullptr) sqlite3_finalize(st_);
}

Stmt::Stmt(Stmt&& o) noexcept
    : st_(std::exchange(o.st_, nullptr)), db_(o.db_), stepped_(o.stepped_) {}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (st_ != nullptr) sqlite3_finalize(st_);
    st_ = std::exchange(o.st_, nullptr);
    db_ = o.db_;
    stepped_ = o.stepped_;
  }
  return *this;
}

Result<Stmt> Stmt::Prepare(const Db& db, std::string_view sql) {
  Stmt s;
  s.db_ = db.get();
  if (sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &s.st_, nullptr) != SQLITE_OK) {
    return db.Error("prepare \"" + std::string(sql.substr(0, 60)) + "\"");
  }
  return s;
}

Stmt& Stmt::Bind(int i, int64_t v) {
  Rearm();
  sqlite3_bind_int64(st_, i, v);
  return *this;
}

Stmt& Stmt::Bind(int i, std::string_view text) {
  Rearm();
  sqlite3_bind_text(st_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindBlob(int i, std::string_view bytes) {
  Rearm();
  // A zero-length blob must still be a blob, not NULL.
  sqlite3_bind_blob(st_, i, bytes.empty() ? "" : bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindNull(int i) {
  Rearm();
  sqlite3_bind_null(st_, i);
  return *this;
}

Stmt& Stmt::BindOpt(int i, std::optional<int64_t> v) { return v ? Bind(i, *v) : BindNull(i); }

void Stmt::Rearm() {
  if (stepped_) {
    sqlite3_reset(st_);
    stepped_ = false;
  }
}

Result<bool> Stmt::Step() {
  stepped_ = true;
  const int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s = Status::Io(std::string(sqlite3_db_filename(db_, "main")) + ": " + sqlite3_errmsg(db_));
  Reset();
  return s;
}

Status Stmt::Run() {
  auto r = Step();
  Reset();
  if (!r.ok()) return r.status();
  return Status::Ok();
}

void Stmt::Reset() {
  stepped_ = false;
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::string Stmt::Text(int col) const { return std::string(View(col)); }

std::string_view Stmt::View(int col) const {
  const void* p = sqlite3_column_blob(st_, col);
  const int n = sqlite3_column_bytes(st_, col);
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const char*>(p), static_cast<size_t>(n)};
}

ReadTxn::~ReadTxn() {
  if (open_) (void)db_.Exec("COMMIT");
}

Status ReadTxn::Begin() {
  if (sqlite3_get_autocommit(db_.get()) == 0) return Status::Ok();
  Status s = db_.Exec("BEGIN");
  open_ = s.ok();
  return s;
}

Txn::~Txn() {
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status Txn::Begin() {
  Status s = db_.Exec("BEGIN IMMEDIATE");
  open_ = s.ok();
  return s;
}

Status Txn::Commit() {
  Status s = db_.Exec("COMMIT");
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace custos::inventory::sql
