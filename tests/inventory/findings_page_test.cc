// A page of the findings, filtered, sorted and cut by the store (the review console's
// list): the same on SQLite and PostgreSQL, and the same as listing every finding and
// cutting the page by hand.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "inventory_helpers.h"

using namespace custos;
using namespace custos::inventory;
using namespace custos::inventory::test;

namespace {

int Rank(const std::string& severity) {
  const std::vector<std::string> order = {"critical", "high", "medium", "low"};
  return static_cast<int>(std::find(order.begin(), order.end(), severity) - order.begin());
}

// The page by hand: every finding of `q` (ListFindings), sorted and cut.
std::vector<int64_t> ByHand(Store& store, const FindingQuery& q, size_t offset, size_t limit) {
  auto all = store.ListFindings(q);
  REQUIRE(all.ok());
  std::vector<Finding> f = all.value();
  std::sort(f.begin(), f.end(), [](const Finding& a, const Finding& b) {
    if (Rank(a.severity) != Rank(b.severity)) return Rank(a.severity) < Rank(b.severity);
    if (a.first_seen != b.first_seen) return a.first_seen < b.first_seen;
    return a.id < b.id;
  });
  std::vector<int64_t> ids;
  for (size_t i = offset; i < f.size() && i < offset + limit; ++i) ids.push_back(f[i].id);
  return ids;
}

std::vector<int64_t> Ids(const FindingPage& page) {
  std::vector<int64_t> ids;
  for (const Finding& f : page.findings) ids.push_back(f.id);
  return ids;
}

}  // namespace

TEMPLATE_TEST_CASE("store: a page of findings is filtered, sorted and cut in the query", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  auto item = [](const std::string& path, uint64_t ino, const std::string& severity) {
    Item it = MakeItem(path, ino);
    it.violations = {V("p1", "access", severity)};
    return it;
  };
  const Item x = item("/srv/a/x.txt", 1, "high"), y = item("/srv/a/y.txt", 2, "critical"),
             z = item("/srv/ab/z.txt", 3, "low"), w = item("/srv/b/deep/w.txt", 4, "medium"),
             f = item("/srv/f.txt", 5, "high");
  fx.Scan({x, y, z}, kT0);
  // x, y and z unchanged, reused: stored as new, shown as open (a scan saw them again).
  fx.ScanReusing({x, y, z, w, f}, kT0 + 10 * kDay);
  std::map<std::string, int64_t> id;
  for (const Finding& found : fx.Findings()) id[found.path] = found.id;
  REQUIRE(id.size() == 5);

  auto page = [&](const FindingQuery& q, uint64_t offset = 0, uint64_t limit = 100) {
    auto p = fx.store().ListFindingsPage(q, offset, limit);
    INFO(p.status().message());
    REQUIRE(p.ok());
    // As listing every finding and cutting by hand.
    CHECK(p->total == fx.store().ListFindings(q)->size());
    CHECK(Ids(p.value()) == ByHand(fx.store(), q, offset, limit));
    return p.value();
  };
  using V64 = std::vector<int64_t>;
  // Most severe first, then the oldest, then by id.
  const V64 all = {id["/srv/a/y.txt"], id["/srv/a/x.txt"], id["/srv/f.txt"],
                   id["/srv/b/deep/w.txt"], id["/srv/ab/z.txt"]};
  CHECK(Ids(page({})) == all);
  // Pages of two: each knows the total.
  V64 joined;
  for (uint64_t offset : {0, 2, 4}) {
    const FindingPage p = page({}, offset, 2);
    CHECK(p.total == 5);
    for (const Finding& found : p.findings) joined.push_back(found.id);
  }
  CHECK(joined == all);
  CHECK(page({}, 5, 2).findings.empty());
  CHECK(page({}, 50, 2).total == 5);

  FindingQuery q;
  q.severities = {"high"};
  CHECK(Ids(page(q)) == V64{id["/srv/a/x.txt"], id["/srv/f.txt"]});
  q = {};
  q.first_seen_until = kT0 + kDay;  // first seen more than nine days before the second scan
  CHECK(Ids(page(q)) == V64{id["/srv/a/y.txt"], id["/srv/a/x.txt"], id["/srv/ab/z.txt"]});

  // Roots: a folder and what is below it (not /srv/ab beside /srv/a), with or without
  // its last '/'; a file; several; '/'; an empty one holds nothing.
  q = {};
  q.roots = {"/srv/a"};
  CHECK(Ids(page(q)) == V64{id["/srv/a/y.txt"], id["/srv/a/x.txt"]});
  q.roots = {"/srv/a/"};
  CHECK(Ids(page(q)) == V64{id["/srv/a/y.txt"], id["/srv/a/x.txt"]});
  q.roots = {"/srv/f.txt"};
  CHECK(Ids(page(q)) == V64{id["/srv/f.txt"]});
  q.roots = {"/srv/b", "/srv/f.txt"};
  CHECK(Ids(page(q)) == V64{id["/srv/f.txt"], id["/srv/b/deep/w.txt"]});
  q.roots = {"/"};
  CHECK(Ids(page(q)) == all);
  q.roots = {""};
  CHECK(page(q).total == 0);
  q.roots = {"/srv/a"};
  q.severities = {"critical", "low"};
  CHECK(Ids(page(q)) == V64{id["/srv/a/y.txt"]});

  // Statuses as the scans show them: x, y and z were seen again (open), w and f are new.
  q = {};
  q.statuses = {FindingStatus::kOpen};
  const FindingPage open = page(q, 0, 2);
  CHECK(open.total == 3);
  CHECK(Ids(open) == V64{id["/srv/a/y.txt"], id["/srv/a/x.txt"]});
  for (const Finding& found : open.findings) CHECK(found.status == FindingStatus::kOpen);
  CHECK(Ids(page(q, 2, 2)) == V64{id["/srv/ab/z.txt"]});
  q.statuses = {FindingStatus::kNew};
  CHECK(Ids(page(q)) == V64{id["/srv/f.txt"], id["/srv/b/deep/w.txt"]});
  q.statuses = {FindingStatus::kNew, FindingStatus::kOpen, FindingStatus::kAcknowledged};
  CHECK(Ids(page(q, 1, 3)) == V64{id["/srv/a/x.txt"], id["/srv/f.txt"], id["/srv/b/deep/w.txt"]});
  q.statuses = {FindingStatus::kResolved};
  CHECK(page(q).total == 0);
  // With detections, a page carries its findings' samples like a listing.
  q = {};
  q.with_detections = true;
  CHECK(page(q, 0, 1).findings.size() == 1);
}
