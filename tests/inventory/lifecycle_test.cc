// The life of a finding: every transition, and the decisions surviving rescans.
#include <catch2/catch.hpp>
#include <set>

#include "custos/base/time.h"
#include "inventory_helpers.h"

using namespace custos;
using namespace custos::inventory;
using namespace custos::inventory::test;

namespace {

Item Breaching(const std::string& path, uint64_t ino, std::vector<Violation> v = {V("p1")}) {
  Item it = MakeItem(path, ino);
  it.violations = std::move(v);
  return it;
}

std::vector<std::string> Transitions(Store& store, int64_t id) {
  auto h = store.History(id);
  REQUIRE(h.ok());
  std::vector<std::string> out;
  for (const FindingEvent& e : h.value()) {
    out.push_back(std::string(e.from ? StatusName(*e.from) : "-") + ">" +
                  std::string(StatusName(e.to)));
  }
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("lifecycle: new, then open when seen again, then resolved when fixed", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0);
  Finding f = fx.One();
  CHECK(f.status == FindingStatus::kNew);
  CHECK(f.first_seen == kT0);
  CHECK(f.last_seen == kT0);
  CHECK(f.path == "/srv/a.txt");
  CHECK(f.kind == "access");
  CHECK(f.severity == "high");

  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0 + kDay);
  f = fx.One();
  CHECK(f.status == FindingStatus::kOpen);
  CHECK(f.first_seen == kT0);
  CHECK(f.last_seen == kT0 + kDay);

  fx.Scan({MakeItem("/srv/a.txt", 1)}, kT0 + 2 * kDay);  // fixed
  f = fx.One();
  CHECK(f.status == FindingStatus::kResolved);
  CHECK(f.resolved_at == kT0 + 2 * kDay);
  CHECK(Transitions(fx.store(), f.id) ==
        std::vector<std::string>{"->new", "new>open", "open>resolved"});
}

TEMPLATE_TEST_CASE("lifecycle: ids are stable and one finding per policy, item and kind", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1, {V("p1"), V("p1"), V("p1", "location"), V("p2")}),
           Breaching("/srv/b.txt", 2)},
          kT0);
  auto all = fx.Findings();
  REQUIRE(all.size() == 4);
  fx.Reopen();
  fx.Scan({Breaching("/srv/a.txt", 1, {V("p1"), V("p1", "location"), V("p2")}),
           Breaching("/srv/b.txt", 2)},
          kT0 + kDay);
  auto again = fx.Findings();
  REQUIRE(again.size() == 4);
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(again[i].id == all[i].id);
    CHECK(again[i].status == FindingStatus::kOpen);
  }
}

TEMPLATE_TEST_CASE("lifecycle: acknowledged stays acknowledged while the breach persists", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0);
  const int64_t id = fx.One().id;
  REQUIRE(fx.store().Acknowledge(id, "owner informed", kT0 + 10, kReviewer).ok());
  CHECK(fx.One().status == FindingStatus::kAcknowledged);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0 + kDay);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0 + 2 * kDay);
  Finding f = fx.One();
  CHECK(f.status == FindingStatus::kAcknowledged);
  CHECK(f.last_seen == kT0 + 2 * kDay);
  CHECK(f.notes == "2023-11-14 acknowledged: owner informed");
  // Fixed: resolved, whatever the reviewer said.
  fx.Scan({MakeItem("/srv/a.txt", 1)}, kT0 + 3 * kDay);
  CHECK(fx.One().status == FindingStatus::kResolved);
  // A resolved finding cannot be acknowledged or excepted.
  CHECK(fx.store().Acknowledge(id, "", kT0 + 3 * kDay, kReviewer).code() ==
        StatusCode::kInvalidArgument);
  CHECK(fx.store().Except(id, "r", kT0 + 9 * kDay, "", kT0 + 3 * kDay, kReviewer).code() ==
        StatusCode::kInvalidArgument);
  CHECK(fx.store().Acknowledge(999, "", kT0, kReviewer).code() == StatusCode::kNotFound);
}

TEMPLATE_TEST_CASE("lifecycle: an exception holds until its last day, then the finding reopens", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0);
  const int64_t id = fx.One().id;
  const int64_t until = *ParseIso8601("2023-11-20");
  CHECK(fx.store().Except(id, "", until, "", kT0, kReviewer).code() ==
        StatusCode::kInvalidArgument);
  CHECK(fx.store().Except(id, "r", kT0 - 2 * kDay, "", kT0, kReviewer).code() ==
        StatusCode::kInvalidArgument);
  REQUIRE(
      fx.store().Except(id, "migration to the new NVR", until, "ticket 42", kT0, kReviewer).ok());
  Finding f = fx.One();
  CHECK(f.status == FindingStatus::kExcepted);
  CHECK(f.exception_reason == "migration to the new NVR");
  CHECK(f.exception_until == until);
  // Rescans during the exception keep it, the last day included.
  fx.Scan({Breaching("/srv/a.txt", 1)}, until + kDay - 1);
  CHECK(fx.One().status == FindingStatus::kExcepted);
  // The day after: open again, at the next scan.
  fx.Scan({Breaching("/srv/a.txt", 1)}, until + kDay);
  f = fx.One();
  CHECK(f.status == FindingStatus::kOpen);
  CHECK(Transitions(fx.store(), id) ==
        std::vector<std::string>{"->new", "new>excepted", "excepted>open"});
}

TEMPLATE_TEST_CASE("lifecycle: expired exceptions reopen without a scan (report, list)", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0);
  const int64_t id = fx.One().id;
  REQUIRE(fx.store().Except(id, "r", kT0, "", kT0, kReviewer).ok());
  auto n = fx.store().ExpireExceptions(kT0 + 10);
  REQUIRE(n.ok());
  CHECK(n.value() == 0);
  n = fx.store().ExpireExceptions(kT0 + kDay);
  REQUIRE(n.ok());
  CHECK(n.value() == 1);
  CHECK(fx.One().status == FindingStatus::kOpen);
}

TEMPLATE_TEST_CASE("lifecycle: an excepted finding whose breach goes away is resolved", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0);
  const int64_t id = fx.One().id;
  REQUIRE(fx.store().Except(id, "r", kT0 + 30 * kDay, "", kT0, kReviewer).ok());
  fx.Scan({MakeItem("/srv/a.txt", 1)}, kT0 + kDay);
  CHECK(fx.One().status == FindingStatus::kResolved);
}

TEMPLATE_TEST_CASE(
    "lifecycle: a resolved finding that reappears is new again, same id, history kept", "",
    SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0);
  const int64_t id = fx.One().id;
  REQUIRE(fx.store().Acknowledge(id, "", kT0, kReviewer).ok());
  fx.Scan({MakeItem("/srv/a.txt", 1)}, kT0 + kDay);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0 + 2 * kDay);
  Finding f = fx.One();
  CHECK(f.id == id);
  CHECK(f.status == FindingStatus::kNew);
  CHECK(f.first_seen == kT0);
  CHECK(f.resolved_at == 0);
  CHECK(Transitions(fx.store(), id) == std::vector<std::string>{"->new", "new>acknowledged",
                                                                "acknowledged>resolved",
                                                                "resolved>new"});
}

TEMPLATE_TEST_CASE("lifecycle: a deleted file resolves its findings, only after a complete scan",
                   "", SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1), Breaching("/srv/sub/b.txt", 2)}, kT0);
  // Interrupted scan that never reached the files: nothing resolved.
  fx.Scan({}, kT0 + kDay, /*complete=*/false);
  for (const Finding& f : fx.Findings()) CHECK(f.status == FindingStatus::kNew);
  // Complete scan: both gone.
  fx.Scan({}, kT0 + 2 * kDay);
  for (const Finding& f : fx.Findings()) {
    CHECK(f.status == FindingStatus::kResolved);
    CHECK(f.item_deleted);
    CHECK(f.resolved_at == kT0 + 2 * kDay);
  }
  auto totals = fx.store().Totals();
  REQUIRE(totals.ok());
  CHECK(totals->items == 0);
  CHECK(totals->deleted == 2);
  auto scans = fx.store().Scans(0);
  REQUIRE(scans.ok());
  REQUIRE(scans->size() == 3);
  CHECK((*scans)[1].state == ScanState::kInterrupted);
  CHECK((*scans)[2].state == ScanState::kComplete);
  CHECK((*scans)[2].totals.deleted == 2);
}

TEMPLATE_TEST_CASE("lifecycle: items outside the scan's roots, or still there, are not deleted", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan(
      {Breaching("/srv/a/x.txt", 1), Breaching("/srv/ab/y.txt", 2), Breaching("/srv/file.txt", 3)},
      kT0, true, {"/srv"});
  // A scan of the folder /srv/a and of the file /srv/file.txt that reached nothing.
  fx.Scan({}, kT0 + kDay, true, {"/srv/a", "/srv/file.txt"});
  auto all = fx.Findings();
  REQUIRE(all.size() == 3);
  CHECK(all[0].status == FindingStatus::kResolved);  // below /srv/a
  CHECK(all[1].status == FindingStatus::kNew);       // /srv/ab is not below /srv/a
  CHECK(all[2].status == FindingStatus::kResolved);  // the root file itself
  // Not reached but still on disk (an exclude, a depth limit): kept.
  fx.Scan({}, kT0 + 2 * kDay, true, {"/srv"},
          [](const std::string&, uint64_t, uint64_t) { return true; });
  CHECK(fx.Findings()[1].status == FindingStatus::kNew);
}

TEMPLATE_TEST_CASE("lifecycle: a moved file keeps its item and findings; a hard link does not", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/old/a.txt", 7)}, kT0);
  const Finding before = fx.One();
  REQUIRE(fx.store().Acknowledge(before.id, "known", kT0, kReviewer).ok());
  // Same inode, size and mtime at a new path; the old path is gone.
  fx.Scan({Breaching("/srv/new/a.txt", 7)}, kT0 + kDay);
  auto all = fx.Findings();
  REQUIRE(all.size() == 1);
  CHECK(all[0].id == before.id);
  CHECK(all[0].item_id == before.item_id);
  CHECK(all[0].path == "/srv/new/a.txt");
  CHECK(all[0].status == FindingStatus::kAcknowledged);
  auto h = fx.store().History(before.id);
  REQUIRE(h.ok());
  CHECK(h->back().note == "moved from /srv/old/a.txt");
  auto totals = fx.store().Totals();
  CHECK(totals->items == 1);
  CHECK(totals->deleted == 0);

  // Renamed within its folder.
  fx.Scan({Breaching("/srv/new/b.txt", 7)}, kT0 + 2 * kDay);
  all = fx.Findings();
  REQUIRE(all.size() == 1);
  CHECK(all[0].path == "/srv/new/b.txt");

  // A second name of the same inode whose first name still exists: a new item.
  fx.Scan({Breaching("/srv/link.txt", 7)}, kT0 + 3 * kDay, /*complete=*/false, {"/srv"},
          [](const std::string& p, uint64_t, uint64_t) { return p == "/srv/new/b.txt"; });
  all = fx.Findings();
  REQUIRE(all.size() == 2);
  CHECK(all[1].path == "/srv/link.txt");
}

TEMPLATE_TEST_CASE(
    "lifecycle: an unreadable item neither confirms nor resolves; partial keeps forbidden", "",
    SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  Item a = Breaching("/srv/a.txt", 1, {V("cards", "forbidden"), V("p1", "access")});
  fx.Scan({a}, kT0);
  // Now partly read (a limit hit): the access breach is fixed, the card not seen.
  Item partial = MakeItem("/srv/a.txt", 1, 200);
  partial.skipped = Skip::kLimitOutput;
  fx.Scan({partial}, kT0 + kDay);
  CHECK(fx.One("cards").status == FindingStatus::kNew);
  CHECK(fx.One("p1").status == FindingStatus::kResolved);
  // Not readable at all: nothing changes.
  Item skipped = MakeItem("/srv/a.txt", 1, 300);
  skipped.mime.clear();
  skipped.skipped = Skip::kPermissionDenied;
  fx.Scan({skipped}, kT0 + 2 * kDay);
  CHECK(fx.One("cards").status == FindingStatus::kNew);
  CHECK(fx.One("cards").last_seen == kT0);
  fx.Scan({skipped}, kT0 + 3 * kDay);
  CHECK(fx.One("cards").status == FindingStatus::kNew);
  CHECK(fx.One("cards").last_seen == kT0);
  auto coverage = fx.store().Coverage(3);
  REQUIRE(coverage.ok());
  REQUIRE(coverage->size() == 1);
  CHECK((*coverage)[0].state == ItemState::kSkipped);
  CHECK((*coverage)[0].reason == "permission denied");
  CHECK((*coverage)[0].examples == std::vector<std::string>{"/srv/a.txt"});
  // Read whole again: the card is seen, by this scan and the next.
  Item whole = Breaching("/srv/a.txt", 1, {V("cards", "forbidden")});
  whole.info.size = 400;
  fx.Scan({whole}, kT0 + 4 * kDay);
  CHECK(fx.One("cards").status == FindingStatus::kOpen);
  CHECK(fx.One("cards").status_changed == kT0 + 4 * kDay);
  CHECK(fx.One("cards").last_seen == kT0 + 4 * kDay);
  fx.Scan({whole}, kT0 + 5 * kDay);
  CHECK(fx.One("cards").last_seen == kT0 + 5 * kDay);
}

TEMPLATE_TEST_CASE("lifecycle: notes, filters and the since filter of the list", "", SqliteBackend,
                   PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1), Breaching("/srv/b.txt", 2, {V("p2")})}, kT0);
  fx.Scan({Breaching("/srv/a.txt", 1), Breaching("/srv/b.txt", 2, {V("p2")}),
           Breaching("/srv/c.txt", 3)},
          kT0 + 5 * kDay);
  REQUIRE(fx.store().AddNote(1, "called the site manager", kT0 + 5 * kDay, kReviewer).ok());
  FindingQuery q;
  q.statuses = {FindingStatus::kNew};
  auto fresh = fx.Findings(q);
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].path == "/srv/c.txt");
  q = {};
  q.policies = {"p2"};
  CHECK(fx.Findings(q).size() == 1);
  q = {};
  q.since = kT0 + 5 * kDay;  // first seen or changed since: c new, a and b new->open
  CHECK(fx.Findings(q).size() == 3);
  q.since = kT0 + 6 * kDay;
  CHECK(fx.Findings(q).empty());
  q = {};
  q.id = 1;
  auto one = fx.Findings(q);
  REQUIRE(one.size() == 1);
  CHECK(one[0].notes == "2023-11-19 note: called the site manager");
  CHECK(one[0].status == FindingStatus::kOpen);
}

TEMPLATE_TEST_CASE("lifecycle: decisions survive a reopened inventory and concurrent review", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0);
  {
    // A second connection (another `custos findings` process) acknowledges.
    auto other = fx.Open({.create = false, .durable = true});
    REQUIRE(other->Acknowledge(1, "by the DPO", kT0 + 1, kReviewer).ok());
  }
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0 + kDay);
  CHECK(fx.One().status == FindingStatus::kAcknowledged);
}

TEMPLATE_TEST_CASE("lifecycle: a complete scan finds every gone file, folder by folder", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  std::vector<Item> items;
  uint64_t ino = 1;
  for (int d = 0; d < 10; ++d) {
    for (int f = 0; f < 3; ++f) {
      items.push_back(Breaching("/srv/d" + std::to_string(d) + "/f" + std::to_string(f), ino++));
    }
  }
  fx.Scan(items, kT0);
  // Gone: one file of folder 2 (reached, evicted from the cache long before the end)
  // and every file of folder 5 (never reached).
  std::vector<Item> still;
  for (const Item& it : items) {
    if (it.path == "/srv/d2/f1" || it.path.rfind("/srv/d5/", 0) == 0) continue;
    Item r = it;
    r.reused = true;
    still.push_back(r);
  }
  fx.Scan(still, kT0 + kDay);
  std::set<std::string> resolved;
  for (const Finding& f : fx.Findings()) {
    if (f.status == FindingStatus::kResolved) resolved.insert(f.path);
  }
  CHECK(resolved == std::set<std::string>{"/srv/d2/f1", "/srv/d5/f0", "/srv/d5/f1", "/srv/d5/f2"});
  CHECK(fx.store().Totals()->deleted == 4);
}

TEMPLATE_TEST_CASE(
    "lifecycle: rescans of unchanged files write no finding; the list shows what they saw", "",
    SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  const int64_t s1 =
      fx.Scan({Breaching("/srv/a.txt", 1), Breaching("/srv/b.txt", 2, {V("p2")})}, kT0);
  const std::string written = fx.AllFindings();
  CHECK(written.find(":new:") != std::string::npos);
  const int64_t s2 =
      fx.Scan({Breaching("/srv/a.txt", 1), Breaching("/srv/b.txt", 2, {V("p2")})}, kT0 + 600);
  CHECK(fx.AllFindings() == written);
  for (const Finding& f : fx.Findings()) {
    CHECK(f.status == FindingStatus::kOpen);
    CHECK(f.last_seen == kT0 + 600);
    CHECK(f.status_changed == kT0 + 600);  // opened by the second scan
  }
  fx.Scan({Breaching("/srv/a.txt", 1), Breaching("/srv/b.txt", 2, {V("p2")})}, kT0 + 8 * kDay);
  CHECK(fx.AllFindings() == written);
  Finding a = fx.One();
  CHECK(a.status == FindingStatus::kOpen);
  CHECK(a.last_seen == kT0 + 8 * kDay);
  CHECK(a.status_changed == kT0 + 600);
  CHECK(a.first_seen == kT0);
  // The opening shows in the history and the events, as of the scan that saw it.
  auto h = fx.store().History(a.id);
  REQUIRE(h.ok());
  REQUIRE(h->size() == 2);
  CHECK(h->at(0).scan_id == s1);
  CHECK((h->at(1).from == FindingStatus::kNew && h->at(1).to == FindingStatus::kOpen));
  CHECK(h->at(1).at == kT0 + 600);
  CHECK(h->at(1).scan_id == s2);
  auto events = fx.store().Events(kT0 + 600);
  REQUIRE(events.ok());
  CHECK(events->size() == 2);
  CHECK(fx.store().Events(kT0 + 601)->empty());
  // Filters apply to what the list shows.
  FindingQuery q;
  q.statuses = {FindingStatus::kNew};
  CHECK(fx.Findings(q).empty());
  q.statuses = {FindingStatus::kOpen};
  CHECK(fx.Findings(q).size() == 2);
  q = {};
  q.since = kT0 + 600;
  CHECK(fx.Findings(q).size() == 2);
  q.since = kT0 + 601;
  CHECK(fx.Findings(q).empty());

  // A changed reason is written at once, and with it the opening (event kept as of
  // the second scan).
  Item changed = Breaching("/srv/a.txt", 1);
  changed.violations[0].reason = "mode 0666 exceeds 0640";
  fx.Scan({changed, Breaching("/srv/b.txt", 2, {V("p2")})}, kT0 + 9 * kDay);
  a = fx.One();
  CHECK(a.last_seen == kT0 + 9 * kDay);
  CHECK(a.reason == "mode 0666 exceeds 0640");
  CHECK(a.status == FindingStatus::kOpen);
  CHECK(a.status_changed == kT0 + 600);
  CHECK(fx.Query("SELECT status || ' ' || status_changed FROM findings WHERE id = " +
                 std::to_string(a.id)) == "open " + std::to_string(kT0 + 600));
  CHECK(Transitions(fx.store(), a.id) == std::vector<std::string>{"->new", "new>open"});
  // A reviewer's decision on the other one writes its opening down before it.
  const int64_t b = fx.Findings()[1].id;
  REQUIRE(fx.store().Acknowledge(b, "", kT0 + 9 * kDay + 1, kReviewer).ok());
  CHECK(Transitions(fx.store(), b) ==
        std::vector<std::string>{"->new", "new>open", "open>acknowledged"});
  CHECK(fx.Query("SELECT count(*) FROM events WHERE finding = " + std::to_string(b)) == "3");
  // Judged as of an earlier time: last_seen stays.
  fx.Scan({changed, Breaching("/srv/b.txt", 2, {V("p2")})}, kT0 - kDay);
  CHECK(fx.One().last_seen == kT0 + 9 * kDay);
}

TEMPLATE_TEST_CASE("lifecycle: only complete scans whose roots hold the file confirm its findings",
                   "", SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a/x", 1)}, kT0);
  fx.Scan({Breaching("/srv/a/x", 1)}, kT0 + kDay, /*complete=*/false);  // interrupted
  CHECK(fx.One().status == FindingStatus::kNew);
  CHECK(fx.One().last_seen == kT0);
  fx.Scan({Breaching("/srv/ab/y", 2, {V("p2")})}, kT0 + 2 * kDay, true, {"/srv/ab"});
  CHECK(fx.One().status == FindingStatus::kNew);  // "/srv/ab" does not hold /srv/a/x
  CHECK(fx.One().last_seen == kT0);
  fx.Scan({Breaching("/srv/a/x", 1)}, kT0 + 3 * kDay, true, {"/srv/a/x"});  // the file itself
  CHECK(fx.One().status == FindingStatus::kOpen);
  CHECK(fx.One().last_seen == kT0 + 3 * kDay);
  CHECK(fx.One().status_changed == kT0 + 3 * kDay);
  CHECK(fx.One("p2").status == FindingStatus::kNew);
  fx.Scan({Breaching("/srv/a/x", 1), Breaching("/srv/ab/y", 2, {V("p2")})}, kT0 + 4 * kDay, true,
          {"/"});
  CHECK(fx.One().last_seen == kT0 + 4 * kDay);
  CHECK(fx.One("p2").status == FindingStatus::kOpen);
}

TEMPLATE_TEST_CASE("lifecycle: a file out of a scan's sight keeps its findings as last seen", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  auto b_exists = [](const std::string& p, uint64_t, uint64_t) { return p == "/srv/b.txt"; };
  fx.Scan({Breaching("/srv/a.txt", 1), Breaching("/srv/b.txt", 2, {V("p2")})}, kT0);
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0 + kDay, true, {"/srv"}, b_exists);  // b excluded
  CHECK(fx.One().status == FindingStatus::kOpen);
  CHECK(fx.One("p2").status == FindingStatus::kNew);
  CHECK(fx.One("p2").last_seen == kT0);
  CHECK_FALSE(fx.One("p2").item_deleted);
  const std::string pinned = fx.AllFindings();
  fx.Scan({Breaching("/srv/a.txt", 1)}, kT0 + 2 * kDay, true, {"/srv"}, b_exists);
  CHECK(fx.AllFindings() == pinned);  // nothing more to write down
  CHECK(fx.One("p2").last_seen == kT0);
  CHECK(fx.One().last_seen == kT0 + 2 * kDay);
  // In sight again: seen by this scan, opened by it.
  fx.Scan({Breaching("/srv/a.txt", 1), Breaching("/srv/b.txt", 2, {V("p2")})}, kT0 + 3 * kDay);
  const Finding b = fx.One("p2");
  CHECK(b.status == FindingStatus::kOpen);
  CHECK(b.last_seen == kT0 + 3 * kDay);
  CHECK(b.status_changed == kT0 + 3 * kDay);
  fx.Scan({Breaching("/srv/a.txt", 1), Breaching("/srv/b.txt", 2, {V("p2")})}, kT0 + 4 * kDay);
  CHECK(fx.One("p2").last_seen == kT0 + 4 * kDay);
}

TEMPLATE_TEST_CASE(
    "lifecycle: a file moved under another root is confirmed by the scans of its new place", "",
    SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  fx.Scan({Breaching("/srv/a/x", 1)}, kT0, true, {"/srv/a"});
  fx.Scan({Breaching("/srv/b/y", 9, {V("p2")})}, kT0 + kDay, true, {"/srv/b"});
  fx.Scan({Breaching("/srv/a/x", 1)}, kT0 + 2 * kDay, true, {"/srv/a"});
  CHECK(fx.One().status == FindingStatus::kOpen);
  CHECK(fx.One().last_seen == kT0 + 2 * kDay);
  // Moved to /srv/b (its old path gone), found there by a scan of /srv/b.
  fx.Scan({Breaching("/srv/b/x", 1), Breaching("/srv/b/y", 9, {V("p2")})}, kT0 + 3 * kDay, true,
          {"/srv/b"});
  Finding f = fx.One();
  CHECK(f.path == "/srv/b/x");
  CHECK(f.status == FindingStatus::kOpen);
  CHECK(f.status_changed == kT0 + 2 * kDay);
  CHECK(f.last_seen == kT0 + 3 * kDay);
  // Scans of /srv/a no longer see it; those of /srv/b do.
  fx.Scan({}, kT0 + 4 * kDay, true, {"/srv/a"});
  CHECK(fx.One().last_seen == kT0 + 3 * kDay);
  CHECK(fx.One().status == FindingStatus::kOpen);
  fx.Scan({Breaching("/srv/b/x", 1), Breaching("/srv/b/y", 9, {V("p2")})}, kT0 + 5 * kDay, true,
          {"/srv/b"});
  CHECK(fx.One().last_seen == kT0 + 5 * kDay);
  CHECK(Transitions(fx.store(), f.id) ==
        std::vector<std::string>{"->new", "new>open", "open>open"});  // the move
}

TEMPLATE_TEST_CASE("lifecycle: a retention breach that only gets older is not written again", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  auto aged = [](int64_t days) {
    Item it = MakeItem("/srv/cctv/clip.mp4", 1);
    Violation v = V("p1", "retention");
    v.reason = "recorded 2023-01-01T00:00:00Z, " + std::to_string(days) + " days old, limit 30d";
    v.steady_reason = "recorded 2023-01-01T00:00:00Z, limit 30d";
    it.violations = {v};
    return it;
  };
  fx.Scan({aged(40)}, kT0);
  fx.Scan({aged(47)}, kT0 + 7 * kDay);
  const std::string written = fx.AllFindings();
  fx.Scan({aged(54)}, kT0 + 14 * kDay);
  CHECK(fx.AllFindings() == written);
  const Finding f = fx.One();
  CHECK(f.reason == "recorded 2023-01-01T00:00:00Z, limit 30d");
  CHECK(f.last_seen == kT0 + 14 * kDay);
  CHECK(f.status == FindingStatus::kOpen);
  // A breach that changes otherwise is written at once.
  Item longer = aged(61);
  longer.violations[0].steady_reason = "recorded 2023-01-01T00:00:00Z, limit 7d";
  fx.Scan({longer}, kT0 + 21 * kDay);
  CHECK(fx.One().reason == "recorded 2023-01-01T00:00:00Z, limit 7d");
}

TEST_CASE("lifecycle: an unchanged item is judged as its findings stand only when nothing moves") {
  StoredItem s;
  auto finding = [](const char* policy, const char* kind, FindingStatus status) {
    StoredFinding f;
    f.policy = policy;
    f.kind = kind;
    f.severity = "high";
    f.reason = "because";
    f.status = status;
    return f;
  };
  s.findings = {finding("p1", "access", FindingStatus::kOpen),
                finding("p2", "access", FindingStatus::kResolved)};
  const std::vector<Violation> p1 = {V("p1")};
  CHECK(JudgementStands(s, p1, kT0));
  CHECK(JudgementStands(s, {V("p1"), V("p1")}, kT0));        // one finding per policy and kind
  CHECK_FALSE(JudgementStands(s, {}, kT0));                  // p1 would be resolved
  CHECK_FALSE(JudgementStands(s, {V("p1"), V("p2")}, kT0));  // p2 reappears
  CHECK_FALSE(JudgementStands(s, {V("p1"), V("p3")}, kT0));  // a new finding
  CHECK_FALSE(JudgementStands(s, {V("p1", "access", "low")}, kT0));
  Violation aged = V("p1");
  aged.reason = "because, 12 days old";
  aged.steady_reason = "because";
  CHECK(JudgementStands(s, {aged}, kT0));
  aged.steady_reason = "because, in another way";
  CHECK_FALSE(JudgementStands(s, {aged}, kT0));
  s.findings[0].pinned = true;  // written down as of an earlier scan: to be seen again
  CHECK_FALSE(JudgementStands(s, p1, kT0));
  s.findings[0].pinned = false;
  s.findings[0].status = FindingStatus::kExcepted;
  s.findings[0].exception_until = kT0;
  CHECK(JudgementStands(s, p1, kT0 + kDay - 1));
  CHECK_FALSE(JudgementStands(s, p1, kT0 + kDay));  // run out: reopens
  StoredItem none;
  CHECK(JudgementStands(none, {}, kT0));
  CHECK_FALSE(JudgementStands(none, p1, kT0));
}
