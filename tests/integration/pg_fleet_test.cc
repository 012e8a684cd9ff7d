// Nodes of a fleet inventory through the real binary: two servers (node names) scan the
// same paths into one PostgreSQL database; the same path on two nodes is two items, the
// findings and the report show each node's, and --node and --root pick them out. The
// same filters on an SQLite inventory, which is one node's.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "custos/base/host.h"
#include "support/pg_cluster.h"
#include "support/support.h"

using custos::test::PgCluster;
using custos::test::ReadFile;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;
using json = nlohmann::json;

namespace {

const char* kPolicy = R"(policies:
  - id: no-cards
    description: No payment card numbers on the file server
    severity: critical
    match: {detectors: [payment_card]}
    forbid: true
)";

// Two roots with a card number each: srv/hr and srv/cctv.
void MakeTree(const TempDir& dir) {
  WriteFile(dir / "policy.yaml", kPolicy);
  WriteFile(dir / "srv/hr/staff.csv", "name,card\nA,4111-1111-1111-1111\n");
  WriteFile(dir / "srv/cctv/notes.txt", "card 4111 1111 1111 1111 on the desk\n");
}

json FindingsJson(const std::string& db, std::vector<std::string> filters) {
  std::vector<std::string> args = {"findings", "list", "--db", db, "--format", "json"};
  args.insert(args.end(), filters.begin(), filters.end());
  auto r = RunCustos(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

// The (node, path) of each finding.
std::multiset<std::pair<std::string, std::string>> Where(const json& findings) {
  std::multiset<std::pair<std::string, std::string>> out;
  for (const json& f : findings) out.emplace(f.value("node", ""), f["path"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("fleet: two nodes scan the same paths into one PostgreSQL inventory") {
  CUSTOS_SKIP_WITHOUT_PG();
  PgCluster& pg = PgCluster::Shared();
  const std::string uri = pg.NewDatabase();
  const std::string db = PgCluster::DatabaseOf(uri);
  TempDir dir;
  MakeTree(dir);
  for (const char* node : {"fs-leeds", "fs-york"}) {
    auto r =
        RunCustos({"scan", "--db", uri, "--node", node, "--state-dir", dir / "state", "--policy",
                   dir / "policy.yaml", "-o", dir / "out.jsonl", dir / "srv/hr", dir / "srv/cctv"});
    INFO(r.err);
    REQUIRE(r.exit_code == 1);
  }
  // Two items for each path, one per node; two scans, one per node.
  CHECK(pg.Psql(db,
                "SELECT d.node || ' ' || count(*) FROM items i JOIN dirs d ON d.id = i.dir "
                "GROUP BY d.node ORDER BY d.node") == "fs-leeds 2\nfs-york 2");
  CHECK(pg.Psql(db, "SELECT string_agg(node, ',' ORDER BY id) FROM scans") == "fs-leeds,fs-york");
  const std::string hr = dir / "srv/hr/staff.csv", cctv = dir / "srv/cctv/notes.txt";

  // Every node's findings, each showing its node.
  const json all = FindingsJson(uri, {});
  CHECK(Where(all) ==
        std::multiset<std::pair<std::string, std::string>>{
            {"fs-leeds", hr}, {"fs-leeds", cctv}, {"fs-york", hr}, {"fs-york", cctv}});
  // --node: one node's; repeated: either's.
  CHECK(Where(FindingsJson(uri, {"--node", "fs-york"})) ==
        std::multiset<std::pair<std::string, std::string>>{{"fs-york", hr}, {"fs-york", cctv}});
  CHECK(FindingsJson(uri, {"--node", "fs-york", "--node", "fs-leeds"}).size() == 4);
  CHECK(FindingsJson(uri, {"--node", "fs-nowhere"}).empty());
  // --root: by path (a prefix is not a root: /srv/h is not /srv/hr) or by name.
  CHECK(Where(FindingsJson(uri, {"--root", dir / "srv/hr/"})) ==
        std::multiset<std::pair<std::string, std::string>>{{"fs-leeds", hr}, {"fs-york", hr}});
  CHECK(FindingsJson(uri, {"--root", dir / "srv/h"}).empty());
  CHECK(Where(FindingsJson(uri, {"--node", "fs-leeds", "--root", dir / "srv/cctv"})) ==
        std::multiset<std::pair<std::string, std::string>>{{"fs-leeds", cctv}});
  // The table has a NODE column; show names the node.
  auto table = RunCustos({"findings", "list", "--db", uri, "--node", "fs-york"});
  CHECK(table.out.find("NODE") != std::string::npos);
  CHECK(table.out.find("fs-york") != std::string::npos);
  CHECK(table.out.find("fs-leeds") == std::string::npos);
  auto show =
      RunCustos({"findings", "show", "--db", uri, std::to_string(all[0]["id"].get<int64_t>())});
  CHECK(show.out.find("  node:       " + all[0]["node"].get<std::string>()) != std::string::npos);
  // Bad filters: exit 2, said why.
  auto bad = RunCustos({"findings", "list", "--db", uri, "--node", "a b"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("not a node name") != std::string::npos);
  bad = RunCustos({"findings", "list", "--db", uri, "--root", "nosuchroot"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("no root is named 'nosuchroot'") != std::string::npos);
  bad = RunCustos(
      {"scan", "--db", uri, "--node", "-x", "--policy", dir / "policy.yaml", dir / "srv"});
  CHECK(bad.exit_code == 2);

  // The report: both nodes, their roots grouped by node; filtered, one node's.
  auto report = RunCustos({"report", "--db", uri, "--format", "json", "-o", dir / "r.json"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const json r = json::parse(ReadFile(dir / "r.json"));
  std::set<std::pair<std::string, std::string>> roots;
  for (const json& row : r["roots"]) {
    roots.emplace(row["node"].get<std::string>(), row["name"].get<std::string>());
    CHECK(row["active"] == 1);
  }
  CHECK(roots ==
        std::set<std::pair<std::string, std::string>>{
            {"fs-leeds", "cctv"}, {"fs-leeds", "hr"}, {"fs-york", "cctv"}, {"fs-york", "hr"}});
  CHECK(r["summary"]["active"] == 4);
  std::set<std::string> scan_nodes;
  for (const json& s : r["scans"]) scan_nodes.insert(s["node"].get<std::string>());
  CHECK(scan_nodes == std::set<std::string>{"fs-leeds", "fs-york"});
  for (const json& f : r["new"]) CHECK(f["root"].is_string());

  report = RunCustos({"report", "--db", uri, "--format", "json", "--node", "fs-york", "--root",
                      "hr", "-o", dir / "york.json"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const json york = json::parse(ReadFile(dir / "york.json"));
  CHECK(york["summary"]["active"] == 1);
  REQUIRE(york["new"].size() == 1);
  CHECK(york["new"][0]["node"] == "fs-york");
  CHECK(york["new"][0]["root"] == "hr");
  CHECK(york["new"][0]["relative_path"] == "staff.csv");
  REQUIRE(york["roots"].size() == 1);
  CHECK(york["roots"][0]["node"] == "fs-york");
  CHECK(york["report"]["filters"]["nodes"] == json::array({"fs-york"}));

  auto html = RunCustos({"report", "--db", uri, "-o", dir / "r.html"});
  REQUIRE(html.exit_code == 0);
  const std::string page = ReadFile(dir / "r.html");
  CHECK(page.find("<th>Node</th>") != std::string::npos);
  CHECK(page.find("data-node=\"fs-leeds\"") != std::string::npos);
  CHECK(page.find("data-node=\"fs-york\"") != std::string::npos);
  auto csv = RunCustos({"report", "--db", uri, "--format", "csv", "--node", "fs-leeds"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.find(",relative_path,node\r\n") != std::string::npos);
  CHECK(csv.out.find("fs-leeds") != std::string::npos);
  CHECK(csv.out.find("fs-york") == std::string::npos);
}

TEST_CASE("fleet: --node and --root on an SQLite inventory, one node's") {
  TempDir dir;
  MakeTree(dir);
  const std::string db = dir / "inventory.db";
  auto scan = RunCustos({"scan", "--db", db, "--policy", dir / "policy.yaml", "-o",
                         dir / "out.jsonl", dir / "srv/hr", dir / "srv/cctv"});
  INFO(scan.err);
  REQUIRE(scan.exit_code == 1);
  const json all = FindingsJson(db, {});
  REQUIRE(all.size() == 2);
  for (const json& f : all) CHECK_FALSE(f.contains("node"));  // one server's: no node shown
  // Its node is this host's: --node of another is nothing, of this host everything.
  CHECK(FindingsJson(db, {"--node", custos::HostName()}).size() == 2);
  CHECK(FindingsJson(db, {"--node", "elsewhere"}).empty());
  const json hr = FindingsJson(db, {"--root", "hr"});
  REQUIRE(hr.size() == 1);
  CHECK(hr[0]["path"] == dir / "srv/hr/staff.csv");
  CHECK(FindingsJson(db, {"--root", dir / "srv/cctv"}).size() == 1);
  auto report = RunCustos(
      {"report", "--db", db, "--format", "json", "--root", dir / "srv/cctv", "-o", dir / "r.json"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const json r = json::parse(ReadFile(dir / "r.json"));
  CHECK(r["summary"]["active"] == 1);
  REQUIRE(r["roots"].size() == 1);
  CHECK(r["roots"][0]["name"] == "cctv");
  CHECK(r["roots"][0]["node"].is_null());
}
