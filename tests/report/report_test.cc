// The report: its data model from a store, hostile names in all three formats, the
// week-by-week figures and the HTML row cap.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "custos/base/time.h"
#include "custos/report/report.h"
#include "inventory/inventory_helpers.h"

using namespace custos;
using namespace custos::inventory;
using namespace custos::inventory::test;
using custos::report::BuildReport;
using custos::report::ReportOptions;

namespace {

ReportOptions Options(int64_t now, int64_t since) {
  ReportOptions o;
  o.now = now;
  o.since = since;
  return o;
}

}  // namespace

TEST_CASE("report: --since takes durations and dates") {
  const int64_t now = kT0;
  CHECK(report::ParseSince("7d", now) == now - 7 * kDay);
  CHECK(report::ParseSince("2w", now) == now - 14 * kDay);
  CHECK(report::ParseSince("1mo", now) == now - 30 * kDay);
  CHECK(report::ParseSince("2023-11-01", now) == ParseIso8601("2023-11-01"));
  CHECK_FALSE(report::ParseSince("last week", now).has_value());
  CHECK_FALSE(report::ParseSince("", now).has_value());
}

TEMPLATE_TEST_CASE("report: hostile file names, reasons and notes are escaped in every format", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  const std::string path = "/srv/<script>alert(1)</script>&\"'\x1b[31m\nnew line\xff.txt";
  Item it = MakeItem(path, 1);
  it.violations = {{"p1", ViolationKind::kAccess, Severity::kHigh, "mode <b>0644</b>"}};
  Detection d;
  d.detector = "email";
  d.count = 1;
  d.masked = {"<i>***</i>@example.com"};
  it.detections = {d};
  fx.Scan({it}, kT0);
  REQUIRE(fx.store().AddNote(1, "<img src=x onerror=alert(2)>", kT0, kReviewer).ok());
  auto data = BuildReport(fx.store(), Options(kT0 + 60, kT0 - kDay), "test");
  REQUIRE(data.ok());
  REQUIRE(data->new_findings.size() == 1);

  const std::string html = report::RenderHtml(data.value());
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<b>0644") == std::string::npos);
  CHECK(html.find("<i>***") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;\\x1b[31m\\x0anew "
                  "line\\xff.txt") != std::string::npos);
  CHECK(html.find("&lt;img src=x onerror=alert(2)&gt;") != std::string::npos);

  const std::string csv = report::RenderCsv(data.value());
  CHECK(csv.find('\n') == csv.find("\r\n") + 1);  // only record ends hold a line feed
  size_t lf = 0;
  for (size_t i = 0; i < csv.size(); ++i) {
    if (csv[i] == '\n') {
      ++lf;
      CHECK(csv[i - 1] == '\r');
    }
  }
  CHECK(lf > 10);
  CHECK(csv.find("\\x0anew line\\xff.txt") != std::string::npos);

  const std::string text = report::RenderJson(data.value());
  const auto j = nlohmann::json::parse(text);
  CHECK(j["new"][0]["path"] ==
        "/srv/<script>alert(1)</script>&\"'\x1b[31m\nnew line\\xff.txt");  // valid UTF-8
  CHECK(j["new"][0]["detections"][0]["masked"][0] == "<i>***</i>@example.com");
  CHECK(j["summary"]["items_with_detections"] == 1);
}

TEMPLATE_TEST_CASE("report: open findings week by week follow the history", "", SqliteBackend,
                   PgBackend) {
  Fixture fx(TestType::kind);
  Item a = MakeItem("/srv/a.txt", 1);
  a.violations = {V("p1")};
  Item b = MakeItem("/srv/b.txt", 2);
  b.violations = {V("p1")};
  fx.Scan({a, b}, kT0);  // two open
  REQUIRE(fx.store().Except(2, "r", kT0 + 30 * kDay, "", kT0 + kDay, kReviewer).ok());
  fx.Scan({MakeItem("/srv/a.txt", 1), b}, kT0 + 8 * kDay);  // a fixed
  ReportOptions o = Options(kT0 + 14 * kDay, kT0 + 7 * kDay);
  o.weeks = 3;
  auto data = BuildReport(fx.store(), o, "test");
  REQUIRE(data.ok());
  REQUIRE(data->weekly.size() == 3);
  CHECK(data->weekly[0].end == kT0);
  CHECK(data->weekly[0].active == 2);
  CHECK(data->weekly[0].excepted == 0);
  CHECK(data->weekly[1].active == 1);
  CHECK(data->weekly[1].excepted == 1);
  CHECK(data->weekly[2].active == 0);
  CHECK(data->weekly[2].excepted == 1);
  CHECK(data->summary.resolved_in_period == 1);
  CHECK(data->summary.new_in_period == 0);
  CHECK(data->still_open.empty());
  REQUIRE(data->excepted.size() == 1);
  // The exception names who made it, in each format.
  CHECK(data->excepted[0].decided_by.name == "dpo");
  CHECK(data->excepted[0].decided_by.uid == 1000);
  CHECK(report::RenderHtml(data.value()).find("decided by dpo (uid 1000)") != std::string::npos);
  CHECK(report::RenderJson(data.value()).find(R"("decided_by": {"name": "dpo")") !=
        std::string::npos);
  CHECK(data->summary.expiring_soon == 0);  // ends in 16 days, beyond 14
  REQUIRE(data->by_policy.size() == 1);
  CHECK(data->by_policy[0].description == "Policy one");
  CHECK(data->by_policy[0].excepted == 1);
  CHECK(data->by_policy[0].resolved_in_period == 1);
}

TEMPLATE_TEST_CASE("report: the HTML page caps long tables, the CSV and JSON do not", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  std::vector<Item> items;
  for (int i = 0; i < 5; ++i) {
    Item it = MakeItem("/srv/f" + std::to_string(i), 10 + static_cast<uint64_t>(i));
    it.violations = {V("p1")};
    items.push_back(it);
  }
  fx.Scan(items, kT0);
  ReportOptions o = Options(kT0 + 60, kT0 - kDay);
  o.html_max_rows = 2;
  auto data = BuildReport(fx.store(), o, "test");
  REQUIRE(data.ok());
  const std::string html = report::RenderHtml(data.value());
  CHECK(html.find("id=\"tbl-new\" data-rows=\"5\"") != std::string::npos);
  CHECK(html.find("3 more not shown here") != std::string::npos);
  CHECK(html.find("/srv/f1") != std::string::npos);
  CHECK(html.find("/srv/f4") == std::string::npos);
  CHECK(nlohmann::json::parse(report::RenderJson(data.value()))["new"].size() == 5);
}

TEMPLATE_TEST_CASE("report: coverage counts what the latest scan of each root left out", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  Item a = MakeItem("/srv/a.txt", 1);
  a.violations = {V("p1")};
  fx.left_out = {};
  fx.left_out.excluded = 7;
  fx.left_out.links_not_followed = 3;
  fx.left_out.other_filesystems = 4;
  fx.Scan({a}, kT0);  // an older scan of /srv: not counted
  fx.left_out.excluded = 2;
  fx.left_out.links_not_followed = 1;
  fx.left_out.other_filesystems = 0;
  fx.Scan({a}, kT0 + kDay);
  fx.left_out.excluded = 5;
  fx.left_out.links_not_followed = 0;
  fx.left_out.other_filesystems = 2;
  fx.Scan({MakeItem("/home/b.txt", 2)}, kT0 + kDay, true, {"/home"});
  auto data = BuildReport(fx.store(), Options(kT0 + 2 * kDay, kT0 - kDay), "test");
  REQUIRE(data.ok());
  CHECK(data->summary.excluded == 7);
  CHECK(data->summary.links_not_followed == 1);
  CHECK(data->summary.other_filesystems == 2);
  REQUIRE(data->scans.size() == 3);
  CHECK(data->scans[0].totals.excluded == 7);  // each scan keeps its own figures
  CHECK(data->scans[0].totals.other_filesystems == 4);
  CHECK(data->scans[2].totals.other_filesystems == 2);

  const auto j = nlohmann::json::parse(report::RenderJson(data.value()));
  CHECK(j["summary"]["excluded"] == 7);
  CHECK(j["summary"]["links_not_followed"] == 1);
  CHECK(j["summary"]["other_filesystems"] == 2);
  REQUIRE(j["roots"].size() == 2);
  for (const auto& r : j["roots"]) {
    const bool srv = r["path"] == "/srv";
    CHECK(r["excluded"] == (srv ? 2 : 5));
    CHECK(r["links_not_followed"] == (srv ? 1 : 0));
    CHECK(r["other_filesystems"] == (srv ? 0 : 2));
  }
  CHECK(j["scans"][0]["links_not_followed"] == 3);

  const std::string csv = report::RenderCsv(data.value());
  CHECK(csv.find("\r\nsummary,,,,,,,,,,,,,,,,excluded,7,") != std::string::npos);
  CHECK(csv.find("\r\nsummary,,,,,,,,,,,,,,,,links_not_followed,1,") != std::string::npos);
  CHECK(csv.find("\r\nsummary,,,,,,,,,,,,,,,,other_filesystems,2,") != std::string::npos);

  const std::string html = report::RenderHtml(data.value());
  CHECK(html.find("id=\"fig-excluded\" data-value=\"7\"") != std::string::npos);
  CHECK(html.find("id=\"fig-links\" data-value=\"1\"") != std::string::npos);
  CHECK(html.find("id=\"fig-mounts\" data-value=\"2\"") != std::string::npos);
}

TEMPLATE_TEST_CASE("report: each exception once in CSV and JSON, those ending soon marked", "",
                   SqliteBackend, PgBackend) {
  Fixture fx(TestType::kind);
  Item a = MakeItem("/srv/a.txt", 1);
  a.violations = {V("p1")};
  Item b = MakeItem("/srv/b.txt", 2);
  b.violations = {V("p1")};
  fx.Scan({a, b}, kT0);
  REQUIRE(fx.store().Except(1, "ends-soon-reason", kT0 + 3 * kDay, "", kT0, kReviewer).ok());
  REQUIRE(fx.store().Except(2, "ends-later-reason", kT0 + 90 * kDay, "", kT0, kReviewer).ok());
  // A period after they came in: listed as exceptions only, not as new.
  auto data = BuildReport(fx.store(), Options(kT0 + 60, kT0 + 30), "test");
  REQUIRE(data.ok());
  CHECK(data->summary.expiring_soon == 1);
  const auto j = nlohmann::json::parse(report::RenderJson(data.value()));
  CHECK_FALSE(j.contains("expiring"));
  REQUIRE(j["excepted"].size() == 2);
  CHECK(j["excepted"][0]["exception_reason"] == "ends-soon-reason");
  CHECK(j["excepted"][0]["expiring_soon"] == true);
  CHECK(j["excepted"][1]["expiring_soon"] == false);
  const std::string csv = report::RenderCsv(data.value());
  size_t soon = 0, later = 0;
  for (size_t at = csv.find("ends-soon-reason"); at != std::string::npos;
       at = csv.find("ends-soon-reason", at + 1)) {
    ++soon;
  }
  for (size_t at = csv.find("ends-later-reason"); at != std::string::npos;
       at = csv.find("ends-later-reason", at + 1)) {
    ++later;
  }
  CHECK(soon == 2);   // its row: the reason and the notes' line that recorded it
  CHECK(later == 2);  // the same, and no second row
  CHECK(csv.find("\r\nexpiring,") == std::string::npos);
  CHECK(csv.find(",expiring soon,") != std::string::npos);
}
