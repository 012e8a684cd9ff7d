#include "sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "custos/base/escape.h"
#include "folder_blob.h"
#include "schema.h"
#include "sqlite_rows.h"

namespace custos::inventory {

using sql::Db;
using sql::ReadTxn;
using sql::Stmt;
using sql::Txn;

namespace {

constexpr int64_t kApplicationId = 1668641652;  // 'cust'

Status MakeParentDirs(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return Status::Ok();
  const std::string dir = path.substr(0, slash);
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return Status::Ok();
  Status s = MakeParentDirs(dir);
  if (!s.ok()) return s;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Status::FromErrno(dir, errno);
  return Status::Ok();
}

Result<std::string> PragmaText(const Db& db, const std::string& pragma) {
  auto st = Stmt::Prepare(db, pragma);
  if (!st.ok()) return st.status();
  auto row = st->Step();
  if (!row.ok()) return row.status();
  std::string v = *row ? st->Text(0) : "";
  st->Reset();
  return v;
}

}  // namespace

SqliteStore::SqliteStore(std::string path, Db db, const OpenOptions& options)
    : path_(std::move(path)), db_(std::move(db)), options_(options), finding_writer_(db_) {}

SqliteStore::~SqliteStore() {
  // Fold the WAL back into the file and truncate it, so that a finished run leaves
  // one file behind. Fails harmlessly while another connection reads.
  rows_.reset();
  stmts_.clear();
  (void)db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Status SqliteStore::CheckIntegrity() {
  auto st = Stmt::Prepare(db_, "PRAGMA integrity_check");
  if (!st.ok()) return st.status();
  std::string problems;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (st->View(0) != "ok") problems += st->Text(0) + "\n";
  }
  st->Reset();
  auto fk = Stmt::Prepare(db_, "PRAGMA foreign_key_check");
  if (!fk.ok()) return fk.status();
  while (true) {
    auto row = fk->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    problems += "foreign key: " + fk->Text(0) + " row " + fk->Text(1) + "\n";
  }
  fk->Reset();
  // Every folder_cache row must say what the folder's rows say.
  auto reader = Rows();
  if (!reader.ok()) return reader.status();
  auto rows = Stmt::Prepare(
      db_, "SELECT d.path, c.data FROM folder_cache c LEFT JOIN dirs d ON d.id = c.dir");
  if (!rows.ok()) return rows.status();
  while (true) {
    auto row = rows->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto folder = reader.value()->LoadFolder(rows->View(0), /*use_cache=*/false);
    if (!folder.ok()) return folder.status();
    if (folder.value()->items.empty() || folder_blob::Encode(*folder.value()) != rows->View(1)) {
      problems += "folder_cache: the row of " + EscapeBytes(rows->View(0), true) +
                  " does not match the folder's records\n";
    }
  }
  rows->Reset();
  if (!problems.empty()) return Status::Io(path_ + ": damaged inventory:\n" + problems);
  return Status::Ok();
}

// A cached prepared statement of the writing connection. `sql` must be a literal
// (it is cached by address).
Result<Stmt*> SqliteStore::Get(const char* sql) {
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) return &it->second;
  auto st = Stmt::Prepare(db_, sql);
  if (!st.ok()) return st.status();
  return &stmts_.emplace(sql, std::move(st.value())).first->second;
}

Result<int64_t> SqliteStore::DirId(std::string_view dir) {
  auto sel = Get("SELECT id FROM dirs WHERE path = ?1");
  if (!sel.ok()) return sel.status();
  Stmt& q = *sel.value();
  for (int attempt = 0; attempt < 2; ++attempt) {
    q.BindBlob(1, dir);
    auto row = q.Step();
    if (!row.ok()) return row.status();
    const int64_t id = *row ? q.Int(0) : 0;
    q.Reset();
    if (id != 0) return id;
    if (attempt == 0) {
      auto ins = Get("INSERT INTO dirs (path) VALUES (?1) ON CONFLICT (path) DO NOTHING");
      if (!ins.ok()) return ins.status();
      Status s = ins.value()->BindBlob(1, dir).Run();
      if (!s.ok()) return s;
    }
  }
  return Status::Io(path_ + ": folder record vanished");
}

Result<int64_t> SqliteStore::ContentKeyId(const std::string& key) {
  auto it = key_ids_.find(key);
  if (it != key_ids_.end()) return it->second;
  auto ins = Get("INSERT INTO content_keys (key) VALUES (?1) ON CONFLICT (key) DO NOTHING");
  if (!ins.ok()) return ins.status();
  Status s = ins.value()->Bind(1, key).Run();
  if (!s.ok()) return s;
  auto sel = Get("SELECT id FROM content_keys WHERE key = ?1");
  if (!sel.ok()) return sel.status();
  Stmt& q = *sel.value();
  q.Bind(1, key);
  auto row = q.Step();
  if (!row.ok()) return row.status();
  const int64_t id = *row ? q.Int(0) : 0;
  q.Reset();
  // Not cached across transactions that might roll back: a rolled-back insert would
  // leave a dangling id. The cache is cleared with the folders on error.
  key_ids_.emplace(key, id);
  return id;
}

Result<std::vector<SqliteStore::WFinding>> SqliteStore::LoadFindings(int64_t item_id) {
  static const std::string sql =
      std::string("SELECT ") + kFindingColumns + " FROM findings f WHERE f.item = ?1";
  return SelectFindings(sql.c_str(), item_id);
}

// The findings `sql` (SELECT kFindingColumns ..., with ?1 bound to `param`) returns.
// `sql` is kept by address in the statement cache: it must live as long as the store.
Result<std::vector<SqliteStore::WFinding>> SqliteStore::SelectFindings(const char* sql,
                                                                       int64_t param) {
  auto st = Get(sql);
  if (!st.ok()) return st.status();
  Stmt& q = *st.value();
  q.Bind(1, param);
  std::vector<WFinding> out;
  while (true) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    WFinding f;
    ReadFinding(q, 0, &f);
    out.push_back(std::move(f));
  }
  q.Reset();
  return out;
}

void SqliteStore::ReadWItem(const Stmt& q, WItem* w) {
  w->id = q.Int(0);
  w->info.dev = static_cast<uint64_t>(q.Int(2));
  w->info.ino = static_cast<uint64_t>(q.Int(3));
  w->info.size = static_cast<uint64_t>(q.Int(4));
  w->info.mtime = q.Int(5);
  w->info.ctime = q.Int(6);
  w->info.mode = static_cast<uint32_t>(q.Int(7));
  w->info.uid = static_cast<uint32_t>(q.Int(8));
  w->info.gid = static_cast<uint32_t>(q.Int(9));
  w->deleted_at = q.IsNull(10) ? 0 : q.Int(10);
}

// The reader on the writing connection (SqliteReader::Attach).
Result<SqliteReader*> SqliteStore::Rows() {
  if (rows_ == nullptr) {
    auto r = SqliteReader::Attach(db_);
    if (!r.ok()) return r.status();
    rows_ = std::move(r.value());
  }
  return rows_.get();
}

// PRAGMA data_version: changes when another connection commits.
Result<int64_t> SqliteStore::DataVersion() {
  auto st = Get("PRAGMA data_version");
  if (!st.ok()) return st.status();
  Stmt& q = *st.value();
  auto row = q.Step();
  const int64_t v = row.ok() && *row ? q.Int(0) : 0;
  q.Reset();
  if (!row.ok()) return row.status();
  return v;
}

// Carries out a lifecycle plan about `findings` (of item `item_id`, at `place`).
Status SqliteStore::ApplyPlan(const lifecycle::Plan& plan, int64_t item_id,
                              std::vector<WFinding>& findings, const lifecycle::Place& place) {
  if (plan.empty()) return Status::Ok();
  Status s = lifecycle::Apply(plan, item_id, findings, place, finding_writer_);
  // A finding changed under the writer: the folder copies in memory may be as stale.
  if (finding_writer_.TakeConflict()) copies_current_ = false;
  return s;
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const OpenOptions& options) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !options.create) return Status::FromErrno(path, errno);
    Status s = MakeParentDirs(path);
    if (!s.ok()) return s;
    // Created here, private, before SQLite sees it; SQLite gives its -wal and -shm
    // files the same permissions.
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() && errno != EEXIST) return Status::FromErrno(path, errno);
  } else if (!S_ISREG(st.st_mode)) {
    return Status::Invalid(path + ": not a regular file");
  }
  auto db = Db::Open(path, SQLITE_OPEN_READWRITE);
  if (!db.ok()) return db.status();
  sqlite3_busy_timeout(db->get(), options.busy_timeout_ms);
  // Recognise a file that is not ours before changing anything in it.
  auto app = PragmaText(*db, "PRAGMA application_id");
  if (!app.ok())
    return Status::Invalid(path + ": not a custos inventory (" + app.status().message() + ")");
  auto version = PragmaText(*db, "PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (version.value() != "0" && app.value() != std::to_string(kApplicationId)) {
    return Status::Invalid(path + ": not a custos inventory");
  }
  if (version.value() == "0") {
    auto tables = PragmaText(*db, "SELECT count(*) FROM sqlite_master");
    if (!tables.ok()) return tables.status();
    if (tables.value() != "0") return Status::Invalid(path + ": not a custos inventory");
  }
  auto mode = PragmaText(*db, "PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  if (mode.value() != "wal")
    return Status::Io(path + ": cannot use WAL mode (" + mode.value() + ")");
  Status s =
      db->Exec(std::string("PRAGMA synchronous = ") + (options.durable ? "FULL" : "NORMAL") +
               "; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; " + kConnectionPragmas);
  if (!s.ok()) return s;
  s = Migrate(*db);
  if (!s.ok()) return s;
  auto store = std::make_unique<SqliteStore>(path, std::move(db.value()), options);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace custos::inventory
