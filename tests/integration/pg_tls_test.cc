// The fleet database over the network: TLS with sslmode=verify-full against a CA the test
// makes (a throwaway cluster listening on 127.0.0.1 with ssl=on, pg_hba taking TLS
// connections only), and passwords over TCP (scram-sha-256 and md5) from a passfile of
// mode 0600: passfile=, $PGPASSFILE or ~/.pgpass, never the URI. No message shows a
// password, and every failure exits 2.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "support/pg_cluster.h"
#include "support/support.h"

using custos::test::PgCluster;
using custos::test::ProcessResult;
using custos::test::TempDir;
using custos::test::WriteFile;

namespace {

constexpr const char* kScannerPassword = "Pw-scram-41c7e2";
constexpr const char* kLegacyPassword = "Pw-md5-9a02bd";

// A cluster on 127.0.0.1 with TLS, taking TCP connections over TLS only: the cluster's
// superuser without a password, `scanner` with scram-sha-256, `legacy` with md5. Its
// database holds an inventory (made over the Unix socket) the two roles may use.
struct TlsCluster {
  PgCluster pg{PgCluster::Options{.tls = true}};
  std::string db;

  TlsCluster() {
    const std::string local = pg.NewDatabase();
    db = local.substr(local.find(":///") + 4, local.find('?') - local.find(":///") - 4);
    {
      std::ofstream hba(pg.dir() + "/data/pg_hba.conf", std::ios::trunc);
      hba << "local all all trust\n"
             "hostssl all custos 127.0.0.1/32 trust\n"
             "hostssl all scanner 127.0.0.1/32 scram-sha-256\n"
             "hostssl all legacy 127.0.0.1/32 md5\n";
    }
    pg.Psql("postgres", "SELECT pg_reload_conf()");
    auto made = custos::test::RunCustos({"findings", "list", "--db", local});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    pg.Psql(db, std::string("CREATE ROLE scanner LOGIN PASSWORD '") + kScannerPassword + "'");
    pg.Psql(db, "SET password_encryption = 'md5'; CREATE ROLE legacy LOGIN PASSWORD '" +
                    std::string(kLegacyPassword) + "'");
    pg.Psql(db,
            "GRANT ALL ON SCHEMA public TO scanner, legacy; GRANT ALL ON ALL TABLES IN SCHEMA "
            "public TO scanner, legacy; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO scanner, "
            "legacy");
  }

  // `uri` with TLS verified against `ca` (default: the cluster's own CA).
  std::string Verified(const std::string& uri, const std::string& ca = "") const {
    return uri + (uri.find('?') == std::string::npos ? "?" : "&") +
           "sslmode=verify-full&sslrootcert=" + (ca.empty() ? pg.ca_cert() : ca);
  }
};

// `custos findings list --db URI` with `env` set.
ProcessResult List(const std::string& uri, const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {"env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.insert(argv.end(), {custos::test::CustosBinary(), "findings", "list", "--db", uri});
  return custos::test::Run(argv);
}

void NoPassword(const ProcessResult& r) {
  for (const char* pw : {kScannerPassword, kLegacyPassword}) {
    CHECK(r.out.find(pw) == std::string::npos);
    CHECK(r.err.find(pw) == std::string::npos);
  }
}

void SkipWithoutOpenssl() {
  if (custos::test::Run({"openssl", "version"}).exit_code != 0) {
    CUSTOS_SKIP("openssl not installed (apt-get install openssl)");
  }
}

}  // namespace

TEST_CASE("PostgreSQL over TLS: verify-full with the right CA, refused with a wrong one") {
  CUSTOS_SKIP_WITHOUT_PG();
  SkipWithoutOpenssl();
  TlsCluster c;
  TempDir dir;
  WriteFile(dir / "srv/a.txt", "hello\n");

  // The server's certificate names localhost and 127.0.0.1: both verify.
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    const std::string uri = c.Verified(c.pg.TcpUri(c.db, host));
    auto scan = custos::test::RunCustos(
        {"scan", "--db", uri, "--state-dir", dir / "state", "-q", dir / "srv"});
    INFO(host << ": " << scan.err);
    CHECK(scan.exit_code == 0);
    auto list = List(uri);
    INFO(list.err);
    CHECK(list.exit_code == 0);
  }
  // pg_hba takes TCP over TLS only: a connection without TLS is turned away.
  auto plain = List(c.pg.TcpUri(c.db) + "?sslmode=disable");
  CHECK(plain.exit_code == 2);
  CHECK(plain.err.find("no encryption") != std::string::npos);

  // Another CA, a host name the certificate does not name, no CA file at all: exit 2,
  // libpq's reason in the message, no password anywhere (the role has one, in a passfile).
  const std::string passfile = dir / "pgpass";
  WriteFile(passfile, std::string("*:*:*:scanner:") + kScannerPassword + "\n");
  REQUIRE(::chmod(passfile.c_str(), 0600) == 0);
  const std::string other_ca = PgCluster::MakeCa(dir / "other", "other");
  auto wrong_ca = List(c.Verified(c.pg.TcpUri(c.db, "localhost", "scanner"), other_ca),
                       {"PGPASSFILE=" + passfile});
  CHECK(wrong_ca.exit_code == 2);
  CHECK(wrong_ca.err.find("certificate verify failed") != std::string::npos);
  CHECK(wrong_ca.err.find("postgresql://scanner@localhost:") != std::string::npos);
  NoPassword(wrong_ca);
  auto wrong_name =
      List(c.Verified("postgresql://scanner@db.invalid:" + std::to_string(c.pg.port()) + "/" +
                      c.db + "?hostaddr=127.0.0.1"),
           {"PGPASSFILE=" + passfile});
  CHECK(wrong_name.exit_code == 2);
  CHECK(wrong_name.err.find("does not match host name") != std::string::npos);
  NoPassword(wrong_name);
  auto no_ca = List(c.Verified(c.pg.TcpUri(c.db), dir / "missing.crt"));
  CHECK(no_ca.exit_code == 2);
  CHECK(no_ca.err.find("missing.crt") != std::string::npos);
}

TEST_CASE("PostgreSQL over TLS: passwords (scram, md5) from a 0600 passfile, never from the URI") {
  CUSTOS_SKIP_WITHOUT_PG();
  SkipWithoutOpenssl();
  TlsCluster c;
  TempDir dir;
  const std::string port = std::to_string(c.pg.port());
  const std::string scanner = c.Verified(c.pg.TcpUri(c.db, "localhost", "scanner"));
  const std::string legacy = c.Verified(c.pg.TcpUri(c.db, "127.0.0.1", "legacy"));
  const std::string lines = "localhost:" + port + ":" + c.db + ":scanner:" + kScannerPassword +
                            "\n127.0.0.1:" + port + ":*:legacy:" + kLegacyPassword + "\n";
  const std::string passfile = dir / "pgpass";
  WriteFile(passfile, lines);
  REQUIRE(::chmod(passfile.c_str(), 0600) == 0);
  WriteFile(dir / "home/.pgpass", lines);
  REQUIRE(::chmod((dir / "home/.pgpass").c_str(), 0600) == 0);

  // No password to be had: libpq's message, exit 2, nothing prompted.
  auto none = List(scanner, {"PGPASSFILE=/nonexistent", "HOME=/nonexistent"});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("password") != std::string::npos);
  // From the URI's passfile=, $PGPASSFILE or ~/.pgpass: scram and md5 both log in.
  for (const std::string& uri : {scanner, legacy}) {
    auto by_param = List(uri + "&passfile=" + passfile, {"PGPASSFILE=/nonexistent"});
    INFO(by_param.err);
    CHECK(by_param.exit_code == 0);
    auto by_env = List(uri, {"PGPASSFILE=" + passfile});
    INFO(by_env.err);
    CHECK(by_env.exit_code == 0);
    auto by_home = List(uri, {"HOME=" + dir / "home"});
    INFO(by_home.err);
    CHECK(by_home.exit_code == 0);
  }
  // A passfile others may read is ignored (libpq's rule): no password, exit 2.
  REQUIRE(::chmod(passfile.c_str(), 0644) == 0);
  auto open_file = List(scanner, {"PGPASSFILE=" + passfile, "HOME=/nonexistent"});
  CHECK(open_file.exit_code == 2);
  NoPassword(open_file);
  // A wrong password: refused by the server, and not shown.
  const std::string wrong = dir / "wrong";
  WriteFile(wrong, "*:*:*:scanner:Pw-wrong-0000\n");
  REQUIRE(::chmod(wrong.c_str(), 0600) == 0);
  auto refused = List(scanner, {"PGPASSFILE=" + wrong});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("password authentication failed") != std::string::npos);
  CHECK(refused.err.find("Pw-wrong-0000") == std::string::npos);
  // A password in the URI is refused before anything is sent, and not echoed.
  for (const std::string& uri :
       {c.Verified("postgresql://scanner:" + std::string(kScannerPassword) + "@localhost:" + port +
                   "/" + c.db),
        scanner + "&password=" + kScannerPassword}) {
    auto r = List(uri);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("passfile") != std::string::npos);
    NoPassword(r);
  }
}
