// Helpers of the inventory unit tests: items made by hand and a store in a temporary
// folder, driven the way a scan drives it.
#pragma once

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "custos/inventory/recorder.h"
#include "custos/inventory/store.h"
#include "support/pg_cluster.h"
#include "support/support.h"

namespace custos::inventory::test {

// An item as a scan would hand it over; ctime and mtime are old enough to be reused.
inline Item MakeItem(const std::string& path, uint64_t ino, uint64_t size = 100,
                     int64_t mtime = 1'600'000'000) {
  Item it;
  it.path = path;
  it.has_info = true;
  it.info.dev = 42;
  it.info.ino = ino;
  it.info.size = size;
  it.info.mtime = mtime;
  it.info.ctime = mtime;
  it.info.mode = 0100644;
  it.info.uid = 1000;
  it.info.gid = 1000;
  it.owner = "guard";
  it.group = "staff";
  it.mime = "text/plain";
  it.category = Category::kText;
  return it;
}

inline Violation V(const std::string& policy, const std::string& kind = "access",
                   const std::string& severity = "high") {
  return {policy, ParseViolationKind(kind).value(), ParseSeverity(severity).value(), "because"};
}

inline ContentKeys Keys(const std::string& searched = "s1", const std::string& identified = "i1") {
  ContentKeys k;
  k.searched = searched;
  k.identified = identified;
  k.is_searched = [](const Item& item) { return item.category == Category::kText; };
  return k;
}

// The stores a test body runs against (one test body, two backends):
// TEMPLATE_TEST_CASE("...", "", SqliteBackend, PgBackend) { Fixture fx(TestType::kind); }
enum class Backend { kSqlite, kPostgres };
struct SqliteBackend {
  static constexpr Backend kind = Backend::kSqlite;
};
struct PgBackend {
  static constexpr Backend kind = Backend::kPostgres;
};

// A PostgreSQL test without the server ends skipped under CTest (and fails when run by
// hand without CUSTOS_TEST_SKIP_CODE, rather than pass without having run).
inline custos::test::PgCluster& PgOrSkip() {
  if (custos::test::PgCluster::BinDir().empty()) {
    custos::test::ExitIfSkipCode("PostgreSQL server not installed (apt-get install postgresql)");
    FAIL("PostgreSQL server not installed (apt-get install postgresql)");
  }
  return custos::test::PgCluster::Shared();
}

// A store in a temporary folder (SQLite) or a fresh database of the test process's
// cluster (PostgreSQL), with "scans" of hand-made items.
class Fixture {
 public:
  explicit Fixture(Backend backend = Backend::kSqlite) : backend_(backend), path_(dir_ / "inv.db") {
    if (backend_ == Backend::kPostgres) {
      uri_ = PgOrSkip().NewDatabase();
      db_ = uri_.substr(uri_.find(":///") + 4, uri_.find('?') - uri_.find(":///") - 4);
    }
    Reopen();
  }

  Store& store() { return *store_; }
  Backend backend() const { return backend_; }
  bool pg() const { return backend_ == Backend::kPostgres; }
  // The SQLite file (SQLite only).
  const std::string& path() const { return path_; }
  // Where the store is: the file, or the database's URI.
  const std::string& location() const { return pg() ? uri_ : path_; }
  const custos::test::TempDir& dir() const { return dir_; }
  void Reopen() {
    store_.reset();
    store_ = Open();
  }
  // Another handle on the same inventory (as another process would open it).
  std::unique_ptr<Store> Open(const OpenOptions& options = {}) {
    auto s = pg() ? OpenPgStore(uri_, options) : OpenSqliteStore(path_, options);
    INFO(s.status().message());
    REQUIRE(s.ok());
    return std::move(s.value());
  }
  // `sql` run on the inventory with a connection of its own: the first column of the
  // first row as text.
  std::string Query(const std::string& sql) const;
  // Every finding row as stored, and the number of events, as one text: to tell that a
  // scan wrote nothing about findings.
  std::string AllFindings() const;
  // pg_dump of the database, or the SQLite file's bytes.
  std::string Dump() const {
    return pg() ? custos::test::PgCluster::Shared().Dump(db_) : custos::test::ReadFile(path_);
  }

  // Runs one scan of `items` under `roots` at time `now`. `exists` answers for paths
  // the scan did not reach (default: nothing exists any more).
  int64_t Scan(
      const std::vector<Item>& items, int64_t now, bool complete = true,
      std::vector<std::string> roots = {"/srv"},
      ExistsFn exists = [](const std::string&, uint64_t, uint64_t) { return false; }) {
    return Run(items, now, complete, std::move(roots), std::move(exists), nullptr);
  }

  // Like Scan, but the way the scanner runs one: every item is first offered to a
  // Reuser, which loads its folder from the inventory (the folder cache or the rows).
  // An item found unchanged is recorded as reused, with the folder it was judged
  // against; any other is recorded as read. `items` give paths, file figures, what a
  // read finds and the violations. Returns how many items were reused.
  uint64_t ScanReusing(const std::vector<Item>& items, int64_t now) {
    uint64_t reused = 0;
    Run(
        items, now, true, {"/srv"}, [](const std::string&, uint64_t, uint64_t) { return false; },
        &reused);
    return reused;
  }

  std::vector<Finding> Findings(FindingQuery q = {}) {
    auto f = store_->ListFindings(q);
    REQUIRE(f.ok());
    return f.value();
  }

  // What the next scans' walks left out (ScanTotals::excluded, links_not_followed,
  // other_filesystems), recorded with their totals.
  ScanTotals left_out;

  Finding One(const std::string& policy = "p1") {
    FindingQuery q;
    q.policies = {policy};
    auto all = Findings(q);
    REQUIRE(all.size() == 1);
    return all[0];
  }

 private:
  int64_t Run(const std::vector<Item>& items, int64_t now, bool complete,
              std::vector<std::string> roots, ExistsFn exists, uint64_t* reused) {
    auto id = store_->BeginScan(roots, now, {{"p1", "Policy one", {"GDPR Art. 5"}, "high"}}, "k");
    REQUIRE(id.ok());
    RecorderOptions o;
    o.now = now;
    o.started_wall = 2'000'000'000;
    o.keys = Keys();
    o.batch_items = 3;
    o.exists = exists;
    std::unique_ptr<Reuser> reuser;
    if (reused != nullptr) reuser = std::make_unique<Reuser>(*store_, Keys());
    Recorder rec(*store_, id.value(), o);
    ScanTotals totals;
    totals.excluded = left_out.excluded;
    totals.links_not_followed = left_out.links_not_followed;
    totals.other_filesystems = left_out.other_filesystems;
    for (const Item& it : items) {
      Item f = it;
      if (reuser != nullptr) {
        Item fresh;
        fresh.path = it.path;
        fresh.has_info = true;
        fresh.info = it.info;
        fresh.owner = it.owner;
        fresh.group = it.group;
        if (reuser->TryReuse(fresh)) {
          fresh.reused = true;
          fresh.violations = it.violations;
          f = std::move(fresh);
          ++*reused;
        } else {
          f.reused_from = fresh.reused_from;
        }
      }
      rec.Add(std::move(f));
      ++totals.items;
    }
    Status s = rec.Finish(complete ? ScanState::kComplete : ScanState::kInterrupted, totals);
    INFO(s.message());
    REQUIRE(s.ok());
    if (reuser != nullptr) CHECK(reuser->errors() == 0);
    return id.value();
  }

  Backend backend_;
  custos::test::TempDir dir_;
  std::string path_;
  std::string uri_, db_;  // PostgreSQL
  std::unique_ptr<Store> store_;
};

// Runs `sql` on the file with a connection of its own (as another process would) and
// returns the first column of the first row as text.
inline std::string Query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::string out;
  const int rc = sqlite3_step(st);
  CHECK((rc == SQLITE_ROW || rc == SQLITE_DONE));
  if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// Runs statements (several, separated by semicolons) on the file.
inline void Exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

// Every finding row as stored, and the number of events, as one text (Query): to tell
// that a scan wrote nothing about findings.
constexpr const char* kAllFindings =
    "SELECT (SELECT group_concat(r, ' ') FROM (SELECT id || ':' || status || ':' || severity || "
    "':' || reason || ':' || last_seen || ':' || last_scan || ':' || status_changed || ':' || "
    "pinned AS r FROM findings ORDER BY id)) || ' events ' || (SELECT count(*) FROM events)";

inline std::string Fixture::Query(const std::string& sql) const {
  if (!pg()) return ::custos::inventory::test::Query(path_, sql);
  const std::string out = custos::test::PgCluster::Shared().Psql(db_, sql);
  return out.substr(0, out.find('\n'));
}

inline std::string Fixture::AllFindings() const {
  if (!pg()) return Query(kAllFindings);
  return Query(
      "SELECT (SELECT string_agg(r, ' ') FROM (SELECT id || ':' || status || ':' || severity || "
      "':' || encode(reason, 'hex') || ':' || last_seen || ':' || last_scan || ':' || "
      "status_changed || ':' || pinned AS r FROM findings ORDER BY id) x) || ' events ' || "
      "(SELECT count(*) FROM events)");
}

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'700'000'000;  // 2023-11-14
// SQL that takes the events table back to before schema 4 (no person on an event).
constexpr const char* kEventsBeforeSchema4 =
    "ALTER TABLE events DROP COLUMN by_name; ALTER TABLE events DROP COLUMN by_uid; ";
// SQL that takes the scans table back to before schema 5 (SQLite) and 2 (PostgreSQL):
// no counts of what a scan left out.
constexpr const char* kScansBeforeLeftOut =
    "ALTER TABLE scans DROP COLUMN excluded; ALTER TABLE scans DROP COLUMN links_not_followed; "
    "ALTER TABLE scans DROP COLUMN other_filesystems; ";
// The person the tests' decisions are made by.
inline const Actor kReviewer{"dpo", 1000};

}  // namespace custos::inventory::test
