// The SQLite store: file, schema, key, incremental reuse and its invalidation.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "custos/inventory/key.h"
#include "inventory_helpers.h"

using namespace custos;
using namespace custos::inventory;
using namespace custos::inventory::test;

namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

Item WithDetection(Item it) {
  Detection d;
  d.detector = "payment_card";
  d.count = 2;
  d.masked = {"**** **** **** 1111", "**** **** **** 4444"};
  d.hashes = {"00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100"};
  it.detections.push_back(d);
  return it;
}

}  // namespace

TEST_CASE("store: a new inventory is private, in WAL mode, at the current schema") {
  custos::test::TempDir dir;
  const std::string path = dir / "state/sub/inventory.db";
  {
    auto store = OpenSqliteStore(path);
    REQUIRE(store.ok());
    REQUIRE(store.value()->BeginScan({"/srv"}, kT0, {}, "").ok());
    CHECK(ModeOf(path) == 0600);
    CHECK(ModeOf(dir / "state/sub") == 0700);
    CHECK(ModeOf(path + "-wal") == 0600);
    CHECK(ModeOf(path + "-shm") == 0600);
    CHECK(store.value()->CheckIntegrity().ok());
  }
  CHECK(Query(path, "PRAGMA journal_mode") == "wal");
  CHECK(Query(path, "PRAGMA user_version") == std::to_string(SchemaVersion()));
  CHECK(Query(path, "PRAGMA application_id") == "1668641652");
  // Reopening migrates nothing and keeps the data.
  auto again = OpenSqliteStore(path, {.create = false});
  REQUIRE(again.ok());
  auto scans = again.value()->Scans(0);
  REQUIRE(scans.ok());
  CHECK(scans->size() == 1);
}

TEST_CASE("store: refuses what is not its inventory, or a newer one") {
  custos::test::TempDir dir;
  custos::test::WriteFile(dir / "text.db", "not a database at all, just some text........");
  auto text = OpenSqliteStore(dir / "text.db");
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().message().find("text.db") != std::string::npos);

  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "other.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto other = OpenSqliteStore(dir / "other.db");
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().message().find("not a custos inventory") != std::string::npos);

  { REQUIRE(OpenSqliteStore(dir / "new.db").ok()); }
  REQUIRE(sqlite3_open((dir / "new.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto newer = OpenSqliteStore(dir / "new.db");
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.status().message().find("newer than this custos") != std::string::npos);

  auto missing = OpenSqliteStore(dir / "missing.db", {.create = false});
  CHECK_FALSE(missing.ok());
}

TEMPLATE_TEST_CASE("recorder: a scan slower than a batch commits every batch_seconds", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  auto id = fx.store().BeginScan({"/srv"}, kT0, {}, "");
  REQUIRE(id.ok());
  RecorderOptions o;
  o.now = kT0;
  o.started_wall = 2'000'000'000;
  o.keys = Keys();
  o.batch_items = 1000;
  o.batch_seconds = 0.05;
  Recorder rec(fx.store(), id.value(), o);
  // Far fewer items than a batch, from the very first one: written after batch_seconds,
  // not only when the batch fills or the scan ends.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 3; ++i) {
      const int n = round * 3 + i;
      rec.Add(MakeItem("/srv/f" + std::to_string(n), 1 + static_cast<uint64_t>(n)));
    }
    const uint64_t want = static_cast<uint64_t>(round + 1) * 3;
    for (int i = 0; i < 1000 && rec.written() < want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(rec.written() == want);
    CHECK(fx.Query("SELECT count(*) FROM items") == std::to_string(want));
  }
}

TEMPLATE_TEST_CASE("store: one scan at a time", "", SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  REQUIRE(fx.store().LockForScan().ok());
  auto second = fx.Open();
  Status s = second->LockForScan();
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("in use by another scan") != std::string::npos);
  // Reviews are not locked out.
  CHECK(second->ExpireExceptions(kT0).ok());
}

TEST_CASE("key: generated once, private, 32 bytes, never in the inventory") {
  custos::test::TempDir dir;
  auto k1 = LoadOrCreateKey(dir / "state");
  REQUIRE(k1.ok());
  CHECK(k1->size() == kKeyBytes);
  CHECK(ModeOf(dir / "state/hmac.key") == 0600);
  CHECK(ModeOf(dir / "state") == 0700);
  auto k2 = LoadOrCreateKey(dir / "state");
  REQUIRE(k2.ok());
  CHECK(k1.value() == k2.value());
  CHECK(KeyId(k1.value()).size() == 16);
  CHECK(KeyId(k1.value()) == KeyId(k2.value()));
  CHECK(KeyId(k1.value()) != KeyId(std::string(32, 'x')));
  // Two processes racing for it end up with one key.
  custos::test::TempDir race;
  std::string a, b;
  std::thread t1([&] { a = LoadOrCreateKey(race / "s").value(); });
  std::thread t2([&] { b = LoadOrCreateKey(race / "s").value(); });
  t1.join();
  t2.join();
  CHECK(a == b);
  // A key others may read is refused.
  REQUIRE(::chmod((dir / "state/hmac.key").c_str(), 0644) == 0);
  auto open = LoadOrCreateKey(dir / "state");
  REQUIRE_FALSE(open.ok());
  CHECK(open.status().message().find("chmod 600") != std::string::npos);
  custos::test::WriteFile(dir / "short/hmac.key", "short");
  ::chmod((dir / "short/hmac.key").c_str(), 0600);
  CHECK_FALSE(LoadOrCreateKey(dir / "short").ok());
}

TEMPLATE_TEST_CASE("reuse: an unchanged item comes back whole; any change makes it be read", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  Item doc = WithDetection(MakeItem("/srv/docs/a.txt", 1));
  doc.acl = {{AclEntry::Tag::kUser, 1001, 6}, {AclEntry::Tag::kMask, 0, 6}};
  doc.content_date = 1'500'000'000;
  Item clip = MakeItem("/srv/cctv/c.mp4", 2);
  clip.mime = "video/mp4";
  clip.category = Category::kVideo;
  Item partial = MakeItem("/srv/docs/big.zip", 3);
  partial.mime = "application/zip";
  partial.category = Category::kText;
  partial.skipped = Skip::kLimitRatio;
  Item denied = MakeItem("/srv/docs/secret.txt", 4);
  denied.mime.clear();
  denied.skipped = Skip::kPermissionDenied;
  Item racy = MakeItem("/srv/docs/racy.txt", 5, 100, 2'000'000'000);
  fx.Scan({doc, clip, partial, denied, racy}, kT0);

  Reuser reuser(fx.store(), Keys());
  auto fresh = [](const Item& it) {
    Item f;
    f.path = it.path;
    f.has_info = true;
    f.info = it.info;
    return f;
  };
  Item got = fresh(doc);
  REQUIRE(reuser.TryReuse(got));
  CHECK(got.mime == "text/plain");
  CHECK(got.category == Category::kText);
  CHECK(got.content_date == doc.content_date);
  REQUIRE(got.detections.size() == 1);
  CHECK(got.detections[0].detector == "payment_card");
  CHECK(got.detections[0].count == 2);
  CHECK(got.detections[0].masked == doc.detections[0].masked);
  CHECK(got.detections[0].hashes == doc.detections[0].hashes);
  REQUIRE(got.acl.size() == 2);
  CHECK(got.acl[0].id == 1001);
  CHECK(got.acl[1].tag == AclEntry::Tag::kMask);
  CHECK(got.skipped.empty());

  Item c = fresh(clip);
  REQUIRE(reuser.TryReuse(c));
  CHECK(c.category == Category::kVideo);
  Item p = fresh(partial);
  REQUIRE(reuser.TryReuse(p));
  CHECK(p.skipped.Text() == "limit: archive ratio");
  Item d = fresh(denied);
  CHECK_FALSE(reuser.TryReuse(d));  // skipped items are tried again
  Item r = fresh(racy);
  CHECK_FALSE(reuser.TryReuse(r));  // changed in the second the scan started
  Item unknown = fresh(MakeItem("/srv/docs/new.txt", 9));
  CHECK_FALSE(reuser.TryReuse(unknown));
  Item other_dir = fresh(MakeItem("/nowhere/a.txt", 1));
  CHECK_FALSE(reuser.TryReuse(other_dir));

  // Each figure invalidates.
  for (int field = 0; field < 5; ++field) {
    Item x = fresh(doc);
    switch (field) {
      case 0:
        ++x.info.dev;
        break;
      case 1:
        ++x.info.ino;
        break;
      case 2:
        ++x.info.size;
        break;
      case 3:
        ++x.info.mtime;
        break;
      case 4:
        ++x.info.ctime;
        break;
    }
    INFO("field " << field);
    CHECK_FALSE(reuser.TryReuse(x));
  }
  // A new detector or extraction version (the searched key) re-reads searched items
  // only; a new identification version re-reads everything.
  Reuser new_detectors(fx.store(), Keys("s2", "i1"));
  Item a2 = fresh(doc), c2 = fresh(clip);
  CHECK_FALSE(new_detectors.TryReuse(a2));
  CHECK(new_detectors.TryReuse(c2));
  Reuser new_ident(fx.store(), Keys("s1", "i2"));
  Item c3 = fresh(clip);
  CHECK_FALSE(new_ident.TryReuse(c3));
  CHECK(reuser.errors() == 0);
}

TEMPLATE_TEST_CASE(
    "reuse: a reused item is recorded without rewriting it; a changed one is updated", "",
    SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({WithDetection(MakeItem("/srv/a.txt", 1))}, kT0);
  const std::string before = fx.Query("SELECT last_read || '/' || last_scan FROM items");
  Item reused = WithDetection(MakeItem("/srv/a.txt", 1));
  reused.reused = true;
  fx.Scan({reused}, kT0 + kDay);
  CHECK(fx.Query("SELECT last_read || '/' || last_scan FROM items") == before);
  Item changed = MakeItem("/srv/a.txt", 1, 555);
  fx.Scan({changed}, kT0 + 2 * kDay);
  CHECK(fx.Query("SELECT size || '/' || ndet FROM items") == "555/0");
  CHECK(fx.Query("SELECT count(*) FROM detections") == "0");
}

TEMPLATE_TEST_CASE("reuse: folders stored together or scattered load the same records and findings",
                   "", SqliteBackend, PgBackend) {
  // /srv/a and /srv/b are recorded interleaved (each one's records span the other's: a
  // range read must keep only its own); /srv/a gets a late record after many of
  // /srv/c (its records are scattered: read through the folder index).
  Fixture fx(TestType::kind);
  std::vector<Item> first;
  uint64_t ino = 1;
  for (int i = 0; i < 10; ++i) {
    Item a = MakeItem("/srv/a/f" + std::to_string(i), ino++);
    Item b = MakeItem("/srv/b/f" + std::to_string(i), ino++);
    if (i % 3 == 0) a.violations = {V("p1"), V("p1", "location", "medium")};
    if (i % 4 == 1) b.violations = {V("p1", "retention")};
    first.push_back(a);
    first.push_back(b);
  }
  fx.Scan(first, kT0);
  std::vector<Item> second = first;
  for (int i = 0; i < 50; ++i) second.push_back(MakeItem("/srv/c/f" + std::to_string(i), ino++));
  Item late = MakeItem("/srv/a/late", ino++);
  late.violations = {V("p1", "forbidden", "critical")};
  second.push_back(late);
  fx.Scan(second, kT0 + kDay);
  REQUIRE(fx.Query("SELECT count(*) FROM findings") == "12");

  Reuser reuser(fx.store(), Keys());
  for (const Item& it : second) {
    Item f;
    f.path = it.path;
    f.has_info = true;
    f.info = it.info;
    INFO(it.path);
    REQUIRE(reuser.TryReuse(f));
    auto folder = std::dynamic_pointer_cast<const StoredFolder>(f.reused_from);
    REQUIRE(folder != nullptr);
    const StoredItem* s = folder->Get(it.path.substr(it.path.rfind('/') + 1));
    REQUIRE(s != nullptr);
    CHECK(s->item.info.ino == it.info.ino);
    std::set<std::string> want, got;
    for (const Violation& v : it.violations) {
      want.insert(v.policy + "/" + std::string(ViolationKindName(v.kind)));
    }
    for (const StoredFinding& sf : s->findings) got.insert(sf.policy + "/" + sf.kind);
    CHECK(got == want);
  }
  CHECK(reuser.errors() == 0);
}

TEMPLATE_TEST_CASE("store: a folder larger than one batch is handled entry by entry", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  std::vector<Item> items;
  for (int i = 0; i < 5000; ++i) {
    Item it = MakeItem("/srv/big/f" + std::to_string(i), 100 + static_cast<uint64_t>(i));
    if (i % 1000 == 0) it.violations = {V("p1")};
    items.push_back(it);
  }
  fx.Scan(items, kT0);
  CHECK(fx.Findings().size() == 5);
  Reuser reuser(fx.store(), Keys());
  int reused = 0;
  for (const Item& it : items) {
    Item f;
    f.path = it.path;
    f.has_info = true;
    f.info = it.info;
    reused += reuser.TryReuse(f) ? 1 : 0;
  }
  CHECK(reused == 5000);
  for (Item& it : items) it.reused = true;
  items.pop_back();  // f4999 is gone
  fx.Scan(items, kT0 + kDay);
  auto totals = fx.store().Totals();
  REQUIRE(totals.ok());
  CHECK(totals->items == 4999);
  CHECK(totals->deleted == 1);
  for (const Finding& f : fx.Findings()) CHECK(f.status == FindingStatus::kOpen);
}

TEMPLATE_TEST_CASE("store: paths are bytes; a batch that fails leaves nothing half-written", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  const std::string odd = std::string("/srv/caf\xe9/\x01line\nbreak.txt");
  Item it = MakeItem(odd, 1);
  it.violations = {V("p1")};
  fx.Scan({it}, kT0);
  CHECK(fx.One().path == odd);
  Reuser reuser(fx.store(), Keys());
  Item f;
  f.path = odd;
  f.has_info = true;
  f.info = it.info;
  CHECK(reuser.TryReuse(f));
  CHECK(fx.store().CheckIntegrity().ok());
}

TEMPLATE_TEST_CASE("recorder: commits in batches while the scan runs", "", SqliteBackend,
                   PgBackend) {
  Fixture fx(TestType::kind);
  auto id = fx.store().BeginScan({"/srv"}, kT0, {}, "");
  REQUIRE(id.ok());
  RecorderOptions o;
  o.now = kT0;
  o.started_wall = 2'000'000'000;
  o.keys = Keys();
  o.batch_items = 10;
  o.batch_seconds = 0.05;
  {
    Recorder rec(fx.store(), id.value(), o);
    for (int i = 0; i < 25; ++i)
      rec.Add(MakeItem("/srv/f" + std::to_string(i), 1 + static_cast<uint64_t>(i)));
    // Two full batches at once, the rest after batch_seconds, all before Finish().
    for (int i = 0; i < 200 && rec.written() < 25; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(rec.written() == 25);
    CHECK(fx.Query("SELECT count(*) FROM items") == "25");
    // Destroyed without Finish(): as if killed after the last commit.
  }
  CHECK(fx.Query("SELECT state FROM scans") == "running");
  auto next = fx.store().BeginScan({"/srv"}, kT0 + kDay, {}, "");
  REQUIRE(next.ok());
  CHECK(fx.Query("SELECT state FROM scans WHERE id = 1") == "interrupted");
}

TEMPLATE_TEST_CASE("store: policies, scans and events for reports", "", SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  Item a = MakeItem("/srv/a.txt", 1);
  a.violations = {V("p1")};
  fx.Scan({a}, kT0);
  auto pol = fx.store().Policies();
  REQUIRE(pol.ok());
  REQUIRE(pol->size() == 1);
  CHECK((*pol)[0].description == "Policy one");
  CHECK((*pol)[0].references == std::vector<std::string>{"GDPR Art. 5"});
  auto last = fx.store().LastCompleteScan();
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->roots == std::vector<std::string>{"/srv"});
  CHECK((*last)->totals.items == 1);
  auto events = fx.store().Events(0);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  CHECK(events->front().to == FindingStatus::kNew);
  CHECK_FALSE(events->front().from.has_value());
  CHECK(events->front().scan_id == 1);
}

TEMPLATE_TEST_CASE(
    "store: an inventory from before the scans counted what they left out is migrated", "",
    SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({MakeItem("/srv/a.txt", 1)}, kT0);
  // Back to the schema before: scans without the three columns.
  const std::string drop = kScansBeforeLeftOut;
  const std::string columns =
      fx.pg() ? "SELECT count(*) FROM information_schema.columns WHERE table_name = 'scans' AND "
                "column_name IN ('excluded', 'links_not_followed', 'other_filesystems')"
              : "SELECT count(*) FROM pragma_table_info('scans') WHERE name IN ('excluded', "
                "'links_not_followed', 'other_filesystems')";
  const std::string version = fx.pg() ? "SELECT convert_from(value, 'UTF8') FROM custos_meta "
                                        "WHERE key = 'schema_version'"
                                      : "PRAGMA user_version";
  const std::string current = fx.Query(version);
  if (fx.pg()) {
    fx.Query(drop +
             "UPDATE custos_meta SET value = convert_to('1', 'UTF8') WHERE key = "
             "'schema_version'");
  } else {
    Exec(fx.path(), drop + "PRAGMA user_version = 4");
  }
  REQUIRE(fx.Query(columns) == "0");
  fx.Reopen();
  CHECK(fx.Query(version) == current);
  CHECK(fx.Query(columns) == "3");
  // The scan from before counts nothing left out; a new one keeps its figures.
  fx.left_out.excluded = 3;
  fx.left_out.links_not_followed = 2;
  fx.left_out.other_filesystems = 1;
  fx.Scan({MakeItem("/srv/a.txt", 1)}, kT0 + kDay);
  auto scans = fx.store().Scans(0);
  REQUIRE(scans.ok());
  REQUIRE(scans->size() == 2);
  CHECK(scans->at(0).totals.excluded == 0);
  CHECK(scans->at(0).totals.links_not_followed == 0);
  CHECK(scans->at(0).totals.other_filesystems == 0);
  CHECK(scans->at(1).totals.excluded == 3);
  CHECK(scans->at(1).totals.links_not_followed == 2);
  CHECK(scans->at(1).totals.other_filesystems == 1);
}
