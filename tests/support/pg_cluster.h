// A throwaway PostgreSQL cluster for tests: initdb + pg_ctl from the Debian server
// package, run as an unprivileged user (uid 65534, nobody) in a temporary folder, listening
// on a Unix socket in that folder only (listen_addresses ''), trust authentication for
// the cluster's one role. No test needs a server that is already running, and none
// leaves one behind: the cluster is stopped and its folder removed when the object goes,
// and by a reaper process when the test process dies any other way (a failed REQUIRE
// that aborts, a crash, kill -9).
//
// The folder is in /dev/shm when that is a memory file system with room (see
// ClusterBase in pg_cluster.cc; $CUSTOS_TEST_PG_DIR chooses another), and its data is a
// copy of one initdb kept in the build tree.
//
// With Options::tls the cluster also listens on 127.0.0.1, on a free port, with TLS on
// (PostgreSQL does not do TLS over a Unix socket): a CA and a server certificate for
// localhost and 127.0.0.1 are made for it with the openssl CLI (the key mode 0600, owned
// by the cluster's user).
//
// Without the server binaries (/usr/lib/postgresql/<version>/bin, or
// $CUSTOS_TEST_PG_BINDIR) a test reports itself skipped: CUSTOS_PG_CLUSTER_OR_SKIP.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace custos::test {

class PgCluster {
 public:
  // The folder of the server binaries (initdb, pg_ctl, postgres), or empty when the
  // server is not installed.
  static std::string BinDir();

  struct Options {
    bool tls = false;  // also listen on 127.0.0.1 with TLS (see above)
  };

  // Starts a cluster; aborts the test (REQUIRE) when it cannot. Call only when
  // BinDir() is not empty.
  PgCluster() : PgCluster(Options{}) {}
  explicit PgCluster(const Options& options);
  // Stops the cluster (immediate shutdown) and removes its folder.
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // The cluster of this test process, started on first use and stopped when the
  // process ends (one cluster per test binary run; a database per test case).
  static PgCluster& Shared();

  // Creates a fresh, empty database and returns its libpq connection URI
  // (postgresql:///NAME?host=SOCKET_DIR&user=custos).
  std::string NewDatabase();
  // The database name of such a URI (for Psql and pg_dump).
  static std::string DatabaseOf(const std::string& uri);
  // For fault tests (a cluster of the test's own, not Shared()): stops the server (fast
  // shutdown: sessions are ended, as `pg_ctl stop -m fast`), starts it again on the same
  // folder and socket, or both (`pg_ctl restart -m fast`). Each waits until done.
  void Stop();
  void Start();
  void Restart();

  // The URI of database `name` of this cluster.
  std::string Uri(const std::string& name) const;
  // With tls: the URI of database `name` over TCP to `host` (localhost or 127.0.0.1) on
  // port(), as `user`, without any ssl parameter.
  std::string TcpUri(const std::string& name, const std::string& host = "localhost",
                     const std::string& user = kUser) const;
  // With tls: the certificate of the CA that signed the server's.
  std::string ca_cert() const { return dir_ + "/tls/ca.crt"; }
  // A CA of its own: `dir`/`name`.crt and .key (made with the openssl CLI).
  static std::string MakeCa(const std::string& dir, const std::string& name);
  int port() const { return port_; }

  // Runs `sql` with psql on database `db` as the cluster's superuser; returns its
  // output (unaligned, tuples only). REQUIREs success.
  std::string Psql(const std::string& db, const std::string& sql) const;
  // pg_dump of database `db` (plain SQL, data included).
  std::string Dump(const std::string& db) const;

  const std::string& dir() const { return dir_; }         // the cluster's folder
  const std::string& socket_dir() const { return dir_; }  // where its socket is
  pid_t postmaster_pid() const;                           // from postmaster.pid
  pid_t reaper_pid() const { return reaper_; }
  static constexpr const char* kUser = "custos";

 private:
  std::string bin_;
  std::string dir_;
  int reaper_fd_ = -1;  // write end of the reaper's pipe: closed, the reaper cleans up
  pid_t reaper_ = -1;
  int databases_ = 0;
  int port_ = 5432;     // the Unix socket's name, and with tls the TCP port
  std::string listen_;  // the server's listen options (Start)
};

}  // namespace custos::test

// In a test case: `CUSTOS_SKIP_WITHOUT_PG();` ends the test reported as skipped when the
// PostgreSQL server is not installed; PgCluster::Shared() is then safe to call.
#define CUSTOS_SKIP_WITHOUT_PG()                                                   \
  do {                                                                             \
    if (::custos::test::PgCluster::BinDir().empty())                               \
      CUSTOS_SKIP("PostgreSQL server not installed (apt-get install postgresql)"); \
  } while (false)
