// The folder cache in the store: written by a scan that found a folder unchanged, read
// by the next one, dropped by every change to the folder's rows (whoever makes it),
// never written from what a reviewer changed meanwhile, and checked by CheckIntegrity.
#include <catch2/catch.hpp>
#include <set>

#include "inventory_helpers.h"

using namespace custos;
using namespace custos::inventory;
using namespace custos::inventory::test;

namespace {

// A query of the findings in status `s`.
FindingQuery StatusIs(FindingStatus s) {
  FindingQuery q;
  q.statuses = {s};
  return q;
}

bool Cached(const Fixture& fx, const std::string& dir) {
  return Query(fx.path(),
               "SELECT count(*) FROM folder_cache c JOIN dirs d ON d.id = c.dir WHERE CAST(d.path "
               "AS TEXT) = '" +
                   dir + "'") == "1";
}

std::shared_ptr<const StoredFolder> Load(Fixture& fx, const std::string& dir) {
  auto reader = fx.store().OpenReader();
  REQUIRE(reader.ok());
  auto f = reader.value()->LoadFolder(dir);
  REQUIRE(f.ok());
  return f.value();
}

void CheckIntegrity(Fixture& fx) {
  Status s = fx.store().CheckIntegrity();
  INFO(s.message());
  CHECK(s.ok());
}

// Two folders: /srv/a with findings and detections, /srv/b plain.
std::vector<Item> TwoFolders() {
  std::vector<Item> items;
  for (int i = 0; i < 6; ++i) {
    Item a = MakeItem("/srv/a/f" + std::to_string(i), 100 + i);
    if (i % 2 == 0) {
      a.detections.emplace_back("payment_card", 1 + i, std::vector<std::string>{"**** 1111"},
                                std::vector<std::string>{"00112233445566778899aabbccddeeff"});
      a.violations = {V("p1", "forbidden", "critical"), V("p1", "access")};
    }
    items.push_back(a);
    items.push_back(MakeItem("/srv/b/g" + std::to_string(i), 200 + i));
  }
  return items;
}

// A scan of unchanged `items` at `now` whose readers load every folder before a
// reviewer (another connection) acknowledges `finding`, and whose writer records after.
void ScanAcrossReview(Fixture& fx, const std::vector<Item>& items, int64_t now, int64_t finding) {
  auto id = fx.store().BeginScan({"/srv"}, now, {}, "k");
  REQUIRE(id.ok());
  Reuser reuser(fx.store(), Keys());
  std::vector<Item> judged;
  for (const Item& it : items) {
    Item fresh;
    fresh.path = it.path;
    fresh.has_info = true;
    fresh.info = it.info;
    REQUIRE(reuser.TryReuse(fresh));
    fresh.reused = true;
    fresh.violations = it.violations;
    judged.push_back(std::move(fresh));
  }
  {
    auto other = OpenSqliteStore(fx.path());
    REQUIRE(other.ok());
    REQUIRE(other.value()->Acknowledge(finding, "", now, kReviewer).ok());
  }
  RecorderOptions o;
  o.now = now;
  o.started_wall = 2'000'000'000;
  o.keys = Keys();
  Recorder rec(fx.store(), id.value(), o);
  for (Item& it : judged) rec.Add(std::move(it));
  REQUIRE(rec.Finish(ScanState::kComplete, {}).ok());
}

}  // namespace

TEST_CASE("folder cache: a scan caches the folders it wrote or found unchanged") {
  Fixture fx;
  const std::vector<Item> items = TwoFolders();
  // The first scan writes every record, and caches the folders as it leaves them.
  fx.Scan(items, kT0);
  CHECK(Cached(fx, "/srv/a"));
  CHECK(Cached(fx, "/srv/b"));
  CHECK(Load(fx, "/srv/a")->from_cache);
  CheckIntegrity(fx);

  // Unchanged: everything reused, nothing written to the items or the findings (that
  // the scan saw the new findings again, which opens them, follows from its coverage);
  // both folders still cached.
  const std::string items_before =
      Query(fx.path(), "SELECT group_concat(last_scan || ':' || last_read) FROM items");
  const std::string findings_before = Query(fx.path(), kAllFindings);
  CHECK(fx.ScanReusing(items, kT0 + 60) == items.size());
  CHECK(Cached(fx, "/srv/a"));
  CHECK(Cached(fx, "/srv/b"));
  for (const Finding& f : fx.Findings()) CHECK(f.status == FindingStatus::kOpen);
  CHECK(Query(fx.path(), "SELECT group_concat(last_scan || ':' || last_read) FROM items") ==
        items_before);
  CHECK(Query(fx.path(), kAllFindings) == findings_before);
  CheckIntegrity(fx);

  // The next scan decodes the rows: the same records, detections and findings.
  auto a = Load(fx, "/srv/a");
  CHECK(a->from_cache);
  REQUIRE(a->items.size() == 6);
  const StoredItem* f0 = a->Get("f0");
  REQUIRE(f0 != nullptr);
  CHECK(f0->item.info.ino == 100);
  REQUIRE(f0->item.detections.size() == 1);
  CHECK(f0->item.detections[0].masked == std::vector<std::string>{"**** 1111"});
  CHECK(f0->item.detections[0].hashes ==
        std::vector<std::string>{"00112233445566778899aabbccddeeff"});
  CHECK(f0->findings.size() == 2);
  CHECK_FALSE(f0->content_key.empty());
  CHECK(a->Get("f1")->findings.empty());
  CHECK(fx.ScanReusing(items, kT0 + 120) == items.size());
  CHECK(Cached(fx, "/srv/a"));
  CHECK(fx.Findings().size() == 6);
  CheckIntegrity(fx);

  // A row that does not decode is passed over for the folder's rows, and reported.
  Query(fx.path(),
        "UPDATE folder_cache SET data = x'01ff' WHERE dir = (SELECT id FROM dirs WHERE CAST(path "
        "AS TEXT) = "
        "'/srv/a')");
  a = Load(fx, "/srv/a");
  CHECK_FALSE(a->from_cache);
  CHECK(a->items.size() == 6);
  Status s = fx.store().CheckIntegrity();
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("folder_cache: the row of /srv/a does not match") != std::string::npos);
  // A row that decodes but says something else (another folder's) is caught as well.
  Query(fx.path(),
        "UPDATE folder_cache SET data = (SELECT data FROM folder_cache WHERE dir = (SELECT id FROM "
        "dirs WHERE CAST(path AS TEXT) = '/srv/b')) WHERE dir = (SELECT id FROM dirs WHERE "
        "CAST(path AS TEXT) = '/srv/a')");
  CHECK_FALSE(fx.store().CheckIntegrity().ok());
}

TEST_CASE("folder cache: whatever changes a folder, its row never says otherwise") {
  // A scan that changes a folder writes its row again as it leaves it; a reviewer's
  // change (another process) or the end of a scan drops it, for the next scan to
  // write. Either way the row and the folder's records agree (CheckIntegrity).
  Fixture fx;
  std::vector<Item> items = TwoFolders();
  fx.Scan(items, kT0);
  int64_t now = kT0 + 60;
  // Caches both folders again after a change, and checks the rows say what the file says.
  auto recache = [&] {
    now += 60;
    fx.ScanReusing(items, now);
    REQUIRE(Cached(fx, "/srv/a"));
    REQUIRE(Cached(fx, "/srv/b"));
    CheckIntegrity(fx);
  };
  auto dropped_a_only = [&] {
    CHECK_FALSE(Cached(fx, "/srv/a"));
    CHECK(Cached(fx, "/srv/b"));
    CheckIntegrity(fx);
  };
  auto rewritten_a = [&] {
    CHECK(Cached(fx, "/srv/a"));
    CHECK(Cached(fx, "/srv/b"));
    CheckIntegrity(fx);
    CHECK(Load(fx, "/srv/a")->from_cache);
  };
  fx.ScanReusing(items, now);  // new findings become open
  recache();
  const int64_t finding = fx.Findings()[0].id;

  SECTION("a changed file") {
    items[0].info.size += 1;
    fx.ScanReusing(items, now + 60);
    // Read again with the same result: the record changed, so did the folder.
    rewritten_a();
    CHECK(Load(fx, "/srv/a")->Get("f0")->item.info.size == items[0].info.size);
  }
  SECTION("new detections") {
    REQUIRE(items[4].path == "/srv/a/f2");
    items[4].info.mtime -= 10;
    items[4].detections[0].count = 99;
    fx.ScanReusing(items, now + 60);
    rewritten_a();
    CHECK(Load(fx, "/srv/a")->Get("f2")->item.detections[0].count == 99);
  }
  SECTION("a reviewer in another process: acknowledge, except, note, expiry") {
    auto other = OpenSqliteStore(fx.path());
    REQUIRE(other.ok());
    REQUIRE(other.value()->Acknowledge(finding, "seen", now, kReviewer).ok());
    dropped_a_only();
    const StoredFinding* f = nullptr;
    auto a = Load(fx, "/srv/a");
    for (const StoredFinding& sf : a->Get("f0")->findings) {
      if (sf.id == finding) f = &sf;
    }
    REQUIRE(f != nullptr);
    CHECK(f->status == FindingStatus::kAcknowledged);
    recache();
    REQUIRE(other.value()->Except(finding, "court order", now + kDay, "", now, kReviewer).ok());
    dropped_a_only();
    recache();
    REQUIRE(other.value()->AddNote(finding, "asked the site manager", now, kReviewer).ok());
    dropped_a_only();
    recache();
    auto expired = other.value()->ExpireExceptions(now + 3 * kDay);
    REQUIRE(expired.ok());
    CHECK(expired.value() == 1);
    dropped_a_only();
  }
  SECTION("a deleted file") {
    std::vector<Item> fewer = items;
    fewer.erase(fewer.begin());  // /srv/a/f0
    fx.ScanReusing(fewer, now + 60);
    dropped_a_only();
    CHECK(Load(fx, "/srv/a")->Get("f0")->deleted_at != 0);
    CHECK(fx.Findings(StatusIs(FindingStatus::kResolved)).size() == 2);
    items = fewer;
  }
  SECTION("a deleted file among unchanged files without findings") {
    // /srv/b is read from the cache and nothing in it is written: its files are only
    // noted as reached. The one not reached is found gone all the same.
    std::vector<Item> fewer;
    for (const Item& it : items) {
      if (it.path != "/srv/b/g3") fewer.push_back(it);
    }
    REQUIRE(fewer.size() == items.size() - 1);
    fx.ScanReusing(fewer, now + 60);
    CHECK(Load(fx, "/srv/b")->Get("g3")->deleted_at == now + 60);
    CHECK(Load(fx, "/srv/b")->Get("g2")->deleted_at == 0);
    CHECK(Query(fx.path(), "SELECT count(*) FROM items WHERE deleted_at IS NOT NULL") == "1");
    CHECK(Cached(fx, "/srv/a"));
    CheckIntegrity(fx);
    items = fewer;
  }
  SECTION("a file renamed within its folder, and a new file under its old name") {
    // Both in one scan, the rename first: the new file gets a record of its own, and
    // the moved record (with its findings) keeps the new name.
    items[0].path = "/srv/a/f0-renamed";
    items.push_back(MakeItem("/srv/a/f0", 999));
    fx.ScanReusing(items, now + 60);
    rewritten_a();
    auto a = Load(fx, "/srv/a");
    REQUIRE(a->Get("f0") != nullptr);
    CHECK(a->Get("f0")->item.info.ino == 999);
    CHECK(a->Get("f0")->findings.empty());
    REQUIRE(a->Get("f0-renamed") != nullptr);
    CHECK(a->Get("f0-renamed")->item.info.ino == 100);
    CHECK(a->Get("f0-renamed")->findings.size() == 2);
    CHECK(a->items.size() == 7);
    CHECK(fx.Findings().size() == 6);
  }
  SECTION("a file moved to another folder") {
    items[0].path = "/srv/b/f0-moved";
    fx.ScanReusing(items, now + 60);
    CHECK(Cached(fx, "/srv/b"));  // written as the scan left it
    CheckIntegrity(fx);
    CHECK(Load(fx, "/srv/a")->Get("f0") == nullptr);
    CHECK(Load(fx, "/srv/b")->Get("f0-moved")->findings.size() == 2);
  }
  // Whatever happened, the next unchanged scan caches the folders again.
  recache();
}

TEST_CASE("folder cache: a scan that only moves findings along caches the folder as it left it") {
  // Weekly scans confirm every finding (last seen), reopen expired exceptions, resolve
  // what is fixed and open what is new, on files that did not change: the folder is
  // cached with the findings as the scan wrote them, and the rows agree.
  Fixture fx;
  std::vector<Item> items = TwoFolders();
  fx.Scan(items, kT0);
  int64_t now = kT0;
  auto scan = [&](const char* what) {
    INFO(what);
    now += 7 * kDay;
    CHECK(fx.ScanReusing(items, now) == items.size());
    CHECK(Cached(fx, "/srv/a"));
    CHECK(Cached(fx, "/srv/b"));
    CheckIntegrity(fx);
  };
  auto last_seen = [&] {
    std::set<int64_t> out;
    for (const Finding& f : fx.Findings()) out.insert(f.last_seen);
    return out;
  };
  scan("new findings become open, every one confirmed");
  CHECK(last_seen() == std::set<int64_t>{now});
  scan("confirmed a week later");
  CHECK(last_seen() == std::set<int64_t>{now});

  const int64_t finding = fx.Findings()[0].id;
  REQUIRE(fx.store().Except(finding, "court order", now + 3 * kDay, "", now, kReviewer).ok());
  CHECK_FALSE(Cached(fx, "/srv/a"));
  scan("an exception that runs out during the week reopens");
  FindingQuery q;
  q.id = finding;
  CHECK(fx.Findings(q).at(0).status == FindingStatus::kOpen);

  items[0].violations.pop_back();  // the policy no longer applies to f0: "access" fixed
  items[2].violations = {V("p1", "retention")};  // a new violation of an unchanged file
  scan("one finding resolved, one new");
  CHECK(Query(fx.path(), "SELECT count(*) FROM findings WHERE status = 'resolved'") == "1");
  q = {};
  q.statuses = {FindingStatus::kNew};
  CHECK(fx.Findings(q).size() == 1);
  auto a = Load(fx, "/srv/a");
  CHECK(a->from_cache);
  REQUIRE(a->Get("f1")->findings.size() == 1);
  CHECK(a->Get("f1")->findings[0].kind == "retention");
  CHECK(a->Get("f1")->findings[0].status == FindingStatus::kNew);
}

TEST_CASE("folder cache: a review committed during a scan keeps it from caching older copies") {
  Fixture fx;
  const std::vector<Item> items = TwoFolders();
  fx.Scan(items, kT0);
  fx.Scan(items, kT0 + 30);  // the findings are open: an unchanged scan writes nothing
  // No rows: the scan's readers load the folders from their records, and the scan is
  // to write the rows.
  Exec(fx.path(), "DELETE FROM folder_cache");
  const int64_t now = kT0 + 60;
  // The scan's readers load both folders (a finding of /srv/a is open), then a
  // reviewer acknowledges it, before the scan records anything.
  const int64_t finding = fx.Findings()[0].id;
  ScanAcrossReview(fx, items, now, finding);
  // The folders loaded before the review are not cached from those copies (stale), but
  // read again inside the writer's transaction: the rows say what the file says.
  CHECK(Cached(fx, "/srv/a"));
  CHECK(Load(fx, "/srv/a")->from_cache);
  CheckIntegrity(fx);
  FindingQuery q;
  q.id = finding;
  CHECK(fx.Findings(q).at(0).status == FindingStatus::kAcknowledged);
  auto a = Load(fx, "/srv/a");
  bool acknowledged = false;
  for (const StoredItem& s : a->items) {
    for (const StoredFinding& f : s.findings) {
      if (f.id == finding) acknowledged = f.status == FindingStatus::kAcknowledged;
    }
  }
  CHECK(acknowledged);
  // The next scan, with nobody reviewing, caches them.
  fx.ScanReusing(items, now + 60);
  CHECK(Cached(fx, "/srv/a"));
  CheckIntegrity(fx);
}

TEST_CASE("store: an inventory of schema 1 is migrated: findings rebuilt, folder cache added") {
  Fixture fx;
  const std::vector<Item> items = TwoFolders();
  fx.Scan(items, kT0);
  fx.Scan(items, kT0 + 30);
  // Back to schema 1, as a file written by the previous release.
  const std::string drop_triggers =
      Query(fx.path(),
            "SELECT group_concat('DROP TRIGGER ' || name, '; ') FROM sqlite_master WHERE type = "
            "'trigger' AND name LIKE 'folder_cache%'");
  REQUIRE(!drop_triggers.empty());
  Exec(fx.path(), drop_triggers + "; DROP TABLE folder_cache; " + kEventsBeforeSchema4 +
                      kScansBeforeLeftOut + "PRAGMA user_version = 1");
  REQUIRE(Query(fx.path(), "SELECT count(*) FROM sqlite_master WHERE name LIKE 'folder_cache%'") ==
          "0");
  // Schema 1 checked the status with an IN list.
  Exec(fx.path(),
       "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = substr(sql, 1, instr(sql, "
       "'CHECK (status =') - 1) || 'CHECK (status IN (''new'', ''open'', ''acknowledged'', "
       "''excepted'', ''resolved'')),' || substr(sql, instr(sql, 'first_seen')) WHERE name = "
       "'findings'; PRAGMA writable_schema = OFF");
  REQUIRE(Query(fx.path(),
                "SELECT sql LIKE '%CHECK (status IN (''new'', ''open''%' FROM "
                "sqlite_master WHERE name = 'findings'") == "1");
  const std::string findings_before = Query(
      fx.path(), "SELECT group_concat(id || ':' || status || ':' || kind, ' ') FROM findings");
  const std::string events_before = Query(fx.path(), "SELECT count(*) FROM events");
  fx.Reopen();
  CHECK(Query(fx.path(), "PRAGMA user_version") == std::to_string(SchemaVersion()));
  CHECK(Query(fx.path(), "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'") == "12");
  CHECK(Query(fx.path(),
              "SELECT sql LIKE '%CHECK (status = ''new'' OR%' FROM sqlite_master WHERE "
              "name = 'findings'") == "1");
  CHECK(Query(fx.path(),
              "SELECT group_concat(id || ':' || status || ':' || kind, ' ') FROM "
              "findings") == findings_before);
  CHECK(Query(fx.path(), "SELECT count(*) FROM events") == events_before);
  CHECK(Query(fx.path(),
              "SELECT count(*) FROM sqlite_master WHERE name IN ('findings_item', "
              "'findings_status')") == "2");
  CHECK(fx.Findings().size() == 6);
  CHECK(fx.ScanReusing(items, kT0 + 60) == items.size());
  CHECK(Cached(fx, "/srv/a"));
  CHECK(Cached(fx, "/srv/b"));
  CheckIntegrity(fx);
}

TEST_CASE("lifecycle: a new finding acknowledged while a scan confirms it stays acknowledged") {
  // The scan's readers load the folder while its findings are new; a reviewer then
  // acknowledges one; the scan's coverage opens the others, and the acknowledged one
  // (and its history) stays as the reviewer left it.
  Fixture fx;
  const std::vector<Item> items = TwoFolders();
  fx.Scan(items, kT0);
  const int64_t now = kT0 + 60;
  const int64_t finding = fx.Findings()[0].id;
  ScanAcrossReview(fx, items, now, finding);
  for (const Finding& f : fx.Findings()) {
    INFO("finding " << f.id);
    CHECK(f.status == (f.id == finding ? FindingStatus::kAcknowledged : FindingStatus::kOpen));
    CHECK(f.last_seen == now);
    auto h = fx.store().History(f.id);
    REQUIRE(h.ok());
    REQUIRE(h->size() == 2);  // created, then opened or acknowledged
    CHECK(h->back().to == f.status);
  }
  CheckIntegrity(fx);
}

TEST_CASE("folder cache: a folder too large to hold in memory is never cached") {
  // More entries than a reader loads at once: looked up one by one, and never written
  // as a summary (no reader ever held all of it); a deletion in it is still found.
  Fixture fx;
  std::vector<Item> items;
  for (int i = 0; i < 4200; ++i) {
    Item it = MakeItem("/srv/big/f" + std::to_string(i), 1000 + static_cast<uint64_t>(i));
    if (i % 1000 == 0) it.violations = {V("p1")};
    items.push_back(it);
  }
  items.push_back(MakeItem("/srv/small/g", 1));
  fx.Scan(items, kT0);
  CHECK(fx.ScanReusing(items, kT0 + 60) == items.size());
  CHECK(fx.ScanReusing(items, kT0 + 120) == items.size());
  CHECK_FALSE(Cached(fx, "/srv/big"));
  CHECK(Cached(fx, "/srv/small"));
  CHECK_FALSE(Load(fx, "/srv/big")->complete);
  items.erase(items.begin() + 7);  // /srv/big/f7 is gone
  CHECK(fx.ScanReusing(items, kT0 + 180) == items.size());
  CHECK(Query(fx.path(), "SELECT count(*) FROM items WHERE deleted_at IS NOT NULL") == "1");
  CHECK(fx.Findings(StatusIs(FindingStatus::kOpen)).size() == 5);
  CheckIntegrity(fx);
}

TEST_CASE("folder cache: the triggers drop the rows of the folders a change touches") {
  // Changes made by hand (sqlite3), as nothing in custos makes some of them: each drops
  // the row of every folder whose records, detections or findings it changes, and no
  // other.
  struct Case {
    const char* what;
    bool drops_a, drops_b;
  };
  const char* a_item =
      "(SELECT i.id FROM items i JOIN dirs d ON d.id = i.dir WHERE CAST(d.path AS TEXT) = "
      "'/srv/a' AND CAST(i.name AS TEXT) = 'f0')";
  const char* b_item =
      "(SELECT i.id FROM items i JOIN dirs d ON d.id = i.dir WHERE CAST(d.path AS TEXT) = "
      "'/srv/b' AND CAST(i.name AS TEXT) = 'g0')";
  const char* b_dir = "(SELECT id FROM dirs WHERE CAST(path AS TEXT) = '/srv/b')";
  const std::string a = a_item, b = b_item, bd = b_dir;
  const std::vector<std::pair<Case, std::string>> cases = {
      {{"item updated", true, false}, "UPDATE items SET mode = mode WHERE id = " + a},
      {{"item moved", true, true},
       "UPDATE items SET dir = " + bd + ", name = 'moved' WHERE id = " + a},
      {{"item added", false, true},
       "INSERT INTO items (dir, name, dev, ino, size, mtime, ctime, mode, uid, gid, owner, grp, "
       "mime, category, state, reason, ndet, first_seen, last_read, last_scan) SELECT " +
           bd + ", 'new', 1, 1, 1, 1, 1, 33188, 0, 0, '', '', '', 0, 0, '', 0, 1, 1, 1"},
      {{"item deleted", false, true}, "DELETE FROM items WHERE id = " + b},
      {{"detection added", false, true},
       "INSERT INTO detections (item, detector, count, masked, hashes) VALUES (" + b +
           ", 'email', 1, x'', x'')"},
      {{"detection updated", true, false},
       "UPDATE detections SET count = count + 1 WHERE item = " + a},
      {{"detection deleted", true, false}, "DELETE FROM detections WHERE item = " + a},
      {{"finding updated", true, false}, "UPDATE findings SET notes = 'x' WHERE item = " + a},
      {{"finding moved to another item", true, true},
       "UPDATE findings SET item = " + b + " WHERE item = " + a + " AND kind = 'access'"},
      {{"finding deleted", true, false},
       "DELETE FROM events WHERE finding IN (SELECT id FROM findings WHERE item = " + a +
           "); DELETE FROM findings WHERE item = " + a},
      {{"finding added", false, true},
       "INSERT INTO findings (policy, item, kind, severity, reason, status, first_seen, "
       "last_seen, first_scan, last_scan, status_changed) VALUES ('p1', " +
           b + ", 'location', 'high', 'r', 'new', 1, 1, 1, 1, 1)"},
  };
  for (const auto& [c, sql] : cases) {
    INFO(c.what);
    Fixture fx;
    const std::vector<Item> items = TwoFolders();
    fx.Scan(items, kT0);
    REQUIRE(Cached(fx, "/srv/a"));
    REQUIRE(Cached(fx, "/srv/b"));
    Exec(fx.path(), sql);
    CHECK(Cached(fx, "/srv/a") == !c.drops_a);
    CHECK(Cached(fx, "/srv/b") == !c.drops_b);
    CheckIntegrity(fx);
  }
}

TEST_CASE("store: an inventory of schema 2 is migrated: its scans confirm nothing after the fact") {
  // Before schema 3, scans wrote every confirmation down; a finding they did not
  // confirm (here: its file unreadable) must not look confirmed by them afterwards.
  Fixture fx;
  Item a = MakeItem("/srv/a.txt", 1);
  a.violations = {V("p1")};
  fx.Scan({a}, kT0);
  Item unreadable = MakeItem("/srv/a.txt", 1, 300);
  unreadable.mime.clear();
  unreadable.skipped = Skip::kPermissionDenied;
  fx.Scan({unreadable}, kT0 + kDay);
  // Back to schema 2: no pin, no marker.
  Exec(fx.path(), std::string(kEventsBeforeSchema4) + kScansBeforeLeftOut +
                      "ALTER TABLE findings DROP COLUMN pinned; DELETE FROM meta WHERE key = "
                      "'sightings_after'; DELETE FROM folder_cache; PRAGMA user_version = 2");
  REQUIRE(Query(fx.path(),
                "SELECT count(*) FROM pragma_table_info('findings') WHERE name = "
                "'pinned'") == "0");
  fx.Reopen();
  CHECK(Query(fx.path(), "PRAGMA user_version") == std::to_string(SchemaVersion()));
  CHECK(Query(fx.path(), "SELECT value FROM meta WHERE key = 'sightings_after'") == "2");
  CHECK(fx.One().status == FindingStatus::kNew);
  CHECK(fx.One().last_seen == kT0);
  // Scans after the migration confirm as usual.
  fx.Scan({a}, kT0 + 2 * kDay);
  CHECK(fx.One().status == FindingStatus::kOpen);
  fx.Scan({a}, kT0 + 3 * kDay);
  CHECK(fx.One().last_seen == kT0 + 3 * kDay);
  CheckIntegrity(fx);
}

TEST_CASE("folder cache: an exception that runs out in a cached folder reopens its finding") {
  // The folder is cached with the finding excepted; the scan after the exception's
  // last day reads the folder from the cache and must not take the item as unchanged.
  Fixture fx;
  const std::vector<Item> items = TwoFolders();
  fx.Scan(items, kT0);
  const int64_t finding = fx.Findings()[0].id;
  REQUIRE(fx.store().Except(finding, "court order", kT0 + 10 * kDay, "", kT0, kReviewer).ok());
  CHECK(fx.ScanReusing(items, kT0 + 7 * kDay) == items.size());
  CHECK(Cached(fx, "/srv/a"));
  REQUIRE(Load(fx, "/srv/a")->from_cache);
  FindingQuery q;
  q.id = finding;
  CHECK(fx.Findings(q).at(0).status == FindingStatus::kExcepted);
  CHECK(fx.ScanReusing(items, kT0 + 14 * kDay) == items.size());
  CHECK(fx.Findings(q).at(0).status == FindingStatus::kOpen);
  CHECK(Query(fx.path(), "SELECT status FROM findings WHERE id = " + std::to_string(finding)) ==
        "open");
  CheckIntegrity(fx);
}
