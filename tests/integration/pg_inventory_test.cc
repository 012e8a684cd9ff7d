// The inventory on PostgreSQL through the real binary: `custos scan --db postgresql://...`,
// the findings review and the report against a throwaway cluster; no raw value in a
// pg_dump of the database; passwords from a passfile only, and never in a message.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "custos/base/time.h"
#include "custos/inventory/store.h"
#include "support/pg_cluster.h"
#include "support/support.h"

using custos::test::PgCluster;
using custos::test::ProcessResult;
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

// Lets ctime and mtime of what was just written fall behind the next scan's start.
void LetTheSecondPass() { std::this_thread::sleep_for(std::chrono::milliseconds(2100)); }

}  // namespace

TEST_CASE("inventory on PostgreSQL: scan, rescan, review and report; no raw value in pg_dump") {
  CUSTOS_SKIP_WITHOUT_PG();
  PgCluster& pg = PgCluster::Shared();
  const std::string uri = pg.NewDatabase();
  const std::string db = PgCluster::DatabaseOf(uri);
  TempDir dir;
  WriteFile(dir / "policy.yaml", kPolicy);
  const std::vector<std::string> printed = {"4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00",
                                            "536-22-1234", "john.doe@example.com",
                                            "AKIAIOSFODNN7EXAMPLE"};
  std::string doc = "Staff vetting record\n";
  for (const std::string& p : printed) doc += "value: " + p + "\n";
  WriteFile(dir / "srv/share/vetting.txt", doc);
  WriteFile(dir / "srv/share/staff.csv", "name,card\nA,4111-1111-1111-1111\n");
  WriteFile(dir / "srv/share/sub/\xff odd name.txt", "nothing here\n");
  LetTheSecondPass();
  auto scan = [&](int64_t now) {
    auto r =
        RunCustos({"scan", "--db", uri, "--state-dir", dir / "state", "--policy",
                   dir / "policy.yaml", "--now", Iso(now), "-o", dir / "out.jsonl", dir / "srv"});
    INFO(r.err);
    CHECK((r.exit_code == 0 || r.exit_code == 1));
    return r;
  };
  auto last_scan = [&] {
    return pg.Psql(db,
                   "SELECT read || '/' || reused || '/' || state FROM scans ORDER BY id DESC "
                   "LIMIT 1");
  };
  const int64_t t0 = custos::NowUnix();
  scan(t0);
  CHECK(last_scan() == "3/0/complete");
  // Unchanged: nothing read again.
  scan(t0 + kDay);
  CHECK(last_scan() == "0/3/complete");
  // One file changes: it alone is read.
  WriteFile(dir / "srv/share/staff.csv", "name,card\nA,4111-1111-1111-1111\nB,none\n");
  LetTheSecondPass();
  scan(t0 + 2 * kDay);
  CHECK(last_scan() == "1/2/complete");

  auto cli = [&](std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(uri);
    return RunCustos(args);
  };
  auto list = cli({"findings", "list", "--all", "--format", "json"});
  INFO(list.err);
  REQUIRE(list.exit_code == 0);
  const json findings = json::parse(list.out);
  REQUIRE(findings.size() >= 3);
  int cards = 0;
  for (const json& f : findings) {
    CHECK(f["status"] == "open");
    cards += f["policy"] == "no-cards";
  }
  CHECK(cards == 2);
  auto ack = cli({"findings", "ack", std::to_string(findings[0]["id"].get<int64_t>()), "--note",
                  "owner told"});
  INFO(ack.err);
  CHECK(ack.exit_code == 0);
  std::string review = list.out;
  for (const char* f : {"html", "csv", "json"}) {
    auto r = cli({"report", "--format", f, "-o", dir / (std::string("report.") + f)});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    review += ReadFile(dir / (std::string("report.") + f)) + r.err;
  }
  auto show = cli({"findings", "show", std::to_string(findings[0]["id"].get<int64_t>())});
  review += show.out + show.err;
  CHECK(show.out.find("owner told") != std::string::npos);

  const std::string dump = pg.Dump(db);
  CHECK(dump.find("COPY public.items") != std::string::npos);
  std::vector<std::string> forbidden = {"john.doe"};
  for (const std::string& p : printed) {
    forbidden.push_back(p);
    std::string compact;
    for (char c : p) {
      if (c != ' ' && c != '-' && c != '.') compact += c;
    }
    forbidden.push_back(compact);
  }
  for (const std::string& f : forbidden) {
    INFO("raw value: " << f);
    CHECK(dump.find(f) == std::string::npos);
    CHECK(review.find(f) == std::string::npos);
  }
  // Nor in the dump's hex encoding of bytea columns.
  for (const std::string& f :
       {std::string("4111111111111111"), std::string("AKIAIOSFODNN7EXAMPLE")}) {
    std::string hex;
    static const char* digits = "0123456789abcdef";
    for (unsigned char c : f) {
      hex += digits[c >> 4];
      hex += digits[c & 15];
    }
    CHECK(dump.find(hex) == std::string::npos);
  }
  const std::string key = ReadFile(dir / "state/hmac.key");
  REQUIRE(key.size() == 32);
  CHECK(dump.find(key.substr(0, 12)) == std::string::npos);
  // The scan found the values (masked), so the test is not empty.
  CHECK(review.find("**** **** **** 1111") != std::string::npos);
  CHECK(pg.Psql(db, "SELECT count(*) FROM detections WHERE length(hashes) > 0") != "0");
}

TEST_CASE("inventory on PostgreSQL: the password from a passfile, never in a URI or a message") {
  CUSTOS_SKIP_WITHOUT_PG();
  PgCluster& pg = PgCluster::Shared();
  const std::string uri = pg.NewDatabase();
  const std::string db = PgCluster::DatabaseOf(uri);
  // A role that must give its password (scram), as a scanner node's would.
  pg.Psql(db,
          "CREATE ROLE scanner LOGIN PASSWORD 'Pw-7f3a9c' ; GRANT ALL ON SCHEMA public TO scanner");
  {
    std::ofstream hba(pg.dir() + "/data/pg_hba.conf", std::ios::trunc);
    hba << "local all scanner scram-sha-256\nlocal all all trust\n";
  }
  pg.Psql("postgres", "SELECT pg_reload_conf()");
  const std::string scanner_uri =
      "postgresql:///" + db + "?host=" + pg.socket_dir() + "&user=scanner";
  TempDir dir;
  WriteFile(dir / "srv/a.txt", "hello\n");
  auto findings = [&](const std::string& u, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {"env"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {custos::test::CustosBinary(), "findings", "list", "--db", u});
    return custos::test::Run(argv);
  };
  // No password: libpq's message, exit 2, nothing prompted.
  auto none = findings(scanner_uri, {"PGPASSFILE=/nonexistent"});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("password") != std::string::npos);
  // A password in the URI is refused before anything is sent, and not echoed.
  for (const std::string& u : {"postgresql://scanner:Pw-7f3a9c@/" + db + "?host=" + pg.socket_dir(),
                               scanner_uri + "&password=Pw-7f3a9c"}) {
    auto r = findings(u);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("passfile") != std::string::npos);
    CHECK(r.err.find("Pw-7f3a9c") == std::string::npos);
    CHECK(r.out.find("Pw-7f3a9c") == std::string::npos);
  }
  // From a private passfile: works.
  const std::string passfile = dir / "pgpass";
  WriteFile(passfile, "*:*:*:scanner:Pw-7f3a9c\n");
  REQUIRE(::chmod(passfile.c_str(), 0600) == 0);
  auto ok = findings(scanner_uri + "&passfile=" + passfile);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  auto env = findings(scanner_uri, {"PGPASSFILE=" + passfile});
  INFO(env.err);
  CHECK(env.exit_code == 0);
  // A connection that fails never shows the password of the URI it was given.
  auto store = custos::inventory::OpenPgStore("postgresql://scanner:Pw-7f3a9c@/nosuchdb?host=" +
                                              pg.socket_dir());
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().message().find("Pw-7f3a9c") == std::string::npos);
  CHECK(store.status().message().find("nosuchdb") != std::string::npos);
  {
    std::ofstream hba(pg.dir() + "/data/pg_hba.conf", std::ios::trunc);
    hba << "local all all trust\n";
  }
  pg.Psql("postgres", "SELECT pg_reload_conf()");
}

TEST_CASE("inventory: passwords are taken out of locations and messages") {
  using custos::inventory::RedactUri;
  CHECK(RedactUri("postgresql://alice:s3cr%40t@db.example:5432/inv?sslmode=verify-full") ==
        "postgresql://alice@db.example:5432/inv?sslmode=verify-full");
  CHECK(RedactUri("postgres://alice:p/w@h/inv") == "postgres://alice@h/inv");
  CHECK(RedactUri("postgresql:///inv?host=/run/pg&password=hunter2&user=x") ==
        "postgresql:///inv?host=/run/pg&password=***&user=x");
  CHECK(RedactUri("host=db password='a b\\' c' dbname=inv") == "host=db password=*** dbname=inv");
  CHECK(RedactUri("could not connect to \"postgresql://u:pw@h/d\": refused") ==
        "could not connect to \"postgresql://u@h/d\": refused");
  CHECK(RedactUri("postgresql://h/inv?sslpassword=k") == "postgresql://h/inv?sslpassword=***");
  CHECK(RedactUri("/var/lib/custos/inventory.db") == "/var/lib/custos/inventory.db");
  CHECK(RedactUri("postgresql://alice@h:5432/inv") == "postgresql://alice@h:5432/inv");
  CHECK(custos::inventory::IsPgLocation("postgres://h/inv"));
  CHECK_FALSE(custos::inventory::IsPgLocation("sqlite:/x.db"));
  CHECK(custos::inventory::SqlitePath("sqlite:/x.db") == "/x.db");
  CHECK(custos::inventory::SqlitePath("/x.db") == "/x.db");
}
