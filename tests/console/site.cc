#include "console/site.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <regex>
#include <thread>

namespace custos::test {
namespace {

constexpr const char* kPamFile = "/etc/pam.d/custos";

const char* kPolicy = R"(policies:
  - id: no-cards
    description: No payment card numbers on the shares
    references: ["PCI DSS 3.2"]
    severity: high
    match: {detectors: [payment_card, iban]}
    forbid: true
  - id: share-private
    description: Shared files are not readable by everyone
    severity: medium
    match: {paths: ["**/share/**"]}
    access: {max_mode: "0640"}
)";

bool Sh(const std::string& command) { return Run({"sh", "-c", command}).exit_code == 0; }

}  // namespace

const std::vector<std::string>& PlantedValues() {
  static const std::vector<std::string> kValues = {"4111 1111 1111 1111", "5555 5555 5555 4444",
                                                   "DE89 3704 0044 0532 0130 00",
                                                   "GB82 WEST 1234 5698 7654 32"};
  return kValues;
}

std::string Compact(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '-' && c != '.') out += c;
  }
  return out;
}

ConsoleSite::ConsoleSite(std::string* why_not, ConsoleSiteOptions options)
    : options_(std::move(options)) {
  if (::geteuid() != 0) {
    *why_not = "needs root (test users, PAM, the daemon's logins)";
    return;
  }
  for (const char* tool : {"useradd", "userdel", "groupadd", "groupdel", "chpasswd", "openssl"}) {
    if (!HaveTool(tool)) {
      *why_not = std::string(tool) + " not installed";
      return;
    }
  }
  (void)Setup(&failure_);
}

bool ConsoleSite::Setup(std::string* why_not) {
  // One console test at a time: they share /etc/pam.d/custos.
  lock_fd_ = ::open("/tmp/custos-console-test.lock", O_RDWR | O_CREAT, 0600);
  if (lock_fd_ >= 0) ::flock(lock_fd_, LOCK_EX);

  const std::string tag = "cst" + std::to_string(::getpid());
  group_ = tag + "g";
  reviewer_ = tag + "r";
  outsider_ = tag + "n";
  std::random_device rd;
  password_ = "Pw-" + std::to_string(rd()) + "-x";
  made_group_ = Sh("groupadd " + group_);
  made_reviewer_ = Sh("useradd -M -s /usr/sbin/nologin -G " + group_ + " " + reviewer_);
  made_outsider_ = Sh("useradd -M -s /usr/sbin/nologin " + outsider_);
  if (!made_group_ || !made_reviewer_ || !made_outsider_ ||
      !Sh("printf '%s:%s\\n%s:%s\\n' " + reviewer_ + " '" + password_ + "' " + outsider_ + " '" +
          password_ + "' | chpasswd")) {
    *why_not = "could not create the test users";
    return false;
  }
  if (const struct passwd* pw = ::getpwnam(reviewer_.c_str())) reviewer_uid_ = pw->pw_uid;
  if (!std::filesystem::exists(kPamFile)) {
    std::filesystem::copy_file(SourceDir() + "/packaging/pam/custos", kPamFile);
    installed_pam_ = true;
  }

  // The certificate, the tree and the config.
  const std::string cert = dir_ / "cert.pem", key = dir_ / "key.pem";
  if (Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
           "-days", "2", "-subj", "/CN=localhost"})
          .exit_code != 0) {
    *why_not = "openssl could not make a certificate";
    return false;
  }
  const auto& v = PlantedValues();
  WriteFile(dir_ / "srv/share/payroll.txt", "card " + v[0] + " on file\nrefund to " + v[2] + "\n");
  WriteFile(dir_ / "srv/share/rota.txt", "week 49: nights\n");
  WriteFile(dir_ / "srv/hr/vetting.txt", "deposit card " + v[1] + "\naccount " + v[3] + "\n");
  ::chmod((dir_ / "srv/share/rota.txt").c_str(), 0644);
  ::chmod((dir_ / "srv/share/payroll.txt").c_str(), 0644);
  for (int i = 0; i < options_.more_files; ++i) {
    const std::string name = dir_ / ("srv/share/many/f" + std::to_string(i) + ".txt");
    WriteFile(name, "nothing\n");
    ::chmod(name.c_str(), 0644);
  }
  WriteFile(dir_ / "policy.yaml", kPolicy);
  const std::string config = dir_ / "custos.yaml";
  WriteFile(config,
            "roots:\n  - {path: " + (dir_ / "srv") +
                ", name: shares, schedule: \"@yearly\"}\npolicies: [policy.yaml]\n"
                "state_directory: " +
                (dir_ / "state") + "\ncontrol: {socket: " + (dir_ / "custos.sock") +
                "}\nmetrics: {listen: off}\nscan: {splay: 0s}\nconsole:\n"
                "  listen: 127.0.0.1:0\n  tls: {cert: " +
                cert + ", key: " + key + "}\n  group: " + group_ +
                "\n  idle_timeout: " + options_.idle_timeout + "\n" +
                (options_.inventory.empty() ? "" : "inventory: \"" + options_.inventory + "\"\n"));

  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open((dir_ / "custosd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::unsetenv("NOTIFY_SOCKET");
    ::execl(CUSTOSD_BINARY, CUSTOSD_BINARY, "--config", config.c_str(), "--foreground",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::regex ready(R"(review console on (https://127\.0\.0\.1:[0-9]+)/)");
  for (int i = 0; i < 600 && url_.empty(); ++i) {
    std::smatch m;
    const std::string log = Log();
    if (std::regex_search(log, m, ready)) url_ = m[1];
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    if (url_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (url_.empty()) {
    *why_not = "custosd did not start its console:\n" + Log();
    return false;
  }
  const auto scan = RunCustos({"scan-now", "--wait", "--socket", dir_ / "custos.sock"});
  if (scan.exit_code != 0 && scan.exit_code != 1) {  // 1: violations found
    *why_not = "the scan failed: " + scan.err;
    return false;
  }
  return true;
}

ConsoleSite::~ConsoleSite() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  if (made_reviewer_) Run({"userdel", "-f", reviewer_});
  if (made_outsider_) Run({"userdel", "-f", outsider_});
  if (made_group_) Run({"groupdel", group_});
  if (installed_pam_) std::filesystem::remove(kPamFile);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string ConsoleSite::Log() const {
  std::error_code ec;
  if (!std::filesystem::exists(dir_ / "custosd.log", ec)) return "";
  return ReadFile(dir_ / "custosd.log");
}

}  // namespace custos::test
