// The weekly report as a data-protection officer reads it, made by the real binary from
// real scans of trees built here: formulas in CSV cells kept as text, each exception
// once, reasons in plain words.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "custos/base/time.h"
#include "support/support.h"

using custos::test::ProcessResult;
using custos::test::ReadFile;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;
using json = nlohmann::json;

namespace {

constexpr int64_t kDay = 86400;

std::string Iso(int64_t t) { return custos::FormatIso8601(t); }
std::string Date(int64_t t) { return Iso(t).substr(0, 10); }

const char* kPolicy = R"(policies:
  - id: share-private
    description: Shared files are not readable by everyone
    severity: high
    match: {paths: ["**/share/**"]}
    access: {max_mode: "0770"}
  - id: archive-1y
    description: Archived files are kept one year at most
    severity: medium
    match: {paths: ["**/archive/**"]}
    retention: {max_age: 365d, age_from: mtime}
)";

const char* kFormula = R"(=HYPERLINK("http://evil.example/x","click"))";

// A tree under srv/ with three findings, scanned twice, and decisions on them.
class ReviewedSite {
 public:
  ReviewedSite() {
    WriteFile(dir_ / "policy.yaml", kPolicy);
    now_ = custos::NowUnix() - kDay;
    WriteFile(dir_ / "srv/share/a.txt", "a\n");
    WriteFile(dir_ / "srv/share/b.txt", "b\n");
    ::chmod((dir_ / "srv/share/a.txt").c_str(), 0644);
    ::chmod((dir_ / "srv/share/b.txt").c_str(), 0644);
    WriteFile(dir_ / "srv/archive/2019.txt", "old\n");
    custos::test::SetMtime(dir_ / "srv/archive/2019.txt", now_ - 800 * kDay);
    Scan(now_ - 10 * kDay);
    Scan(now_ - 9 * kDay);
    auto ids = Ids();
    REQUIRE(ids.size() == 3);
    Decide({"findings", "except", ids["share/a.txt"], "--reason", kFormula, "--until",
            Date(now_ + 5 * kDay)});
    Decide({"findings", "except", ids["share/b.txt"], "--reason", "inquiry-B-7731", "--until",
            Date(now_ + 60 * kDay)});
    Decide({"findings", "note", ids["archive/2019.txt"], "+SUM(1;2)"});
    Decide({"findings", "ack", ids["archive/2019.txt"], "--note", "@cmd|' /C calc'!A0"});
  }

  std::string operator/(std::string_view rel) const { return dir_ / rel; }
  std::string db() const { return dir_ / "state/inventory.db"; }
  int64_t now() const { return now_; }

  // `custos report` as of now, in `format`; returns what it wrote.
  std::string Report(const std::string& format, std::vector<std::string> extra = {}) {
    const std::string out = dir_ / ("report." + format);
    std::vector<std::string> args = {"report",   "--db", db(), "--now", Iso(now_),
                                     "--format", format, "-o", out};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunCustos(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return ReadFile(out);
  }

 private:
  void Scan(int64_t t) {
    auto r = RunCustos({"scan", "--db", db(), "--policy", dir_ / "policy.yaml", "--now", Iso(t),
                        "-o", dir_ / "out.jsonl", dir_ / "srv"});
    INFO(r.err);
    REQUIRE(r.exit_code == 1);
  }
  // Finding ids by path below srv/.
  std::map<std::string, std::string> Ids() {
    auto r = RunCustos({"findings", "list", "--all", "--format", "json", "--db", db()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::map<std::string, std::string> ids;
    const std::string root = dir_ / "srv/";
    for (const json& f : json::parse(r.out)) {
      ids[f["path"].get<std::string>().substr(root.size())] =
          std::to_string(f["id"].get<int64_t>());
    }
    return ids;
  }
  void Decide(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db(), "--now", Iso(now_ - 8 * kDay)});
    auto r = RunCustos(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }

  TempDir dir_;
  int64_t now_ = 0;
};

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(cell);
      cell.clear();
    } else if (c == '\n') {
      rows.back().push_back(cell);
      cell.clear();
      rows.emplace_back();
    } else if (c != '\r') {
      cell += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("report: CSV cells a spreadsheet would take for formulas are kept as text") {
  ReviewedSite site;
  const std::string csv = site.Report("csv", {"--title", "-2+3 weekly"});
  const auto rows = ParseCsv(csv);
  REQUIRE(rows.size() > 10);
  size_t formulas = 0;
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  for (const auto& row : rows) {
    REQUIRE(row.size() == rows[0].size());
    for (const std::string& cell : row) {
      INFO(cell);
      REQUIRE(!cell.empty() ? std::string("=+-@\t\r").find(cell[0]) == std::string::npos : true);
      formulas += cell.rfind("'=HYPERLINK(", 0) == 0 || cell.rfind("'-2+3", 0) == 0;
    }
    if (row[col["section"]] == "excepted" && row[col["exception_reason"]][1] == '=') {
      CHECK(row[col["exception_reason"]] == std::string("'") + kFormula);
    }
  }
  CHECK(formulas == 3);  // the exception (excepted and expiring), and the title
  // In the file: the quote inside the quoted cell.
  CHECK(csv.find(R"("'=HYPERLINK(""http://evil.example/x"",""click"")")") != std::string::npos);
  CHECK(csv.find(R"(,"'-2+3 weekly",)") != std::string::npos);
}

TEST_CASE("report: the HTML page shows each exception's text once") {
  ReviewedSite site;
  const std::string html = site.Report("html");
  CHECK(Count(html, "inquiry-B-7731") == 1);
  CHECK(Count(html, "HYPERLINK(") == 1);
  CHECK(html.find("Exceptions expiring within 14 days") != std::string::npos);
  CHECK(html.find("Other exceptions") != std::string::npos);
  CHECK(html.find("id=\"tbl-expiring\" data-rows=\"1\"") != std::string::npos);
  CHECK(html.find("id=\"tbl-excepted\" data-rows=\"1\"") != std::string::npos);
  // Notes keep their lines; the exception's line is marked.
  CHECK(html.find("<b class=\"exception\">" + Date(site.now() - 8 * kDay) + " excepted until " +
                  Date(site.now() + 60 * kDay) + ": inquiry-B-7731</b>") != std::string::npos);
  // The JSON lists every exception, and the expiring ones again (data for scripts).
  const json j = json::parse(site.Report("json"));
  CHECK(j["excepted"].size() == 2);
  CHECK(j["expiring"].size() == 1);
}

TEST_CASE("report: reasons in words a data-protection officer reads") {
  ReviewedSite site;
  const std::string html = site.Report("html");
  CHECK(html.find("readable by everyone; the policy allows owner and group only") !=
        std::string::npos);
  CHECK(html.find("kept longer than allowed: last modified on ") != std::string::npos);
  CHECK(html.find("the policy keeps such files 365 days at most") != std::string::npos);
  // The technical reason stays, smaller, for the administrator.
  CHECK(html.find("<span class=\"tech\">mode 0644 exceeds 0770</span>") != std::string::npos);
  const json j = json::parse(site.Report("json"));
  size_t plain = 0;
  for (const char* section : {"new", "still_open", "excepted"}) {
    for (const json& f : j[section]) {
      if (f["reason"] == "mode 0644 exceeds 0770") {
        CHECK(f["reason_plain"] == "readable by everyone; the policy allows owner and group only");
        ++plain;
      }
    }
  }
  CHECK(plain == 2);
  const auto rows = ParseCsv(site.Report("csv"));
  CHECK(rows[0].back() == "reason_plain");
}
