// `custos inventory copy`: a single server's SQLite inventory, with a history of scans and
// reviewers' decisions made through `custos findings`, copied into a throwaway
// PostgreSQL cluster; the findings, their histories and the report read the same from
// both; a second copy is refused unless it replaces; the next scan into the database
// reuses every item; no raw value in a pg_dump.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "custos/base/host.h"
#include "custos/base/time.h"
#include "support/pg_cluster.h"
#include "support/support.h"

using custos::HostName;
using custos::test::PgCluster;
using custos::test::ReadFile;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;
using json = nlohmann::json;

namespace {

constexpr int64_t kDay = 86400;

const char* kPolicy = R"(policies:
  - id: share-private
    description: Shared files are not readable by everyone
    severity: high
    match: {paths: ["**/share/**"]}
    access: {max_mode: "0640"}
  - id: no-cards
    description: No payment card numbers on the file server
    references: ["PCI DSS"]
    severity: critical
    match: {detectors: [payment_card]}
    forbid: true
)";

std::string Iso(int64_t t) { return custos::FormatIso8601(t); }

// What two inventories show alike: every number named like an id of a row (findings,
// items, scans) taken out, as the database numbers its rows anew, and the node a fleet
// inventory shows (an SQLite one has none; the copy's node is checked on its own).
json WithoutIds(json j) {
  if (j.is_array()) {
    for (json& e : j) e = WithoutIds(e);
  } else if (j.is_object()) {
    for (const char* key : {"id", "scan", "item_id", "finding", "finding_id"}) {
      if (j.contains(key) && j[key].is_number()) j.erase(key);
    }
    if (j.contains("node") && (j["node"].is_string() || j["node"].is_null())) j.erase("node");
    for (auto& [k, v] : j.items()) v = WithoutIds(v);
  }
  return j;
}

// Without the wall-clock times of scans (two scans of the same tree at the same --now
// start and end when they run).
json WithoutWallClock(json j) {
  if (j.is_array()) {
    for (json& e : j) e = WithoutWallClock(e);
  } else if (j.is_object()) {
    j.erase("started");
    j.erase("finished");
    for (auto& [k, v] : j.items()) v = WithoutWallClock(v);
  }
  return j;
}

}  // namespace

TEST_CASE("inventory copy: an SQLite inventory, history and decisions included, into PostgreSQL") {
  CUSTOS_SKIP_WITHOUT_PG();
  PgCluster& pg = PgCluster::Shared();
  const std::string uri = pg.NewDatabase();
  const std::string db = PgCluster::DatabaseOf(uri);
  TempDir dir;
  const std::string sqlite = dir / "inventory.db";
  WriteFile(dir / "policy.yaml", kPolicy);
  const std::vector<std::string> printed = {"4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00",
                                            "536-22-1234", "john.doe@example.com",
                                            "AKIAIOSFODNN7EXAMPLE"};
  std::string doc = "Staff vetting record\n";
  for (const std::string& p : printed) doc += "value: " + p + "\n";
  WriteFile(dir / "srv/share/vetting.txt", doc);
  WriteFile(dir / "srv/share/staff.csv", "name,card\nA,4111-1111-1111-1111\n");
  WriteFile(dir / "srv/share/old.csv", "name,card\nB,5500 0000 0000 0004\n");
  WriteFile(dir / "srv/share/sub/\xff odd name.txt", "nothing here\n");
  WriteFile(dir / "srv/public/readme.txt", "hello\n");
  // Left out on purpose, and counted by each scan (the report's coverage).
  REQUIRE(::symlink("../share", (dir / "srv/public/link").c_str()) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto scan = [&](const std::string& inventory, int64_t now) {
    auto r =
        RunCustos({"scan", "--db", inventory, "--state-dir", dir / "state", "--policy",
                   dir / "policy.yaml", "--now", Iso(now), "-o", dir / "out.jsonl", dir / "srv"});
    INFO(r.err);
    CHECK((r.exit_code == 0 || r.exit_code == 1));
  };
  auto run = [&](std::vector<std::string> args, const std::string& inventory) {
    args.push_back("--db");
    args.push_back(inventory);
    auto r = RunCustos(args);
    INFO(args[0] << " " << args[1] << "\n" << r.err);
    CHECK(r.exit_code == 0);
    return r;
  };

  // A history on the single server: three scans, a file deleted (resolved), and a
  // reviewer's acknowledgement, exception and note.
  const int64_t t0 = custos::NowUnix();
  scan(sqlite, t0);
  scan(sqlite, t0 + kDay);
  const json first = json::parse(run({"findings", "list", "--format", "json"}, sqlite).out);
  REQUIRE(first.size() >= 5);
  auto id_of = [&](const std::string& file, const std::string& policy) {
    for (const json& f : first) {
      if (f["policy"] == policy && f["path"].get<std::string>().find(file) != std::string::npos) {
        return std::to_string(f["id"].get<int64_t>());
      }
    }
    FAIL("no finding of " << policy << " for " << file);
    return std::string();
  };
  const std::string decided = Iso(t0 + kDay + 3600);
  run({"findings", "ack", id_of("staff.csv", "share-private"), "--note", "owner told", "--now",
       decided},
      sqlite);
  run({"findings", "except", id_of("vetting.txt", "no-cards"), "--reason", "vetting archive",
       "--until", Iso(t0 + 30 * kDay).substr(0, 10), "--now", decided},
      sqlite);
  run({"findings", "note", id_of("staff.csv", "no-cards"), "ticket 4711", "--now", decided},
      sqlite);
  REQUIRE(::unlink((dir / "srv/share/old.csv").c_str()) == 0);
  scan(sqlite, t0 + 2 * kDay);

  // What the two inventories show: every finding (with its history) and the report.
  const std::string later = Iso(t0 + 2 * kDay + 3600);
  auto shown = [&](const std::string& inventory) {
    json all = json::parse(
        run({"findings", "list", "--all", "--format", "json", "--now", later}, inventory).out);
    json out = json::object();
    for (const json& f : all) {
      const std::string key = f["path"].get<std::string>() + " " + f["policy"].get<std::string>();
      out[key] =
          WithoutIds(json::parse(run({"findings", "show", std::to_string(f["id"].get<int64_t>()),
                                      "--format", "json", "--now", later},
                                     inventory)
                                     .out));
    }
    run({"report", "--format", "json", "--now", later, "-o", dir / "report.json"}, inventory);
    out["report"] = WithoutIds(json::parse(ReadFile(dir / "report.json")));
    return out;
  };
  const json expected = shown(sqlite);
  const std::string resolved = expected.dump();
  REQUIRE(resolved.find("\"links_not_followed\":1") != std::string::npos);
  REQUIRE(resolved.find("\"to\":\"resolved\"") != std::string::npos);
  REQUIRE(resolved.find("vetting archive") != std::string::npos);
  REQUIRE(resolved.find("ticket 4711") != std::string::npos);

  auto copy = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"inventory",        "copy", "--from",
                                     "sqlite:" + sqlite, "--to", uri};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCustos(args);
  };
  auto copied = copy({});
  INFO(copied.err);
  REQUIRE(copied.exit_code == 0);
  CHECK(copied.out.find("copied 3 scans, 5 items, ") != std::string::npos);
  CHECK(copied.out.find("into node " + HostName()) != std::string::npos);
  const json after = shown(uri);
  {
    INFO(json::diff(expected, after).dump());
    CHECK(after == expected);
  }
  // Who decided, by name and uid.
  CHECK(after.dump().find("\"by\":{\"name\":") != std::string::npos);
  CHECK(pg.Psql(db, "SELECT count(DISTINCT node) FROM scans") == "1");

  // Again: refused, saying what to do, nothing written; with --replace the same result.
  const std::string counts =
      "SELECT (SELECT count(*) FROM items) || '/' || (SELECT count(*) FROM "
      "findings) || '/' || (SELECT count(*) FROM events)";
  const std::string before = pg.Psql(db, counts);
  auto again = copy({});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("already holds an inventory of node " + HostName()) != std::string::npos);
  CHECK(again.err.find("--replace") != std::string::npos);
  CHECK(pg.Psql(db, counts) == before);
  auto replaced = copy({"--replace", "-q"});
  INFO(replaced.err);
  CHECK(replaced.exit_code == 0);
  CHECK(pg.Psql(db, counts) == before);
  CHECK(shown(uri) == expected);

  // The server goes on scanning into the database: nothing is read again, and both
  // inventories judge alike.
  scan(uri, t0 + 3 * kDay);
  CHECK(pg.Psql(db,
                "SELECT read || '/' || reused || '/' || state FROM scans ORDER BY id DESC "
                "LIMIT 1") == "0/4/complete");
  scan(sqlite, t0 + 3 * kDay);
  {
    const json on_pg = WithoutWallClock(shown(uri)), on_sqlite = WithoutWallClock(shown(sqlite));
    INFO(json::diff(on_sqlite, on_pg).dump());
    CHECK(on_pg == on_sqlite);
  }

  // Under another node name: a second server's inventory beside the first.
  auto second = copy({"--node", "hr-share"});
  INFO(second.err);
  CHECK(second.exit_code == 0);
  CHECK(pg.Psql(db, "SELECT string_agg(DISTINCT node, ',' ORDER BY node) FROM dirs") ==
        std::min(HostName(), std::string("hr-share")) + "," +
            std::max(HostName(), std::string("hr-share")));

  // Mistakes: exit 2 with a message, no password echoed.
  CHECK(copy({"--node", "bad name"}).exit_code == 2);
  auto missing =
      RunCustos({"inventory", "copy", "--from", "sqlite:" + (dir / "none.db"), "--to", uri});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("none.db") != std::string::npos);
  auto into_file =
      RunCustos({"inventory", "copy", "--from", "sqlite:" + sqlite, "--to", dir / "other.db"});
  CHECK(into_file.exit_code == 2);
  CHECK(into_file.err.find("PostgreSQL") != std::string::npos);
  auto password = RunCustos({"inventory", "copy", "--from", "sqlite:" + sqlite, "--to",
                             "postgresql://custos:Pw-7f3a9c@/" + db + "?host=" + pg.socket_dir()});
  CHECK(password.exit_code == 2);
  CHECK(password.err.find("passfile") != std::string::npos);
  CHECK((password.err + password.out).find("Pw-7f3a9c") == std::string::npos);

  // No raw value in the database: the copy carries masked samples and keyed hashes only.
  const std::string dump = pg.Dump(db);
  CHECK(dump.find("COPY public.events") != std::string::npos);
  for (const std::string& p : printed) {
    std::string compact;
    for (char c : p) {
      if (c != ' ' && c != '-' && c != '.') compact += c;
    }
    for (const std::string& raw : {p, compact}) {
      INFO("raw value: " << raw);
      CHECK(dump.find(raw) == std::string::npos);
      static const char* digits = "0123456789abcdef";
      std::string hex;
      for (unsigned char c : raw) {
        hex += digits[c >> 4];
        hex += digits[c & 15];
      }
      CHECK(dump.find(hex) == std::string::npos);
    }
  }
  const std::string key = ReadFile(dir / "state/hmac.key");
  REQUIRE(key.size() == 32);
  CHECK(dump.find(key.substr(0, 12)) == std::string::npos);
  CHECK(pg.Psql(db, "SELECT count(*) FROM detections WHERE length(hashes) > 0") != "0");
}
