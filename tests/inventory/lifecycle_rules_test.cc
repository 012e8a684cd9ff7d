// The findings lifecycle on its own (custos/inventory/lifecycle.h), without a database:
// plans carried out against findings held in memory, case by case.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "custos/inventory/lifecycle.h"

using namespace custos;
using namespace custos::inventory;
using lifecycle::Place;
using lifecycle::Plan;
using lifecycle::ReviewAction;

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'700'000'000;        // 2023-11-14T22:13:20Z
constexpr int64_t kMidnight = 1'699'920'000;  // 2023-11-14T00:00:00Z

StoredFinding F(int64_t id, const std::string& policy, FindingStatus status, int64_t last_scan = 1,
                const std::string& kind = "access") {
  StoredFinding f;
  f.id = id;
  f.policy = policy;
  f.kind = kind;
  f.severity = "high";
  f.reason = "because";
  f.status = status;
  f.last_scan = last_scan;
  f.last_seen = kT0;
  return f;
}

StoredFinding Excepted(int64_t id, int64_t until) {
  StoredFinding f = F(id, "p1", FindingStatus::kExcepted);
  f.exception_reason = "archive";
  f.exception_until = until;
  f.notes = "2023-11-01 excepted until ...: archive";
  return f;
}

Violation V(const std::string& policy, const std::string& kind = "access",
            const std::string& severity = "high") {
  return {policy, ParseViolationKind(kind).value(), ParseSeverity(severity).value(), "because"};
}

std::string Line(const FindingEvent& e) {
  std::string s = std::to_string(e.finding_id) + ":" +
                  (e.from ? std::string(StatusName(*e.from)) : "") + ">" +
                  std::string(StatusName(e.to)) + "@" + std::to_string(e.at - kT0) + "#" +
                  std::to_string(e.scan_id);
  if (!e.note.empty()) s += " " + e.note;
  return s;
}

// The findings table and its events, in memory: a store that only writes. A finding
// may be changed "by somebody else" (Meanwhile) after the plan was made.
class Table : public lifecycle::FindingWriter {
 public:
  struct Row {
    StoredFinding f;
    int64_t item = 0;
    int64_t status_changed = 0;
    int64_t resolved_at = 0;
  };

  // Stores `findings` (of item 1) as they are.
  explicit Table(const std::vector<StoredFinding>& findings = {}) {
    for (const StoredFinding& f : findings) rows[f.id] = {f, 1, 0, 0};
  }
  void Meanwhile(int64_t id, FindingStatus status, const std::string& note) {
    rows[id].f.status = status;
    rows[id].f.notes += note;
  }

  // Carries out `plan` about `findings`, which end as the store holds them.
  void Run(const Plan& plan, std::vector<StoredFinding>& findings, const Place& place = {}) {
    Status s = lifecycle::Apply(plan, 1, findings, place, *this);
    INFO(s.message());
    REQUIRE(s.ok());
    for (const StoredFinding& f : findings) {
      if (rows.count(f.id) == 0) continue;
      const StoredFinding& r = rows[f.id].f;
      CHECK(r.status == f.status);  // what the caller keeps is what is stored
      CHECK(r.notes == f.notes);
      CHECK(r.last_scan == f.last_scan);
      CHECK(r.last_seen == f.last_seen);
      CHECK(r.pinned == f.pinned);
      CHECK(r.severity == f.severity);
      CHECK(r.reason == f.reason);
    }
  }
  std::vector<std::string> Events() const {
    std::vector<std::string> out;
    for (const FindingEvent& e : events) out.push_back(Line(e));
    return out;
  }

  Result<int64_t> Insert(int64_t item_id, const lifecycle::Create& c) override {
    Row r;
    r.f.id = next_id++;
    r.f.policy = c.policy;
    r.f.kind = c.kind;
    r.f.severity = c.severity;
    r.f.reason = c.reason;
    r.f.status = FindingStatus::kNew;
    r.f.last_seen = c.at;
    r.f.last_scan = c.scan_id;
    r.item = item_id;
    r.status_changed = c.at;
    rows[r.f.id] = r;
    return r.f.id;
  }
  Result<bool> Update(int64_t id, const lifecycle::StatusChange& c) override {
    auto it = rows.find(id);
    if (it == rows.end() || it->second.f.status != c.from) return false;
    Row& r = it->second;
    r.f.status = c.to;
    r.status_changed = c.changed;
    r.resolved_at = c.resolved_at;
    r.f.exception_reason = c.exception_reason;
    r.f.exception_until = c.exception_until;
    r.f.notes = c.notes;
    r.f.last_seen = std::max(r.f.last_seen, c.last_seen);
    r.f.last_scan = std::max(r.f.last_scan, c.last_scan);
    return true;
  }
  Result<std::optional<std::pair<FindingStatus, std::string>>> Reread(int64_t id) override {
    auto it = rows.find(id);
    if (it == rows.end()) return std::optional<std::pair<FindingStatus, std::string>>();
    return std::optional<std::pair<FindingStatus, std::string>>(
        std::make_pair(it->second.f.status, it->second.f.notes));
  }
  Status Update(int64_t id, const lifecycle::Confirm& c) override {
    StoredFinding& f = rows.at(id).f;
    f.severity = c.severity;
    f.reason = c.reason;
    f.last_seen = std::max(f.last_seen, c.at);
    f.last_scan = c.scan_id;
    f.pinned = false;
    return Status::Ok();
  }
  Status Update(int64_t id, const lifecycle::Pin& p) override {
    StoredFinding& f = rows.at(id).f;
    f.last_seen = std::max(f.last_seen, p.last_seen);
    f.last_scan = std::max(f.last_scan, p.last_scan);
    f.pinned = true;
    return Status::Ok();
  }
  Status Update(int64_t id, const lifecycle::Annotate& a) override {
    StoredFinding& f = rows.at(id).f;
    f.notes = a.notes;
    f.exception_reason = a.exception_reason;
    f.exception_until = a.exception_until;
    return Status::Ok();
  }
  Status AddEvent(const FindingEvent& e) override {
    events.push_back(e);
    return Status::Ok();
  }

  std::map<int64_t, Row> rows;
  std::vector<FindingEvent> events;
  int64_t next_id = 100;
};

std::vector<FindingStatus> Statuses(const std::vector<StoredFinding>& findings) {
  std::vector<FindingStatus> out;
  for (const StoredFinding& f : findings) out.push_back(f.status);
  return out;
}

using S = FindingStatus;

}  // namespace

TEST_CASE("lifecycle rules: a scan's judgement of an item, case by case") {
  struct Case {
    const char* what;
    std::vector<StoredFinding> stored;
    std::vector<Violation> violations;
    ItemState state;
    std::vector<FindingStatus> after;
    std::vector<std::string> events;  // written, "id:from>to@(at - kT0)#scan note"
  };
  const int64_t scan = 5, now = kT0 + 3 * kDay;
  const std::string at = "@" + std::to_string(now - kT0) + "#5";
  StoredFinding expired_exc = Excepted(1, kMidnight + 2 * kDay);  // last day: now's - 1
  StoredFinding running_exc = Excepted(1, kMidnight + 3 * kDay);  // last day: now's
  StoredFinding resolved = F(1, "p1", S::kResolved);
  resolved.exception_reason = "old reason";
  resolved.exception_until = kMidnight;
  StoredFinding pinned = F(1, "p1", S::kOpen);
  pinned.pinned = true;
  const std::vector<Case> cases = {
      {"a new breach is a new finding",
       {},
       {V("p1")},
       ItemState::kComplete,
       {S::kNew},
       {"100:>new" + at}},
      {"one finding per policy and kind: the first violation counts",
       {},
       {V("p1"), V("p1", "access", "low"), V("p1", "location"), V("p2")},
       ItemState::kComplete,
       {S::kNew, S::kNew, S::kNew},
       {"100:>new" + at, "101:>new" + at, "102:>new" + at}},
      {"seen again unchanged: nothing written",
       {F(1, "p1", S::kNew)},
       {V("p1")},
       ItemState::kComplete,
       {S::kNew},
       {}},
      {"seen again with another severity: opened and written down",
       {F(1, "p1", S::kNew)},
       {V("p1", "access", "low")},
       ItemState::kComplete,
       {S::kOpen},
       {"1:new>open" + at}},
      {"written by this scan already: left alone",
       {F(1, "p1", S::kNew, scan)},
       {V("p1", "access", "low")},
       ItemState::kComplete,
       {S::kNew},
       {}},
      {"fixed: resolved",
       {F(1, "p1", S::kOpen)},
       {},
       ItemState::kComplete,
       {S::kResolved},
       {"1:open>resolved" + at + " no longer breached"}},
      {"acknowledged stays so while the breach persists",
       {F(1, "p1", S::kAcknowledged)},
       {V("p1")},
       ItemState::kComplete,
       {S::kAcknowledged},
       {}},
      {"acknowledged, then fixed: resolved",
       {F(1, "p1", S::kAcknowledged)},
       {},
       ItemState::kComplete,
       {S::kResolved},
       {"1:acknowledged>resolved" + at + " no longer breached"}},
      {"resolved, then back: new again",
       {resolved},
       {V("p1")},
       ItemState::kComplete,
       {S::kNew},
       {"1:resolved>new" + at + " reappeared"}},
      {"an exception covers the whole of its last day",
       {running_exc},
       {V("p1")},
       ItemState::kComplete,
       {S::kExcepted},
       {}},
      {"an exception that ran out: open again",
       {expired_exc},
       {V("p1")},
       ItemState::kComplete,
       {S::kOpen},
       {"1:excepted>open" + at + " exception expired"}},
      {"excepted, then fixed: resolved",
       {running_exc},
       {},
       ItemState::kComplete,
       {S::kResolved},
       {"1:excepted>resolved" + at + " no longer breached"}},
      {"an item that could not be read resolves nothing: pinned",
       {F(1, "p1", S::kOpen), F(2, "p2", S::kNew)},
       {},
       ItemState::kSkipped,
       {S::kOpen, S::kNew},
       {}},
      {"a partly read item resolves no forbidden finding",
       {F(1, "p1", S::kOpen, 1, "forbidden"), F(2, "p2", S::kOpen, 1, "retention")},
       {},
       ItemState::kPartial,
       {S::kOpen, S::kResolved},
       {"2:open>resolved" + at + " no longer breached"}},
      {"a pinned finding seen again is written down and unpinned",
       {pinned},
       {V("p1")},
       ItemState::kComplete,
       {S::kOpen},
       {}},
      {"a pinned finding still out of reach: nothing written",
       {pinned},
       {},
       ItemState::kSkipped,
       {S::kOpen},
       {}},
      {"resolved findings stay resolved when the item is unreadable",
       {F(1, "p1", S::kResolved)},
       {},
       ItemState::kSkipped,
       {S::kResolved},
       {}},
  };
  for (const Case& c : cases) {
    SECTION(c.what) {
      Table table(c.stored);
      std::vector<StoredFinding> findings = c.stored;
      const Plan plan = lifecycle::Reconcile(findings, c.violations, c.state, scan, now, Place{});
      table.Run(plan, findings);
      CHECK(Statuses(findings) == c.after);
      CHECK(table.Events() == c.events);
    }
  }
}

TEST_CASE("lifecycle rules: what a judgement writes besides the status") {
  const int64_t now = kT0 + 3 * kDay;
  SECTION("confirming writes the severity and kept reason, and unpins") {
    StoredFinding f = F(1, "p1", S::kOpen, 1, "retention");
    f.pinned = true;
    Table table({f});
    std::vector<StoredFinding> findings = {f};
    Violation v = V("p1", "retention", "critical");
    v.reason = "recorded 2023-01-01T00:00:00Z, 300 days old, limit 30d";
    v.steady_reason = "recorded 2023-01-01T00:00:00Z, limit 30d";
    table.Run(lifecycle::Reconcile(findings, {v}, ItemState::kComplete, 5, now, {}), findings);
    CHECK(findings[0].severity == "critical");
    CHECK(findings[0].reason == "recorded 2023-01-01T00:00:00Z, limit 30d");
    CHECK(findings[0].last_scan == 5);
    CHECK(findings[0].last_seen == now);
    CHECK_FALSE(findings[0].pinned);
  }
  SECTION("a breach that comes back drops the decisions about the earlier one") {
    StoredFinding f = F(1, "p1", S::kResolved);
    f.exception_reason = "archive";
    f.exception_until = kMidnight;
    Table table({f});
    std::vector<StoredFinding> findings = {f};
    table.Run(lifecycle::Reconcile(findings, {V("p1")}, ItemState::kComplete, 5, now, {}),
              findings);
    CHECK(findings[0].exception_reason.empty());
    CHECK(findings[0].exception_until == 0);
    CHECK(table.rows[1].resolved_at == 0);
  }
  SECTION("resolving dates it") {
    Table table({F(1, "p1", S::kOpen)});
    std::vector<StoredFinding> findings = {F(1, "p1", S::kOpen)};
    table.Run(lifecycle::Reconcile(findings, {}, ItemState::kComplete, 5, now, {}), findings);
    CHECK(table.rows[1].resolved_at == now);
    CHECK(table.rows[1].status_changed == now);
  }
  SECTION("a new finding records its first sighting") {
    Table table;
    std::vector<StoredFinding> findings;
    table.Run(lifecycle::Reconcile(findings, {V("p1")}, ItemState::kComplete, 5, now, {}),
              findings);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].id == 100);
    CHECK(findings[0].last_seen == now);
    CHECK(findings[0].last_scan == 5);
    CHECK(table.rows[100].item == 1);
  }
  SECTION("an item without violations or findings plans nothing") {
    CHECK(lifecycle::Reconcile({}, {}, ItemState::kComplete, 5, now, {}).empty());
    CHECK(lifecycle::Reconcile({}, {}, ItemState::kSkipped, 5, now, {}).empty());
  }
}

TEST_CASE("lifecycle rules: what complete scans saw without writing it down") {
  // Scan 2 (complete, /srv) saw the file a day after scan 1 found the breach; scan 3 is
  // running now.
  Sightings sightings;
  sightings.Add(2, kT0 + kDay, {"/srv"});
  const Place place{&sightings, "/srv/a", "x.txt"};
  const int64_t now = kT0 + 2 * kDay;
  const StoredFinding stored = F(1, "p1", S::kNew, 1);

  SECTION("shown as open, last seen by that scan") {
    const SeenFinding seen = lifecycle::Seen(stored, place);
    CHECK(seen.status == S::kOpen);
    CHECK(seen.opened.id == 2);
    CHECK(seen.last_seen == kT0 + kDay);
    CHECK(seen.last_scan == 2);
    CHECK(lifecycle::Seen(stored, Place{}).status == S::kNew);  // as stored
    CHECK(lifecycle::Seen(stored, {&sightings, "/data", "x.txt"}).status == S::kNew);
  }
  SECTION("resolving writes the opening first, as of the scan that opened it") {
    Table table({stored});
    std::vector<StoredFinding> findings = {stored};
    table.Run(lifecycle::Reconcile(findings, {}, ItemState::kComplete, 3, now, place), findings,
              place);
    CHECK(table.Events() ==
          std::vector<std::string>{"1:new>open@86400#2",
                                   "1:open>resolved@172800#3 no longer breached"});
    CHECK(findings[0].last_scan == 2);  // what scan 2 saw is written down
    CHECK(findings[0].last_seen == kT0 + kDay);
  }
  SECTION("pinning writes the opening and the last sighting, dated by that scan") {
    Table table({stored});
    std::vector<StoredFinding> findings = {stored};
    table.Run(lifecycle::Reconcile(findings, {}, ItemState::kSkipped, 3, now, place), findings,
              place);
    CHECK(table.Events() == std::vector<std::string>{"1:new>open@86400#2"});
    CHECK(table.rows[1].status_changed == kT0 + kDay);
    CHECK(findings[0].status == S::kOpen);
    CHECK(findings[0].pinned);
    CHECK(findings[0].last_scan == 2);
    CHECK(findings[0].last_seen == kT0 + kDay);
  }
  SECTION("seen again with another severity: opened as of that scan") {
    Table table({stored});
    std::vector<StoredFinding> findings = {stored};
    table.Run(lifecycle::Reconcile(findings, {V("p1", "access", "low")}, ItemState::kComplete, 3,
                                   now, place),
              findings, place);
    CHECK(table.Events() == std::vector<std::string>{"1:new>open@86400#2"});
    CHECK(table.rows[1].status_changed == kT0 + kDay);
    CHECK(findings[0].last_scan == 3);
    CHECK(findings[0].last_seen == now);
  }
  SECTION("a moved file: pinned as of its old path, each finding noting the move") {
    std::vector<StoredFinding> findings = {stored, F(2, "p2", S::kResolved)};
    Table table(findings);
    table.Run(lifecycle::Moved(findings, place, now, 3, "/srv/a/x.txt"), findings, place);
    CHECK(table.Events() ==
          std::vector<std::string>{"1:new>open@86400#2",
                                   "1:open>open@172800#3 moved from /srv/a/x.txt"});
    CHECK(findings[0].pinned);
    CHECK_FALSE(findings[1].pinned);
  }
}

TEST_CASE("lifecycle rules: a reviewer changed the finding while the scan ran") {
  const int64_t now = kT0 + 3 * kDay;
  SECTION("a change decided on the old status is dropped") {
    const StoredFinding f = F(1, "p1", S::kNew);
    Table table({f});
    table.Meanwhile(1, S::kAcknowledged, "acknowledged meanwhile");
    std::vector<StoredFinding> findings = {f};
    table.Run(lifecycle::Reconcile(findings, {V("p1", "access", "low")}, ItemState::kComplete, 5,
                                   now, {}),
              findings);
    CHECK(findings[0].status == S::kAcknowledged);
    CHECK(findings[0].notes == "acknowledged meanwhile");
    CHECK(findings[0].severity == "low");  // the sighting is written all the same
    CHECK(table.Events().empty());
  }
  SECTION("resolving goes ahead from the new status") {
    const StoredFinding f = F(1, "p1", S::kOpen);
    Table table({f});
    table.Meanwhile(1, S::kAcknowledged, "acknowledged meanwhile");
    std::vector<StoredFinding> findings = {f};
    table.Run(lifecycle::Reconcile(findings, {}, ItemState::kComplete, 5, now, {}), findings);
    CHECK(findings[0].status == S::kResolved);
    CHECK(findings[0].notes == "acknowledged meanwhile");
    CHECK(table.Events() ==
          std::vector<std::string>{"1:acknowledged>resolved@259200#5 no longer breached"});
  }
  SECTION("nothing to resolve when it was resolved meanwhile") {
    const StoredFinding f = F(1, "p1", S::kOpen);
    Table table({f});
    table.Meanwhile(1, S::kResolved, "");
    std::vector<StoredFinding> findings = {f};
    table.Run(lifecycle::ResolveAll(findings, {}, now, 5, "file deleted"), findings);
    CHECK(table.Events().empty());
  }
  SECTION("a finding deleted meanwhile is left alone") {
    const StoredFinding f = F(1, "p1", S::kOpen);
    Table table;
    std::vector<StoredFinding> findings = {f};
    Status s = lifecycle::Apply(lifecycle::ResolveAll(findings, {}, now, 5, "file deleted"), 1,
                                findings, {}, table);
    CHECK(s.ok());
    CHECK(table.Events().empty());
  }
}

TEST_CASE("lifecycle rules: the end of a scan") {
  const int64_t now = kT0 + 3 * kDay;
  std::vector<StoredFinding> findings = {F(1, "p1", S::kOpen), F(2, "p2", S::kResolved),
                                         Excepted(3, kMidnight + 10 * kDay)};
  SECTION("a deleted file resolves its findings") {
    Table table(findings);
    table.Run(lifecycle::ResolveAll(findings, {}, now, 5, "file deleted"), findings);
    CHECK(Statuses(findings) == std::vector<S>{S::kResolved, S::kResolved, S::kResolved});
    CHECK(table.Events() == std::vector<std::string>{"1:open>resolved@259200#5 file deleted",
                                                     "3:excepted>resolved@259200#5 file deleted"});
  }
  SECTION("a file out of the scan's sight keeps its findings, pinned") {
    Table table(findings);
    table.Run(lifecycle::PinAll(findings, {}), findings);
    CHECK(Statuses(findings) == std::vector<S>{S::kOpen, S::kResolved, S::kExcepted});
    CHECK(findings[0].pinned);
    CHECK_FALSE(findings[1].pinned);
    CHECK(findings[2].pinned);
    CHECK(table.Events().empty());
    CHECK(lifecycle::PinAll(findings, {}).empty());  // pinned once
  }
}

TEST_CASE("lifecycle rules: exceptions run out after their last day") {
  struct Case {
    int64_t now;
    bool expired;
  };
  const int64_t until = kMidnight;  // covers 2023-11-14
  for (const Case& c :
       {Case{kMidnight - 1, false}, Case{kMidnight, false}, Case{kMidnight + kDay - 1, false},
        Case{kMidnight + kDay, true}, Case{kMidnight + 30 * kDay, true}}) {
    CAPTURE(c.now - kMidnight);
    CHECK(ExceptionExpired(until, c.now) == c.expired);
    CHECK((until <= lifecycle::LatestExpiredUntil(c.now)) == c.expired);
    std::vector<StoredFinding> findings = {Excepted(1, until), F(2, "p2", S::kOpen)};
    Table table(findings);
    table.Run(lifecycle::Expire(findings, c.now, 0), findings);
    CHECK(findings[0].status == (c.expired ? S::kOpen : S::kExcepted));
    CHECK(findings[0].exception_until == (c.expired ? 0 : until));
    CHECK(findings[0].exception_reason == (c.expired ? "" : "archive"));
    CHECK(findings[1].status == S::kOpen);
    CHECK(table.events.size() == (c.expired ? 1u : 0u));
  }
  CHECK_FALSE(ExceptionExpired(0, kT0));  // no exception
}

TEST_CASE("lifecycle rules: a reviewer's decisions") {
  const int64_t now = kT0;  // 2023-11-14
  auto ack = [](std::string note = "") {
    ReviewAction a;
    a.kind = ReviewAction::Kind::kAcknowledge;
    a.note = std::move(note);
    return a;
  };
  auto except = [](std::string reason, int64_t until, std::string note = "") {
    ReviewAction a;
    a.kind = ReviewAction::Kind::kExcept;
    a.reason = std::move(reason);
    a.until = until;
    a.note = std::move(note);
    return a;
  };
  auto note = [](std::string text) {
    ReviewAction a;
    a.kind = ReviewAction::Kind::kNote;
    a.note = std::move(text);
    return a;
  };
  struct Case {
    const char* what;
    StoredFinding stored;
    ReviewAction action;
    FindingStatus after;
    std::vector<std::string> events;
    std::string notes_end;  // the last line of the notes
  };
  const int64_t next_week = kMidnight + 7 * kDay;
  const std::vector<Case> cases = {
      {"acknowledge a new finding",
       F(7, "p1", S::kNew),
       ack("seen"),
       S::kAcknowledged,
       {"7:new>acknowledged@0#0 2023-11-14 acknowledged: seen"},
       "2023-11-14 acknowledged: seen"},
      {"acknowledge an excepted one: the exception goes",
       Excepted(7, next_week),
       ack(),
       S::kAcknowledged,
       {"7:excepted>acknowledged@0#0 2023-11-14 acknowledged"},
       "2023-11-14 acknowledged"},
      {"acknowledge one whose exception ran out: reopened first",
       Excepted(7, kMidnight - kDay),
       ack(),
       S::kAcknowledged,
       {"7:excepted>open@0#0 exception expired", "7:open>acknowledged@0#0 2023-11-14 acknowledged"},
       "2023-11-14 acknowledged"},
      {"acknowledge again: a note",
       F(7, "p1", S::kAcknowledged),
       ack("still"),
       S::kAcknowledged,
       {"7:acknowledged>acknowledged@0#0 2023-11-14 acknowledged: still"},
       "2023-11-14 acknowledged: still"},
      {"except an open one until today",
       F(7, "p1", S::kOpen),
       except("archive", kMidnight, "ok"),
       S::kExcepted,
       {"7:open>excepted@0#0 2023-11-14 excepted until 2023-11-14: archive (ok)"},
       "2023-11-14 excepted until 2023-11-14: archive (ok)"},
      {"except an excepted one again: a longer exception",
       Excepted(7, kMidnight),
       except("archive", next_week),
       S::kExcepted,
       {"7:excepted>excepted@0#0 2023-11-14 excepted until 2023-11-21: archive"},
       "2023-11-14 excepted until 2023-11-21: archive"},
      {"a note keeps the status",
       F(7, "p1", S::kOpen),
       note("asked the owner"),
       S::kOpen,
       {"7:open>open@0#0 2023-11-14 note: asked the owner"},
       "2023-11-14 note: asked the owner"},
      {"a note on a resolved finding",
       F(7, "p1", S::kResolved),
       note("fixed by IT"),
       S::kResolved,
       {"7:resolved>resolved@0#0 2023-11-14 note: fixed by IT"},
       "2023-11-14 note: fixed by IT"},
  };
  for (const Case& c : cases) {
    SECTION(c.what) {
      Table table({c.stored});
      std::vector<StoredFinding> findings = {c.stored};
      auto plan = lifecycle::Review(c.stored, {}, c.action, now);
      INFO(plan.status().message());
      REQUIRE(plan.ok());
      table.Run(plan.value(), findings);
      CHECK(findings[0].status == c.after);
      CHECK(table.Events() == c.events);
      const std::string& notes = findings[0].notes;
      CHECK(notes.substr(notes.size() - c.notes_end.size()) == c.notes_end);
      if (c.stored.notes.empty()) CHECK(notes == c.notes_end);
      if (c.after == S::kExcepted) {
        CHECK(findings[0].exception_reason == c.action.reason);
        CHECK(findings[0].exception_until == c.action.until);
      } else {
        CHECK(findings[0].exception_reason.empty());
        CHECK(findings[0].exception_until == 0);
      }
    }
  }
  SECTION("what cannot be decided") {
    auto code = [&](const StoredFinding& f, const ReviewAction& a) {
      auto plan = lifecycle::Review(f, {}, a, now);
      return plan.ok() ? std::string("ok") : plan.status().message();
    };
    CHECK(code(F(7, "p1", S::kResolved), ack()) == "finding 7 is resolved; nothing to acknowledge");
    CHECK(code(F(7, "p1", S::kResolved), except("archive", next_week)) ==
          "finding 7 is resolved; nothing to except");
    CHECK(code(F(7, "p1", S::kOpen), except("", next_week)) == "an exception needs a reason");
    CHECK(code(F(7, "p1", S::kOpen), except("archive", kMidnight - kDay)) ==
          "exception end 2023-11-13 is in the past");
    CHECK(code(F(7, "p1", S::kOpen), note("")) == "empty note");
    CHECK(lifecycle::CheckReview(except("archive", kMidnight), now).ok());
    CHECK(lifecycle::CheckReview(except("", kMidnight), now).code() ==
          StatusCode::kInvalidArgument);
  }
  SECTION("the reviewer decides on the status the scans show") {
    Sightings sightings;
    sightings.Add(2, kT0 - kDay, {"/srv"});
    const Place place{&sightings, "/srv", "a.txt"};
    const StoredFinding stored = F(7, "p1", S::kNew, 1);
    {
      Table table({stored});
      std::vector<StoredFinding> findings = {stored};
      auto plan = lifecycle::Review(stored, place, ack(), now);
      REQUIRE(plan.ok());
      table.Run(plan.value(), findings, place);
      CHECK(table.Events() ==
            std::vector<std::string>{"7:new>open@-86400#2",
                                     "7:open>acknowledged@0#0 2023-11-14 acknowledged"});
      CHECK(findings[0].last_scan == 2);
    }
    {
      // A note writes no opening: the finding still shows as opened by scan 2.
      Table table({stored});
      std::vector<StoredFinding> findings = {stored};
      auto plan = lifecycle::Review(stored, place, note("n"), now);
      REQUIRE(plan.ok());
      table.Run(plan.value(), findings, place);
      CHECK(table.Events() == std::vector<std::string>{"7:open>open@0#0 2023-11-14 note: n"});
      CHECK(findings[0].status == S::kNew);
    }
  }
}

TEST_CASE("lifecycle rules: what readers see") {
  Sightings sightings;
  sightings.Add(2, kT0 + kDay, {"/srv"});
  const Place place{&sightings, "/srv", "a.txt"};
  Finding shown;
  shown.id = 1;
  shown.status = S::kNew;
  shown.first_seen = kT0;
  shown.last_seen = kT0;
  shown.status_changed = kT0;
  lifecycle::Show(shown, F(1, "p1", S::kNew, 1), place);
  CHECK(shown.status == S::kOpen);
  CHECK(shown.last_seen == kT0 + kDay);
  CHECK(shown.status_changed == kT0 + kDay);

  CHECK(lifecycle::StoredStatuses({S::kOpen}) == std::vector<S>{S::kOpen, S::kNew});
  CHECK(lifecycle::StoredStatuses({S::kAcknowledged}) == std::vector<S>{S::kAcknowledged});
  CHECK(lifecycle::StoredStatuses({}).empty());  // any

  FindingQuery q;
  CHECK(lifecycle::Matches(shown, q));
  q.statuses = {S::kNew};
  CHECK_FALSE(lifecycle::Matches(shown, q));  // shown as open now
  q.statuses = {S::kOpen};
  CHECK(lifecycle::Matches(shown, q));
  q.since = kT0 + kDay;  // opened then
  CHECK(lifecycle::Matches(shown, q));
  q.since = kT0 + kDay + 1;
  CHECK_FALSE(lifecycle::Matches(shown, q));

  const auto opening = lifecycle::Opening(F(1, "p1", S::kNew, 1), place, 0);
  REQUIRE(opening);
  CHECK(Line(*opening) == "1:new>open@86400#2");
  CHECK_FALSE(lifecycle::Opening(F(1, "p1", S::kNew, 1), place, kT0 + kDay + 1));
  CHECK_FALSE(lifecycle::Opening(F(1, "p1", S::kNew, 2), place, 0));  // written by scan 2
  StoredFinding pinned = F(1, "p1", S::kNew, 1);
  pinned.pinned = true;
  CHECK_FALSE(lifecycle::Opening(pinned, place, 0));

  FindingEvent a, b, c;
  a.finding_id = 1;
  a.at = kT0;
  b.finding_id = 2;
  b.at = kT0 + 2 * kDay;
  c = *opening;
  const auto merged = lifecycle::WithOpenings({a, b}, {c});
  REQUIRE(merged.size() == 3);
  CHECK(merged[0].finding_id == 1);
  CHECK(merged[1].at == kT0 + kDay);
  CHECK(merged[2].finding_id == 2);

  CHECK(IsActive(S::kNew));
  CHECK(IsActive(S::kOpen));
  CHECK(IsActive(S::kAcknowledged));
  CHECK_FALSE(IsActive(S::kExcepted));
  CHECK_FALSE(IsActive(S::kResolved));
}

TEST_CASE("lifecycle rules: how far a scan judged an item") {
  Item read;
  read.mime = "text/plain";
  CHECK(lifecycle::JudgedAs(read, true) == ItemState::kComplete);
  CHECK(lifecycle::JudgedAs(read, false) == ItemState::kPartial);  // content not searched
  Item partial = read;
  partial.skipped = SkipReason::FromText("size limit");
  CHECK(lifecycle::JudgedAs(partial, true) == ItemState::kPartial);
  Item skipped;
  skipped.skipped = Skip::kPermissionDenied;
  CHECK(lifecycle::JudgedAs(skipped, true) == ItemState::kSkipped);
  CHECK(lifecycle::JudgedAs(skipped, false) == ItemState::kSkipped);
  Item reused = partial;
  reused.reused = true;  // judged again on what its earlier read found
  CHECK(lifecycle::JudgedAs(reused, true) == ItemState::kComplete);
  CHECK(lifecycle::JudgedAs(reused, false) == ItemState::kPartial);
}

TEST_CASE("lifecycle rules: a decision names who made it; scans and expiry are the system") {
  const int64_t now = kT0;
  const Actor dpo{"dpo", 1000};
  auto who = [](const std::vector<FindingEvent>& events) {
    std::vector<std::string> out;
    for (const FindingEvent& e : events) {
      out.push_back(e.by.IsSystem() ? "system" : e.by.name + "/" + std::to_string(e.by.uid));
    }
    return out;
  };
  auto decide = [&](const StoredFinding& stored, ReviewAction a, const Place& place = {}) {
    a.by = dpo;
    Table table({stored});
    std::vector<StoredFinding> findings = {stored};
    auto plan = lifecycle::Review(stored, place, a, now);
    REQUIRE(plan.ok());
    table.Run(plan.value(), findings, place);
    return who(table.events);
  };
  ReviewAction ack;
  ack.kind = ReviewAction::Kind::kAcknowledge;
  ReviewAction note;
  note.kind = ReviewAction::Kind::kNote;
  note.note = "asked the owner";
  ReviewAction except;
  except.kind = ReviewAction::Kind::kExcept;
  except.reason = "archive";
  except.until = kMidnight + 7 * kDay;

  CHECK(decide(F(7, "p1", S::kNew), ack) == std::vector<std::string>{"dpo/1000"});
  CHECK(decide(F(7, "p1", S::kOpen), note) == std::vector<std::string>{"dpo/1000"});
  CHECK(decide(F(7, "p1", S::kOpen), except) == std::vector<std::string>{"dpo/1000"});
  // An exception that ran out is reopened by the system before the person decides.
  CHECK(decide(Excepted(7, kMidnight - kDay), ack) ==
        std::vector<std::string>{"system", "dpo/1000"});
  // An opening by a scan written down with the decision is the scan's.
  Sightings sightings;
  sightings.Add(2, kT0 - kDay, {"/srv"});
  CHECK(decide(F(7, "p1", S::kNew, 1), ack, {&sightings, "/srv", "a.txt"}) ==
        std::vector<std::string>{"system", "dpo/1000"});
  // A scan's changes and an expiry name nobody.
  {
    std::vector<StoredFinding> findings = {F(7, "p1", S::kOpen)};
    Table table(findings);
    table.Run(lifecycle::Reconcile(findings, {}, ItemState::kComplete, 3, now, {}), findings);
    CHECK(who(table.events) == std::vector<std::string>{"system"});
  }
  {
    std::vector<StoredFinding> findings = {Excepted(7, kMidnight - kDay)};
    Table table(findings);
    table.Run(lifecycle::Expire(findings, now, 0), findings);
    CHECK(who(table.events) == std::vector<std::string>{"system"});
  }
}
