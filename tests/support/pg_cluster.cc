#include "support/pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "support/support.h"

namespace fs = std::filesystem;

namespace custos::test {
namespace {

// The cluster runs as this uid and gid (nobody, nogroup on Debian) when the tests run as
// root: PostgreSQL refuses to run as root.
constexpr uid_t kServerUid = 65534;
constexpr gid_t kServerGid = 65534;

bool IsRoot() { return ::geteuid() == 0; }

// `argv` run as the server's user (when root) in folder `cwd`.
std::vector<std::string> AsServer(const std::string& cwd, std::vector<std::string> argv) {
  std::vector<std::string> out;
  if (IsRoot()) {
    out = {"setpriv", "--reuid=" + std::to_string(kServerUid),
           "--regid=" + std::to_string(kServerGid), "--clear-groups"};
  }
  out.insert(out.end(), {"env", "-C", cwd});
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

void Require(const ProcessResult& r, const std::string& what) {
  INFO(what << " exited " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
}

// An initdb'd data folder kept in the build tree, copied for every cluster (initdb
// takes seconds, a copy a fraction of one). Made once, under a lock, by the first test
// process that needs it.
std::string TemplateDir(const std::string& bin, const std::string& scratch) {
  const std::string version = fs::path(bin).parent_path().filename().string();
  const std::string base = std::string(CUSTOS_BUILD_DIR) + "/tests";
  fs::create_directories(base);
  // (The suffix names the initdb options: a change makes a new template.)
  const std::string tmpl = base + "/pg-initdb-" + version + "-wal1";
  const int lock = ::open((tmpl + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(lock >= 0);
  REQUIRE(::flock(lock, LOCK_EX) == 0);
  if (!fs::exists(tmpl + "/PG_VERSION")) {
    const std::string data = scratch + "/initdb";
    Require(
        Run(AsServer(scratch, {bin + "/initdb", "--no-sync", "--auth=trust",
                               "--username=" + std::string(PgCluster::kUser), "--encoding=UTF8",
                               "--locale=C", "--no-instructions", "--wal-segsize=1", "-D", data}),
            300),
        "initdb");
    fs::remove_all(tmpl);
    Require(Run({"cp", "-a", data, tmpl + ".tmp"}), "cp");
    fs::rename(tmpl + ".tmp", tmpl);
    fs::remove_all(data);
  }
  ::close(lock);
  return tmpl;
}

// Where clusters live: $CUSTOS_TEST_PG_DIR, else /dev/shm when it is a memory file system
// with room (a cluster's files are written and removed within seconds: several times
// faster there than on a disk), else $TMPDIR or /tmp.
std::string ClusterBase() {
  if (const char* dir = std::getenv("CUSTOS_TEST_PG_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  struct statvfs fs;
  if (::access("/dev/shm", W_OK) == 0 && ::statvfs("/dev/shm", &fs) == 0 &&
      static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize > (uint64_t{1} << 30)) {
    return "/dev/shm";
  }
  const char* base = std::getenv("TMPDIR");
  return base != nullptr && *base != '\0' ? base : "/tmp";
}

// A port of 127.0.0.1 that nothing listens on now.
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  REQUIRE(ok);
  return ntohs(a.sin_port);
}

// In `tls`: ca.crt and the server's server.crt and server.key (for localhost and
// 127.0.0.1, signed by the CA), the key readable by the server's user only.
void MakeServerCertificate(const std::string& tls) {
  const std::string ca = PgCluster::MakeCa(tls, "ca");
  WriteFile(tls + "/server.ext",
            "subjectAltName = DNS:localhost, IP:127.0.0.1\nextendedKeyUsage = serverAuth\n");
  Require(Run({"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", tls + "/server.key", "-out",
               tls + "/server.csr", "-subj", "/CN=localhost"}),
          "openssl req (server)");
  Require(Run({"openssl", "x509", "-req", "-in", tls + "/server.csr", "-CA", ca, "-CAkey",
               tls + "/ca.key", "-CAcreateserial", "-days", "2", "-extfile", tls + "/server.ext",
               "-out", tls + "/server.crt"}),
          "openssl x509 (server)");
  REQUIRE(::chmod((tls + "/server.key").c_str(), 0600) == 0);
  if (IsRoot()) Require(Run({"chown", "-R", "65534:65534", tls}), "chown");
}

}  // namespace

std::string PgCluster::MakeCa(const std::string& dir, const std::string& name) {
  fs::create_directories(dir);
  const std::string cert = dir + "/" + name + ".crt";
  Require(Run({"openssl",
               "req",
               "-x509",
               "-newkey",
               "ec",
               "-pkeyopt",
               "ec_paramgen_curve:prime256v1",
               "-nodes",
               "-keyout",
               dir + "/" + name + ".key",
               "-out",
               cert,
               "-days",
               "2",
               "-subj",
               "/CN=custos test " + name,
               "-addext",
               "basicConstraints=critical,CA:TRUE",
               "-addext",
               "keyUsage=critical,keyCertSign,cRLSign"}),
          "openssl req (CA " + name + ")");
  return cert;
}

std::string PgCluster::BinDir() {
  if (const char* env = std::getenv("CUSTOS_TEST_PG_BINDIR")) {
    const std::string dir = env;
    return !dir.empty() && ::access((dir + "/pg_ctl").c_str(), X_OK) == 0 ? dir : "";
  }
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = e.path().string() + "/bin";
    if (::access((bin + "/initdb").c_str(), X_OK) != 0 ||
        ::access((bin + "/pg_ctl").c_str(), X_OK) != 0) {
      continue;
    }
    const int v = std::atoi(e.path().filename().c_str());
    if (v > best_version) {
      best_version = v;
      best = bin;
    }
  }
  return best;
}

PgCluster::PgCluster(const Options& options) : bin_(BinDir()) {
  REQUIRE(!bin_.empty());
  std::string tmpl = ClusterBase() + "/custos-pg-XXXXXX";
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  dir_ = tmpl;
  if (IsRoot()) REQUIRE(::chown(dir_.c_str(), kServerUid, kServerGid) == 0);

  // The reaper, in a session of its own (a signal to the test's process group does not
  // reach it): waits until the write end of its pipe closes (this object goes, or the
  // test process dies however it dies), then stops the cluster and removes its folder.
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  const std::string setpriv = IsRoot() ? "setpriv --reuid=" + std::to_string(kServerUid) +
                                             " --regid=" + std::to_string(kServerGid) +
                                             " --clear-groups "
                                       : "";
  const std::string script = "cd /; cat >/dev/null; " + setpriv +
                             "\"$1/pg_ctl\" -D \"$2/data\" -m immediate -w -s stop "
                             ">/dev/null 2>&1; rm -rf \"$2\"";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setsid();
    ::dup2(fds[0], 0);
    const int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::execl("/bin/sh", "sh", "-c", script.c_str(), "pg-reaper", bin_.c_str(), dir_.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[0]);
  reaper_fd_ = fds[1];
  reaper_ = pid;

  const std::string data = dir_ + "/data";
  Require(Run({"cp", "-a", TemplateDir(bin_, dir_), data}), "cp");
  if (IsRoot()) Require(Run({"chown", "-R", "65534:65534", data}), "chown");
  listen_ = "-c listen_addresses=''";
  if (options.tls) {
    MakeServerCertificate(dir_ + "/tls");
    port_ = FreePort();
    listen_ = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
              " -c ssl=on -c ssl_cert_file=" + dir_ + "/tls/server.crt -c ssl_key_file=" + dir_ +
              "/tls/server.key";
  }
  Start();
}

void PgCluster::Start() {
  Require(Run(AsServer(dir_, {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-w", "-s", "-t", "60", "-l",
                              dir_ + "/log", "-o",
                              listen_ + " -k " + dir_ +
                                  " -c unix_socket_permissions=0700 -c fsync=off "
                                  "-c synchronous_commit=off -c full_page_writes=off "
                                  "-c max_connections=50",
                              "start"}),
              120),
          "pg_ctl start (log: " + dir_ + "/log)");
}

void PgCluster::Stop() {
  Require(Run(AsServer(dir_, {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-w", "-s", "-t", "60", "-m",
                              "fast", "stop"}),
              120),
          "pg_ctl stop (log: " + dir_ + "/log)");
}

void PgCluster::Restart() {
  Stop();
  Start();
}

PgCluster::~PgCluster() {
  if (reaper_fd_ >= 0) ::close(reaper_fd_);
  if (reaper_ > 0) {
    int status = 0;
    ::waitpid(reaper_, &status, 0);
  }
}

PgCluster& PgCluster::Shared() {
  static std::unique_ptr<PgCluster> shared;
  if (shared == nullptr) shared = std::make_unique<PgCluster>();
  return *shared;
}

std::string PgCluster::Uri(const std::string& name) const {
  return "postgresql:///" + name + "?host=" + dir_ + "&user=" + kUser +
         (port_ != 5432 ? "&port=" + std::to_string(port_) : "");
}

std::string PgCluster::TcpUri(const std::string& name, const std::string& host,
                              const std::string& user) const {
  return "postgresql://" + user + "@" + host + ":" + std::to_string(port_) + "/" + name;
}

std::string PgCluster::NewDatabase() {
  const std::string name = "test" + std::to_string(++databases_);
  Psql("postgres", "CREATE DATABASE " + name);
  return Uri(name);
}

std::string PgCluster::DatabaseOf(const std::string& uri) {
  const size_t from = uri.find(":///") + 4;
  return uri.substr(from, uri.find('?') - from);
}

std::string PgCluster::Psql(const std::string& db, const std::string& sql) const {
  auto r = Run({bin_ + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir_, "-p",
                std::to_string(port_), "-U", kUser, "-d", db, "-c", sql});
  Require(r, "psql " + sql);
  if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

std::string PgCluster::Dump(const std::string& db) const {
  auto r = Run({bin_ + "/pg_dump", "-h", dir_, "-p", std::to_string(port_), "-U", kUser, "-d", db});
  Require(r, "pg_dump " + db);
  return r.out;
}

pid_t PgCluster::postmaster_pid() const {
  std::ifstream f(dir_ + "/data/postmaster.pid");
  long pid = 0;
  f >> pid;
  return static_cast<pid_t>(pid);
}

}  // namespace custos::test
