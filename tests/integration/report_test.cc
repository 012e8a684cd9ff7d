// The weekly report as a data-protection officer reads it, made by the real binary from
// real scans of trees built here: formulas in CSV cells kept as text, each exception
// once, reasons in plain words.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "custos/base/time.h"
#include "pdf_text.h"
#include "support/pg_cluster.h"
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

const char* kFormula = R"x(=HYPERLINK("http://evil.example/x","click"))x";

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
      REQUIRE((cell.empty() || std::string("=+-@\t\r").find(cell[0]) == std::string::npos));
      formulas += cell.rfind("'=HYPERLINK(", 0) == 0 || cell.rfind("'-2+3", 0) == 0;
    }
    if (row[col["section"]] == "excepted" && row[col["exception_reason"]][1] == '=') {
      CHECK(row[col["exception_reason"]] == std::string("'") + kFormula);
    }
  }
  CHECK(formulas == 2);  // the exception (once), and the title
  // In the file: the quote inside the quoted cell.
  CHECK(csv.find(R"x("'=HYPERLINK(""http://evil.example/x"",""click"")")x") != std::string::npos);
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
}

TEST_CASE("report: CSV and JSON list each exception once, those ending soon marked expiring") {
  ReviewedSite site;
  const json j = json::parse(site.Report("json"));
  CHECK(j["summary"]["excepted"] == 2);
  CHECK(j["summary"]["expiring_soon"] == 1);
  CHECK_FALSE(j.contains("expiring"));
  REQUIRE(j["excepted"].size() == 2);
  std::map<std::string, bool> soon;  // by reason
  for (const json& f : j["excepted"]) {
    soon[f["exception_reason"].get<std::string>()] = f["expiring_soon"].get<bool>();
  }
  CHECK(soon == std::map<std::string, bool>{{kFormula, true}, {"inquiry-B-7731", false}});
  for (const char* list : {"new", "still_open", "resolved"}) {
    for (const json& f : j[list]) CHECK(f["expiring_soon"] == false);
  }

  const auto rows = ParseCsv(site.Report("csv"));
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  std::map<std::string, std::string> marks;  // exception rows: reason -> marks
  size_t exception_rows = 0;
  for (const auto& row : rows) {
    CHECK(row[col["section"]] != "expiring");
    if (row[col["section"]] != "excepted") continue;
    ++exception_rows;
    marks[row[col["exception_reason"]]] = row[col["name"]];
  }
  CHECK(exception_rows == 2);
  CHECK(marks == std::map<std::string, std::string>{{std::string("'") + kFormula, "expiring soon"},
                                                    {"inquiry-B-7731", ""}});
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
  CHECK(std::count(rows[0].begin(), rows[0].end(), "reason_plain") == 1);
}

TEST_CASE("report: files by root name and path below it, with host, site and roots named") {
  ReviewedSite site;
  WriteFile(site / "custos.yaml",
            "site: \"Leeds depot\"\nroots:\n  - path: " + site / "srv" +
                "\n    name: depot-share\nstate_directory: " + site / "state" + "\n");
  char host[256] = {};
  REQUIRE(::gethostname(host, sizeof host - 1) == 0);
  const json j = json::parse(site.Report("json", {"--config", site / "custos.yaml"}));
  CHECK(j["report"]["host"] == host);
  CHECK(j["report"]["site"] == "Leeds depot");
  REQUIRE(j["roots"].size() == 1);
  CHECK(j["roots"][0]["name"] == "depot-share");
  CHECK(j["roots"][0]["path"] == site / "srv");
  CHECK(j["roots"][0]["configured"] == true);
  CHECK(j["roots"][0]["active"] == 1);  // the acknowledged archive file
  size_t seen = 0;
  for (const char* section : {"still_open", "excepted"}) {
    for (const json& f : j[section]) {
      CHECK(f["root"] == "depot-share");
      CHECK(f["path"] == site / "srv/" + f["relative_path"].get<std::string>());
      ++seen;
    }
  }
  CHECK(seen == 3);

  const std::string html = site.Report("html", {"--config", site / "custos.yaml"});
  CHECK(html.find("Site <b id=\"site\">Leeds depot</b> · host <b id=\"host\">" + std::string(host) +
                  "</b> · roots: depot-share") != std::string::npos);
  // The file column: the root's name, then the path below it, breakable at each '/'
  // only (never inside a name).
  CHECK(html.find("depot-share</span>archive/<wbr>2019.txt") != std::string::npos);
  CHECK(html.find("depot-share</span>share/<wbr>b.txt") != std::string::npos);
  CHECK(html.find("break-all") == std::string::npos);
  CHECK(html.find("id=\"tbl-roots\" data-rows=\"1\"") != std::string::npos);
  const auto rows = ParseCsv(site.Report("csv", {"--config", site / "custos.yaml"}));
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  size_t roots = 0;
  for (const auto& row : rows) {
    if (row[0] == "root") {
      CHECK(row[col["root"]] == "depot-share");
      ++roots;
    }
    if (row[0] == "summary" && row[col["name"]] == "site")
      CHECK(row[col["value"]] == "Leeds depot");
    if (row[0] == "excepted") CHECK(row[col["root"]] == "depot-share");
  }
  CHECK(roots == 1);

  // Without a config, a scanned root is named after its folder.
  const json bare = json::parse(site.Report("json"));
  REQUIRE(bare["roots"].size() == 1);
  CHECK(bare["roots"][0]["name"] == "srv");
  CHECK(bare["roots"][0]["configured"] == false);
  CHECK(bare["report"]["site"].is_null());
  // A --config that cannot be loaded is an error.
  WriteFile(site / "bad.yaml", "site: [1, 2]\n");
  auto r = RunCustos(
      {"report", "--db", site.db(), "--config", site / "bad.yaml", "-o", site / "x.html"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--config: ") != std::string::npos);
}

TEST_CASE("report: week by week, what came in and what was resolved next to what is open") {
  TempDir dir;
  WriteFile(dir / "policy.yaml", kPolicy);
  const int64_t now = custos::NowUnix() - kDay;
  const int64_t t0 = now - 20 * kDay;
  for (const char* f : {"a", "b", "c"}) {
    WriteFile(dir / "srv/share/" + f + ".txt", "x\n");
    ::chmod((dir / "srv/share/" + f + ".txt").c_str(), 0644);
  }
  auto scan = [&](int64_t t) {
    auto r = RunCustos({"scan", "--db", dir / "inv.db", "--policy", dir / "policy.yaml", "--now",
                        Iso(t), "-o", dir / "out.jsonl", dir / "srv"});
    INFO(r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  };
  scan(t0);  // three new, two weeks before the last week
  ::chmod((dir / "srv/share/a.txt").c_str(), 0600);
  ::chmod((dir / "srv/share/b.txt").c_str(), 0600);
  scan(t0 + 8 * kDay);  // two resolved, the week after
  WriteFile(dir / "srv/share/d.txt", "x\n");
  ::chmod((dir / "srv/share/d.txt").c_str(), 0644);
  ::chmod((dir / "srv/share/a.txt").c_str(), 0644);
  scan(now - kDay);  // one new, one back: in the last week
  auto r = RunCustos(
      {"report", "--db", dir / "inv.db", "--now", Iso(now), "--weeks", "4", "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  REQUIRE(j["weekly"].size() == 4);
  const json& w = j["weekly"];
  // Weeks end at now - 21d, -14d, -7d, now; the first scan was at now - 20d.
  CHECK(w[0]["new"] == 0);
  CHECK(w[1]["new"] == 3);
  CHECK(w[1]["active"] == 3);
  CHECK(w[2]["resolved"] == 2);
  CHECK(w[2]["active"] == 1);
  CHECK(w[3]["new"] == 2);
  CHECK(w[3]["resolved"] == 0);
  CHECK(w[3]["active"] == 3);

  auto h = RunCustos({"report", "--db", dir / "inv.db", "--now", Iso(now), "--weeks", "4"});
  REQUIRE(h.exit_code == 0);
  const std::string& html = h.out;
  CHECK(html.find("Week by week: new, resolved and open") != std::string::npos);
  CHECK(html.find("data-new=\"3\" data-resolved=\"0\"") != std::string::npos);
  CHECK(html.find("data-new=\"0\" data-resolved=\"2\"") != std::string::npos);
  CHECK(html.find("<rect class=\"resolved\"") != std::string::npos);
  CHECK(html.find("<rect class=\"new\"") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
}

TEST_CASE("report: --format pdf prints the report with a headless Chromium") {
  ReviewedSite site;
  // Without -o, and without a browser: clear errors, exit status 2.
  auto r = RunCustos({"report", "--db", site.db(), "--format", "pdf"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--format pdf needs -o FILE") != std::string::npos);
  TempDir empty_path;
  r = custos::test::Run({"env", "PATH=" + empty_path.path(), custos::test::CustosBinary(), "report",
                         "--db", site.db(), "--format", "pdf", "-o", site / "x.pdf"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--format pdf needs Chromium") != std::string::npos);
  CHECK(r.err.find("apt-get install chromium") != std::string::npos);
  if (!custos::test::HaveTool("chromium")) {
    CUSTOS_SKIP("chromium not installed (apt-get install chromium)");
  }
  const json j = json::parse(site.Report("json"));
  const std::string pdf = site.Report("pdf");
  CHECK(pdf.rfind("%PDF-", 0) == 0);
  struct stat st;
  REQUIRE(::stat((site / "report.pdf").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string text = custos::test::PdfText(site / "report.pdf");
  INFO(text);
  REQUIRE(!text.empty());
  // The report's figures and sections, as the JSON gives them.
  CHECK(text.find("custos weekly review") != std::string::npos);
  CHECK(text.find("Review period " + Date(site.now() - 7 * kDay) + " to " + Date(site.now())) !=
        std::string::npos);
  CHECK(text.find("Still open (" + std::to_string(j["still_open"].size()) + ")") !=
        std::string::npos);
  CHECK(text.find("Exceptions expiring within 14 days (" +
                  std::to_string(j["summary"]["expiring_soon"].get<int>()) + ")") !=
        std::string::npos);
  CHECK(text.find("Other exceptions (1)") != std::string::npos);
  CHECK(text.find("inquiry-B-7731") != std::string::npos);
  CHECK(text.find("readable by everyone") != std::string::npos);
  CHECK(text.find("Week by week: new, resolved and open") != std::string::npos);
}

namespace {

// The summary figure `name` of a CSV report.
std::string CsvFigure(const std::string& csv, const std::string& name) {
  for (const auto& row : ParseCsv(csv)) {
    if (row.size() > 17 && row[0] == "summary" && row[16] == name) return row[17];
  }
  return "(none)";
}

// A tree with a folder and a file left out by excludes and two symbolic links, scanned
// twice into the inventory `db` (a file or a postgresql:// URI); the report in each
// format counts what the latest scan left out, and names none of it.
void CheckLeftOut(const TempDir& dir, const std::string& db) {
  WriteFile(dir / "policy.yaml", kPolicy);
  WriteFile(dir / "srv/share/a.txt", "a\n");
  WriteFile(dir / "srv/tmp/x-left-out.txt", "x\n");
  WriteFile(dir / "srv/tmp/y.txt", "y\n");
  WriteFile(dir / "srv/cache.tmp", "c\n");
  REQUIRE(::symlink("a.txt", (dir / "srv/share/link").c_str()) == 0);
  REQUIRE(::symlink("/etc", (dir / "srv/etc-link").c_str()) == 0);
  const int64_t now = custos::NowUnix() - kDay;
  auto scan = [&](int64_t t, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "scan",  "--db", db,   "--state-dir",    dir / "state", "--policy", dir / "policy.yaml",
        "--now", Iso(t), "-o", dir / "out.jsonl"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(dir / "srv");
    auto r = RunCustos(args);
    INFO(r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  };
  scan(now - 60, {});                                               // nothing excluded yet
  scan(now, {"--exclude", "**/srv/tmp", "--exclude", "**/*.tmp"});  // the latest scan counts
  auto report = [&](const std::string& format) {
    auto r = RunCustos({"report", "--db", db, "--now", Iso(now), "--format", format});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  const json j = json::parse(report("json"));
  // The tmp folder (pruned as one entry) and cache.tmp; both links.
  CHECK(j["summary"]["excluded"] == 2);
  CHECK(j["summary"]["links_not_followed"] == 2);
  CHECK(j["summary"]["other_filesystems"] == 0);
  REQUIRE(j["roots"].size() == 1);
  CHECK(j["roots"][0]["excluded"] == 2);
  CHECK(j["roots"][0]["links_not_followed"] == 2);
  REQUIRE(j["scans"].size() == 2);
  CHECK(j["scans"][0]["excluded"] == 0);
  CHECK(j["scans"][0]["links_not_followed"] == 2);
  CHECK(j["scans"][1]["excluded"] == 2);
  const std::string csv = report("csv");
  CHECK(CsvFigure(csv, "excluded") == "2");
  CHECK(CsvFigure(csv, "links_not_followed") == "2");
  CHECK(CsvFigure(csv, "other_filesystems") == "0");
  const std::string html = report("html");
  CHECK(html.find("id=\"fig-excluded\" data-value=\"2\"") != std::string::npos);
  CHECK(html.find("id=\"fig-links\" data-value=\"2\"") != std::string::npos);
  CHECK(html.find("id=\"fig-mounts\" data-value=\"0\"") != std::string::npos);
  CHECK(html.find("Excluded paths") != std::string::npos);
  // Counts only: no path of what was left out is stored or shown.
  for (const std::string& out : {html, csv, j.dump()}) {
    CHECK(out.find("x-left-out") == std::string::npos);
    CHECK(out.find("etc-link") == std::string::npos);
    CHECK(out.find("cache.tmp") == std::string::npos);
  }
}

}  // namespace

TEST_CASE("report: coverage counts the excluded paths and the links not followed") {
  TempDir dir;
  CheckLeftOut(dir, dir / "state/inventory.db");
}

TEST_CASE("report: coverage counts what was left out, on a PostgreSQL inventory") {
  CUSTOS_SKIP_WITHOUT_PG();
  TempDir dir;
  CheckLeftOut(dir, custos::test::PgCluster::Shared().NewDatabase());
}

TEST_CASE("report: coverage counts the other file systems a scan did not enter") {
  // /dev holds mount points of its own (/dev/shm, /dev/pts): a scan of /dev does not
  // enter them (a depth of 1 keeps the scan to /dev, its folders and their entries).
  struct stat dev, shm;
  if (::stat("/dev", &dev) != 0 || ::stat("/dev/shm", &shm) != 0 || dev.st_dev == shm.st_dev) {
    CUSTOS_SKIP("/dev/shm is not a file system of its own here");
  }
  TempDir dir;
  const std::string db = dir / "state/inventory.db";
  const int64_t now = custos::NowUnix();
  WriteFile(dir / "policy.yaml", kPolicy);
  auto r =
      RunCustos({"scan", "--db", db, "--state-dir", dir / "state", "--policy", dir / "policy.yaml",
                 "--now", Iso(now), "--max-depth", "1", "-o", dir / "out.jsonl", "/dev"});
  INFO(r.err);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  r = RunCustos({"report", "--db", db, "--now", Iso(now), "--format", "json"});
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  CHECK(j["summary"]["other_filesystems"] >= 1);
  CHECK(j["summary"]["other_filesystems"] == j["scans"][0]["other_filesystems"]);
  CHECK(j["roots"][0]["other_filesystems"] == j["summary"]["other_filesystems"]);
}
