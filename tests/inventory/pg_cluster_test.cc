// The throwaway PostgreSQL cluster of the tests (support/pg_cluster.h): unprivileged,
// on a Unix socket only, and gone afterwards however the test process ends.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/pg_cluster.h"
#include "support/support.h"

using custos::test::PgCluster;

namespace {

// Running (a zombie whose parent has not reaped it yet counts as gone).
bool Alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("State:", 0) == 0) return line.find('Z') == std::string::npos;
  }
  return false;
}

// The real uid of process `pid` (/proc/PID/status).
long Uid(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("Uid:", 0) == 0) return std::stol(line.substr(4));
  }
  return -1;
}

// Waits up to `seconds` for `done`.
template <typename Done>
bool WaitFor(Done&& done, int seconds = 30) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

TEST_CASE("pg cluster: unprivileged, socket only, a fresh database each time, then gone") {
  CUSTOS_SKIP_WITHOUT_PG();
  std::string dir;
  pid_t postmaster = 0;
  {
    PgCluster pg;
    dir = pg.dir();
    postmaster = pg.postmaster_pid();
    REQUIRE(Alive(postmaster));
    if (::geteuid() == 0) CHECK(Uid(postmaster) == 65534);
    CHECK(pg.Psql("postgres", "SHOW listen_addresses").empty());
    CHECK(std::filesystem::exists(dir + "/.s.PGSQL.5432"));
    const std::string a = pg.NewDatabase();
    const std::string b = pg.NewDatabase();
    CHECK(a != b);
    CHECK(a.rfind("postgresql:///", 0) == 0);
    pg.Psql("test1", "CREATE TABLE t (v text); INSERT INTO t VALUES ('canary-in-dump')");
    CHECK(pg.Dump("test1").find("canary-in-dump") != std::string::npos);
    CHECK(pg.Psql("test2", "SELECT count(*) FROM pg_tables WHERE tablename = 't'") == "0");
  }
  CHECK_FALSE(Alive(postmaster));
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("pg cluster: a test process killed with -9 leaves no server and no folder behind") {
  CUSTOS_SKIP_WITHOUT_PG();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    PgCluster pg;
    const std::string msg = pg.dir() + "\n" + std::to_string(pg.postmaster_pid()) + "\n";
    (void)!::write(fds[1], msg.data(), msg.size());
    ::kill(::getpid(), SIGKILL);
    ::_exit(1);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  const size_t nl = msg.find('\n');
  REQUIRE(nl != std::string::npos);
  const std::string dir = msg.substr(0, nl);
  const pid_t postmaster = static_cast<pid_t>(std::stol(msg.substr(nl + 1)));
  REQUIRE(postmaster > 0);
  CHECK(WaitFor([&] { return !Alive(postmaster) && !std::filesystem::exists(dir); }));
}
