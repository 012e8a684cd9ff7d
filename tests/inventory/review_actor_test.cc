// Every decision names who made it (GDPR Art. 5(2), accountability): the store keeps the
// person of each reviewer's event, the system's events name nobody, and an inventory
// written before the events had a column for the person is migrated.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "inventory_helpers.h"

using namespace custos;
using namespace custos::inventory;
using namespace custos::inventory::test;

namespace {

// "from>to who" for each event of finding `id`.
std::vector<std::string> Who(Store& store, int64_t id) {
  auto h = store.History(id);
  REQUIRE(h.ok());
  std::vector<std::string> out;
  for (const FindingEvent& e : h.value()) {
    out.push_back(std::string(e.from ? StatusName(*e.from) : "-") + ">" +
                  std::string(StatusName(e.to)) + " " +
                  (e.by.IsSystem() ? "system" : e.by.name + "/" + std::to_string(e.by.uid)));
  }
  return out;
}

Item Breaching(const std::string& path, uint64_t ino) {
  Item it = MakeItem(path, ino);
  it.violations = {V("p1")};
  return it;
}

}  // namespace

TEMPLATE_TEST_CASE("store: each reviewer's decision names its person; scans and expiry name nobody",
                   "", SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0);
  const int64_t id = fx.One().id;
  const Actor root{"root", 0};
  REQUIRE(fx.store().AddNote(id, "asked the owner", kT0 + 1, kReviewer).ok());
  REQUIRE(fx.store().Except(id, "archive", kT0 + 2 * kDay, "", kT0 + 2, root).ok());
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0 + 5 * kDay);  // the exception ran out
  REQUIRE(fx.store().Acknowledge(id, "", kT0 + 6 * kDay, Actor{"uid 4242", 4242}).ok());
  CHECK(Who(fx.store(), id) == std::vector<std::string>{
                                   "->new system",
                                   "new>new dpo/1000",
                                   "new>excepted root/0",
                                   "excepted>open system",
                                   "open>acknowledged uid 4242/4242",
                               });
  CHECK(fx.Query("SELECT count(*) FROM events WHERE by_name IS NULL AND by_uid IS NULL") == "2");
  // Events (the report's source) carry the person too.
  auto all = fx.store().Events(0);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 5);
  CHECK(all->at(1).by.name == "dpo");
  CHECK(all->at(1).by.uid == 1000);
  CHECK(all->at(0).by.IsSystem());
}

TEST_CASE("store: an inventory of schema 3 is migrated: its events name nobody, new ones do") {
  Fixture fx;
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0);
  const int64_t id = fx.One().id;
  REQUIRE(fx.store().Acknowledge(id, "seen", kT0 + 1, kReviewer).ok());
  // Back to schema 3: the events table without the person's columns.
  Exec(fx.path(),
       std::string(kEventsBeforeSchema4) + kScansBeforeLeftOut + "PRAGMA user_version = 3");
  REQUIRE(Query(fx.path(),
                "SELECT count(*) FROM pragma_table_info('events') WHERE name LIKE 'by_%'") == "0");
  fx.Reopen();
  CHECK(Query(fx.path(), "PRAGMA user_version") == std::to_string(SchemaVersion()));
  CHECK(Query(fx.path(),
              "SELECT count(*) FROM pragma_table_info('events') WHERE name LIKE 'by_%'") == "2");
  // The old decision is kept, by nobody known; a new one names its person.
  REQUIRE(fx.store().AddNote(id, "called the owner", kT0 + 2, kReviewer).ok());
  CHECK(Who(fx.store(), id) == std::vector<std::string>{"->new system", "new>acknowledged system",
                                                        "acknowledged>acknowledged dpo/1000"});
  auto h = fx.store().History(id);
  REQUIRE(h.ok());
  CHECK(h->at(1).note == "2023-11-14 acknowledged: seen");
}
