// The PostgreSQL inventory when the database fails: custosd started before its database
// (it serves, says so, retries and scans once the database is there), the CLI's exit 2
// with libpq's message, and the database restarted under a run (interrupted, nothing
// half-written, resumed). Each test runs a cluster of its own, stopped and started here.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "custos/inventory/store.h"
#include "daemon_process.h"
#include "support/pg_cluster.h"
#include "support/support.h"

using custos::Status;
using custos::test::Daemon;
using custos::test::HttpGet;
using custos::test::MakeTree;
using custos::test::ParsePrometheus;
using custos::test::PgCluster;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WaitFor;
using custos::test::WriteFile;
using json = nlohmann::json;

namespace {

const char* kCardPolicy = R"(policies:
  - id: no-cards
    severity: high
    match: {detectors: [payment_card]}
    forbid: true
)";

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("PostgreSQL down at start-up: custosd serves, says so, retries and scans once it is up") {
  CUSTOS_SKIP_WITHOUT_PG();
  PgCluster pg;  // this test's own: stopped and started below
  const std::string uri = pg.NewDatabase();
  pg.Stop();
  TempDir dir;
  WriteFile(dir / "policy.yaml", kCardPolicy);
  MakeTree(dir / "srv", 30);

  // The CLI: exit 2 with libpq's reason, naming the database, no password anywhere.
  auto cli = RunCustos({"scan", "--db", uri + "&passfile=" + (dir / "no-such-pgpass"),
                        "--state-dir", dir / "cli-state", dir / "srv"});
  INFO(cli.err);
  CHECK(cli.exit_code == 2);
  CHECK(cli.err.find("cannot connect") != std::string::npos);
  CHECK(cli.err.find("Is the server running") != std::string::npos);
  CHECK(cli.err.find(PgCluster::DatabaseOf(uri)) != std::string::npos);
  CHECK(cli.out.empty());

  // custosd starts without its database: the control socket and HTTP serve; the
  // start-up run (@reboot) waits for the inventory.
  Daemon d(dir, "  - {path: " + (dir / "srv") + ", name: srv, schedule: \"@reboot\"}\n",
           "inventory: " + uri + "\n");
  json s = d.Status();
  INFO(s.dump(2) << "\n" << d.Log());
  CHECK(s["inventory"]["available"] == false);
  CHECK(s["inventory"]["error"].get<std::string>().find("cannot connect") != std::string::npos);
  CHECK(s["inventory"]["error"].get<std::string>().find("Is the server running") !=
        std::string::npos);
  CHECK(s["inventory"]["since"].is_string());
  CHECK(s["roots"][0]["state"] == "waiting for the inventory");
  CHECK(s["roots"][0]["last_run"].is_null());
  const std::string endpoint = s["metrics"];
  auto [health_line, health] = HttpGet(endpoint, "/healthz");
  CHECK(health_line == "HTTP/1.1 200 OK");
  CHECK(health == "ok; inventory unavailable\n");
  // Attempts go on with back-off (1 s, 2 s, 4 s, ...): a few fail, counted in /metrics.
  std::map<std::string, double> m;
  REQUIRE(WaitFor(
      [&] {
        m = ParsePrometheus(dir, HttpGet(endpoint, "/metrics").second);
        return m["custos_inventory_connect_failures_total{}"] >= 2;
      },
      60));
  CHECK(m["custos_inventory_up{}"] == 0);
  CHECK(m["custos_inventory_next_retry_timestamp_seconds{}"] > 0);
  CHECK(m["custos_scans_deferred_total{root=srv}"] == 1);
  CHECK(m.count("custos_inventory_items{}") == 0);  // unknown, not 0
  auto human = d.Custos({"status"});
  CHECK(human.out.find("UNAVAILABLE since") != std::string::npos);
  CHECK(human.out.find("runs wait for it; next attempt") != std::string::npos);
  // A scan-now joins the queued start-up run (which becomes a manual one).
  auto now = d.Custos({"scan-now"});
  CHECK(now.exit_code == 0);
  CHECK(now.out.find("srv: already queued") != std::string::npos);

  // The database comes up: custosd connects on its own and the deferred run records.
  pg.Start();
  REQUIRE(WaitFor([&] { return d.Status()["inventory"]["available"] == true; }, 120));
  json last = d.WaitForLastRun("srv", "completed", 120);
  CHECK(last["trigger"] == "manual");
  CHECK(last["items"] == 30);
  CHECK(pg.Psql(PgCluster::DatabaseOf(uri),
                "SELECT count(*) FROM items WHERE deleted_at IS NULL") == "30");
  CHECK(pg.Psql(PgCluster::DatabaseOf(uri), "SELECT state FROM scans") == "complete");
  // And scans on: a scan-now completes into it.
  auto again = d.Custos({"scan-now", "--wait", "--timeout", "120"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 1);  // violations, as `custos scan`
  CHECK(again.out.find("completed: 30 items, 10 violations") != std::string::npos);
  CHECK(pg.Psql(PgCluster::DatabaseOf(uri), "SELECT count(*) || ' ' || min(state) FROM scans") ==
        "2 complete");
  s = d.Status();
  CHECK(s["inventory"]["available"] == true);
  CHECK(s["inventory"]["items"] == 30);
  m = ParsePrometheus(dir, HttpGet(endpoint, "/metrics").second);
  CHECK(m["custos_inventory_up{}"] == 1);
  CHECK(m["custos_inventory_items{}"] == 30);
  CHECK(m.count("custos_inventory_next_retry_timestamp_seconds{}") == 0);

  // The journal: one line when it went, a few for the first attempts, one when back.
  const std::string log = d.Log();
  CHECK(Count(log, "inventory unavailable: ") == 1);
  CHECK(Count(log, "inventory still unavailable") <= 4);
  CHECK(Count(log, "inventory available again") == 1);
  CHECK(Count(log, "startup run deferred: the inventory is unavailable") == 1);
}

TEST_CASE("PostgreSQL restarted mid-scan: the run is interrupted, nothing half-written, resumed") {
  CUSTOS_SKIP_WITHOUT_PG();
  PgCluster pg;  // this test's own: restarted below
  const std::string uri = pg.NewDatabase();
  const std::string db = PgCluster::DatabaseOf(uri);
  TempDir dir;
  WriteFile(dir / "policy.yaml", kCardPolicy);
  MakeTree(dir / "srv", 400);
  // Files older than the scan's start by a second are stored for reuse.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  // 40 files a second: the run takes 10 s at least, batches commit every 2 s.
  Daemon d(dir, "  - {path: " + (dir / "srv") + ", name: srv, schedule: \"@yearly\"}\n",
           "inventory: " + uri + "\nthrottle:\n  files_per_second: 40\n");
  REQUIRE(d.Custos({"scan-now", "srv"}).exit_code == 0);
  // Some batches are in; then the database restarts under the run.
  REQUIRE(WaitFor([&] { return std::stoi(pg.Psql(db, "SELECT count(*) FROM items")) >= 60; }, 120));
  pg.Restart();

  // The run ends as interrupted, custosd reconnects and resumes it to the end.
  json last;
  const bool resumed = WaitFor(
      [&] {
        last = d.Root("srv")["last_run"];
        return last.is_object() && last["result"] == "completed";
      },
      240);
  INFO(d.Log());
  REQUIRE(resumed);
  CHECK(last["trigger"] == "resume");
  CHECK(last["items"] == 400);
  CHECK(last["reused"] > 0);  // what the cut run committed is not read again
  CHECK(d.Log().find("run 1 of root srv interrupted: inventory: ") != std::string::npos);
  CHECK(d.Log().find("inventory available again") != std::string::npos);

  // Consistent: the cut scan is recorded as interrupted, the resumed one complete; every
  // item belongs to a recorded scan and to no half batch; each card file one finding.
  CHECK(pg.Psql(db, "SELECT string_agg(state, ',' ORDER BY id) FROM scans") ==
        "interrupted,complete");
  CHECK(pg.Psql(db, "SELECT count(*) FROM items WHERE deleted_at IS NULL") == "400");
  CHECK(pg.Psql(db, "SELECT count(*) FROM items WHERE last_scan NOT IN (SELECT id FROM scans)") ==
        "0");
  CHECK(pg.Psql(db, "SELECT count(*) FROM findings WHERE status IN ('new', 'open')") == "134");
  {
    auto store = custos::inventory::OpenPgStore(uri);
    REQUIRE(store.ok());
    Status integrity = store.value()->CheckIntegrity();
    INFO(integrity.message());
    CHECK(integrity.ok());
  }
  // And the next run completes as usual.
  auto again = d.Custos({"scan-now", "--wait", "--timeout", "120"});
  INFO(again.out << again.err);
  CHECK(again.out.find("completed: 400 items, 134 violations") != std::string::npos);
  CHECK(d.Status()["inventory"]["available"] == true);
}
