// Which complete scans saw a file (sightings.h): roots that hold it, and a finding's
// last sighting and opening derived from them.
#include "sightings.h"

#include <catch2/catch.hpp>

using namespace custos::inventory;

TEST_CASE("sightings: a root holds the files below it, or is the file") {
  Sightings s;
  s.Add(1, 100, {"/srv/a"});
  s.Add(2, 200, {"/srv/a/"});
  s.Add(3, 300, {"/srv/b", "/data"});
  s.Add(4, 400, {"/srv/a/x.txt"});
  s.Add(5, 500, {"/"});
  auto first_last = [&](int64_t after, const char* dir, const char* name) {
    const Sightings::Span sp = s.After(after, dir, name);
    return std::make_pair(sp.first.id, sp.last.id);
  };
  CHECK(first_last(0, "/srv/a", "x.txt") == std::make_pair(int64_t{1}, int64_t{5}));
  CHECK(first_last(1, "/srv/a", "x.txt") == std::make_pair(int64_t{2}, int64_t{5}));
  CHECK(first_last(2, "/srv/a/deep/er", "x") == std::make_pair(int64_t{5}, int64_t{5}));
  CHECK(first_last(0, "/srv/ab", "x.txt") == std::make_pair(int64_t{5}, int64_t{5}));
  CHECK(first_last(0, "/srv", "a") == std::make_pair(int64_t{1}, int64_t{5}));  // the root
  CHECK(first_last(0, "/srv", "ab") == std::make_pair(int64_t{5}, int64_t{5}));
  CHECK(first_last(0, "/srv/a", "") == std::make_pair(int64_t{1}, int64_t{5}));
  CHECK(first_last(0, "/data", "y") == std::make_pair(int64_t{3}, int64_t{5}));
  CHECK(first_last(3, "/srv/a", "x.txt") == std::make_pair(int64_t{4}, int64_t{5}));
  CHECK(first_last(3, "/srv/a", "x.txt.bak") == std::make_pair(int64_t{5}, int64_t{5}));
  CHECK(first_last(5, "/srv/a", "x.txt") == std::make_pair(int64_t{0}, int64_t{0}));
  CHECK(s.last_id() == 5);
}

TEST_CASE("sightings: RootHolds, also for files right below /") {
  CHECK(RootHolds("/srv/a", "/srv/a", "x"));
  CHECK(RootHolds("/srv/a", "/srv/a/b", "x"));
  CHECK(RootHolds("/srv/a", "/srv", "a"));  // the root itself
  CHECK_FALSE(RootHolds("/srv/a", "/srv", "ab"));
  CHECK_FALSE(RootHolds("/srv/a", "/srv/ab", "x"));
  CHECK_FALSE(RootHolds("/srv/a/x", "/srv/a", "y"));
  CHECK(RootHolds("/c", "/", "c"));
  CHECK_FALSE(RootHolds("/c", "/", "d"));
  CHECK(RootHolds("/", "/", "c"));
  CHECK(RootHolds("/", "/srv", "c"));
}

TEST_CASE("sightings: a finding moves along unless pinned or resolved") {
  Sightings s;
  s.Add(3, 1000, {"/srv"});
  s.Add(5, 2000, {"/srv"});
  s.Add(6, 1500, {"/other"});
  StoredFinding f;
  f.status = FindingStatus::kNew;
  f.last_scan = 2;
  f.last_seen = 900;
  SeenFinding d = Derive(f, s, "/srv", "a");
  CHECK(d.status == FindingStatus::kOpen);
  CHECK(d.last_scan == 5);
  CHECK(d.last_seen == 2000);
  CHECK(d.opened.id == 3);
  CHECK(d.opened.now == 1000);
  // Seen by none since it was written: as stored.
  f.last_scan = 5;
  d = Derive(f, s, "/srv", "a");
  CHECK(d.status == FindingStatus::kNew);
  CHECK(d.opened.id == 0);
  CHECK(d.last_seen == 900);
  // Acknowledged: stays so, sighting moves along; a scan judged "earlier" does not
  // move last_seen back.
  f.status = FindingStatus::kAcknowledged;
  f.last_scan = 2;
  f.last_seen = 5000;
  d = Derive(f, s, "/srv", "a");
  CHECK(d.status == FindingStatus::kAcknowledged);
  CHECK(d.last_scan == 5);
  CHECK(d.last_seen == 5000);
  CHECK(d.opened.id == 0);
  // Pinned or resolved: as stored.
  f.pinned = true;
  CHECK(Derive(f, s, "/srv", "a").last_scan == 2);
  f.pinned = false;
  f.status = FindingStatus::kResolved;
  CHECK(Derive(f, s, "/srv", "a").last_scan == 2);
}
