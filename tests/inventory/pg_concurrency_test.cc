// The PostgreSQL inventory under concurrency: two nodes scanning into one database at
// the same moment, and several processes opening a fresh or an older database at once
// (the schema is created or migrated once, under the advisory lock, and all of them
// succeed). Each opener or scanner has a connection of its own, as another process would.
#include <catch2/catch.hpp>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "inventory_helpers.h"

using namespace custos::inventory;        // NOLINT
using namespace custos::inventory::test;  // NOLINT
using custos::Item;
using custos::Status;

namespace {

OpenOptions Node(const std::string& name) {
  OpenOptions o;
  o.node = name;
  return o;
}

// One complete scan of `files` items under /srv into `store` (every third one violates
// p1), started when `start` opens. Returns how it went; no Catch2 macro off the main
// thread.
Status ScanAll(Store& store, std::latch& start, int files, int64_t now) {
  start.arrive_and_wait();
  if (Status s = store.LockForScan(); !s.ok()) return s;
  auto id = store.BeginScan({"/srv"}, now, {{"p1", "Policy one", {}, "high"}}, "k");
  if (!id.ok()) return id.status();
  RecorderOptions o;
  o.now = now;
  o.started_wall = 2'000'000'000;
  o.keys = Keys();
  o.batch_items = 50;  // many small transactions, interleaved with the other node's
  o.exists = [](const std::string&, uint64_t, uint64_t) { return false; };
  Recorder rec(store, id.value(), o);
  ScanTotals totals;
  for (int i = 0; i < files; ++i) {
    Item it = MakeItem("/srv/d" + std::to_string(i % 9) + "/f" + std::to_string(i) + ".txt",
                       1 + static_cast<uint64_t>(i));
    if (i % 3 == 0) it.violations = {V("p1")};
    rec.Add(std::move(it));
    ++totals.items;
  }
  return rec.Finish(ScanState::kComplete, totals);
}

// Runs `body(k)` on `n` threads at once; the statuses in order.
template <typename Body>
std::vector<Status> AtOnce(int n, Body body) {
  std::vector<Status> out(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  for (int k = 0; k < n; ++k) {
    threads.emplace_back([&, k] { out[static_cast<size_t>(k)] = body(k); });
  }
  for (std::thread& t : threads) t.join();
  return out;
}

const char* kVersion =
    "SELECT convert_from(value, 'UTF8') FROM custos_meta WHERE key = "
    "'schema_version'";

}  // namespace

TEST_CASE("pg store: two nodes scanning one database at once keep each their own items") {
  Fixture fx(Backend::kPostgres);
  auto a = fx.Open(Node("node-a"));
  auto b = fx.Open(Node("node-b"));
  auto node_count = [&](const std::string& node, const std::string& where) {
    return fx.Query("SELECT count(*) FROM items i JOIN dirs d ON d.id = i.dir WHERE d.node = '" +
                    node + "' AND " + where);
  };
  {
    std::latch start(2);
    auto done = AtOnce(2, [&](int k) { return ScanAll(k == 0 ? *a : *b, start, 600, kT0); });
    INFO(done[0].message() << " / " << done[1].message());
    REQUIRE(done[0].ok());
    REQUIRE(done[1].ok());
  }
  // The same paths on two nodes are two items each.
  CHECK(node_count("node-a", "i.deleted_at IS NULL") == "600");
  CHECK(node_count("node-b", "i.deleted_at IS NULL") == "600");
  CHECK(fx.Query("SELECT count(*) FROM scans WHERE state = 'complete'") == "2");
  CHECK(fx.Query("SELECT count(DISTINCT node) FROM scans") == "2");
  CHECK(fx.Query("SELECT count(*) FROM findings WHERE status = 'new'") == "400");

  // Again at once: node-a finds half its files gone; node-b's stay untouched by that.
  {
    std::latch start(2);
    auto done = AtOnce(
        2, [&](int k) { return ScanAll(k == 0 ? *a : *b, start, k == 0 ? 300 : 600, kT0 + kDay); });
    INFO(done[0].message() << " / " << done[1].message());
    REQUIRE(done[0].ok());
    REQUIRE(done[1].ok());
  }
  CHECK(node_count("node-a", "i.deleted_at IS NOT NULL") == "300");
  CHECK(node_count("node-b", "i.deleted_at IS NOT NULL") == "0");
  CHECK(fx.Query("SELECT count(*) FROM findings WHERE status = 'resolved'") == "100");
  CHECK(fx.Query("SELECT count(*) FROM findings WHERE status IN ('new', 'open')") == "300");
  CHECK(fx.Query("SELECT count(*) FROM scans WHERE state = 'complete'") == "4");
  Status integrity = fx.store().CheckIntegrity();
  INFO(integrity.message());
  CHECK(integrity.ok());

  // One scan at a time per node, while the other node scans on.
  auto a2 = fx.Open(Node("node-a"));
  REQUIRE(a->LockForScan().ok());
  Status second = a2->LockForScan();
  CHECK_FALSE(second.ok());
  CHECK(second.message().find("in use by another scan") != std::string::npos);
  CHECK(b->LockForScan().ok());
}

TEST_CASE("pg store: processes opening a fresh or an older database at once migrate it once") {
  Fixture reference(Backend::kPostgres);
  const std::string latest = reference.Query(kVersion);
  REQUIRE(!latest.empty());
  // A fresh database, a few times (the race is between the first statements).
  for (int round = 0; round < 3; ++round) {
    Fixture fresh(Backend::kPostgres);  // a new database, which the fixture opened: emptied
    fresh.Query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    REQUIRE(fresh.Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "0");
    std::latch start(4);
    auto opened = AtOnce(4, [&](int k) {
      start.arrive_and_wait();
      auto s = OpenPgStore(fresh.location(), Node("node-" + std::to_string(k)));
      return s.ok() ? Status::Ok() : s.status();
    });
    for (const Status& s : opened) {
      INFO(s.message());
      CHECK(s.ok());
    }
    CHECK(fresh.Query(kVersion) == latest);
    CHECK(fresh.Query("SELECT count(*) FROM custos_meta WHERE key = 'schema_version'") == "1");
  }
  // An inventory of an older custos (before the scans counted what they left out) with
  // a scan in it: migrated forward once, its scan kept.
  Fixture older(Backend::kPostgres);
  older.Scan({MakeItem("/srv/a.txt", 1)}, kT0);
  older.Query(std::string(kScansBeforeLeftOut) +
              "UPDATE custos_meta SET value = convert_to('1', 'UTF8') WHERE key = "
              "'schema_version'");
  REQUIRE(older.Query(kVersion) == "1");
  std::latch start(4);
  auto opened = AtOnce(4, [&](int k) {
    start.arrive_and_wait();
    auto s = OpenPgStore(older.location(), Node("node-" + std::to_string(k)));
    return s.ok() ? Status::Ok() : s.status();
  });
  for (const Status& s : opened) {
    INFO(s.message());
    CHECK(s.ok());
  }
  CHECK(older.Query(kVersion) == latest);
  CHECK(older.Query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'scans' "
                    "AND column_name IN ('excluded', 'links_not_followed', "
                    "'other_filesystems')") == "3");
  CHECK(older.Query("SELECT count(*) || ' ' || min(state) FROM scans") == "1 complete");
  CHECK(older.Query("SELECT count(*) FROM items") == "1");
}
