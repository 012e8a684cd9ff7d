// Integration tests of the review through the service: `custos findings ...` and
// `custos report` without --db go through a real custosd's control socket, custosd
// running the commands on its own inventory as the user at the other end.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "custos/base/host.h"
#include "support/support.h"

using custos::test::ProcessResult;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;
using json = nlohmann::json;

namespace {

const char* kSharePolicy = R"(policies:
  - id: share-private
    description: Shared files are not readable by everyone
    severity: high
    match: {paths: ["**/share/**"]}
    access: {max_mode: "0640"}
)";

// A custosd --foreground on a config, socket and inventory in `dir`, with one root
// `dir/srv` holding two findings of share-private; scanned once before use. `control`:
// more keys of the control section, indented.
class ReviewDaemon {
 public:
  explicit ReviewDaemon(const TempDir& dir, const std::string& control = "") : dir_(dir) {
    socket_ = dir / "custos.sock";
    WriteFile(dir / "policy.yaml", kSharePolicy);
    WriteFile(dir / "srv/share/rota.txt", "week 49\n");
    WriteFile(dir / "srv/share/plan.txt", "week 50\n");
    ::chmod((dir / "srv/share/rota.txt").c_str(), 0644);
    ::chmod((dir / "srv/share/plan.txt").c_str(), 0644);
    WriteFile(dir / "custos.yaml",
              "roots:\n  - {path: " + (dir / "srv") + ", name: srv, schedule: \"@yearly\"}\n" +
                  "policies: [policy.yaml]\nstate_directory: " + (dir / "state") +
                  "\ncontrol:\n  socket: " + socket_ + "\n" + control +
                  // Not the default port: tests run side by side.
                  "metrics:\n  listen: off\nscan:\n  splay: 0s\n");
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      const int log = ::open((dir / "custosd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      const int null_fd = ::open("/dev/null", O_RDONLY);
      ::dup2(null_fd, 0);
      ::dup2(log, 1);
      ::dup2(log, 2);
      ::unsetenv("NOTIFY_SOCKET");
      ::execl(CUSTOSD_BINARY, CUSTOSD_BINARY, "--config", (dir / "custos.yaml").c_str(),
              "--foreground", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    bool up = false;
    for (int i = 0; i < 300 && !up; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      up = Custos({"status"}).exit_code == 0;
    }
    INFO(custos::test::ReadFile(dir / "custosd.log"));
    REQUIRE(up);
    auto scan = Custos({"scan-now", "--wait", "--timeout", "60"});
    INFO(scan.err);
    REQUIRE(scan.exit_code == 1);  // the two findings
  }
  ~ReviewDaemon() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  const std::string& socket() const { return socket_; }
  std::string db() const { return dir_ / "state/inventory.db"; }
  // custos ARGS --socket SOCKET, as the caller.
  ProcessResult Custos(std::vector<std::string> args) const {
    args.push_back("--socket");
    args.push_back(socket_);
    return RunCustos(args);
  }

 private:
  const TempDir& dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

// The ids of `findings list --format json` output.
std::vector<std::string> Ids(const std::string& list_json) {
  std::vector<std::string> ids;
  for (const json& f : json::parse(list_json)) ids.push_back(std::to_string(f["id"].get<int>()));
  return ids;
}

}  // namespace

TEST_CASE("review service: findings and report through custosd print what --db prints") {
  TempDir dir;
  ReviewDaemon d(dir);
  for (const char* format : {"table", "json", "csv"}) {
    auto via = d.Custos({"findings", "list", "--format", format});
    auto direct = RunCustos({"findings", "list", "--format", format, "--db", d.db()});
    INFO(via.err);
    REQUIRE(via.exit_code == 0);
    REQUIRE(direct.exit_code == 0);
    CHECK(via.out == direct.out);
    CHECK(via.err.empty());
  }
  const std::vector<std::string> ids = Ids(d.Custos({"findings", "list", "--format", "json"}).out);
  REQUIRE(ids.size() == 2);
  // The filters go through the socket: custosd's node (the host name) and the names of
  // its config's roots.
  CHECK(Ids(d.Custos({"findings", "list", "--format", "json", "--node", custos::HostName()}).out)
            .size() == 2);
  CHECK(d.Custos({"findings", "list", "--format", "json", "--node", "elsewhere"}).out == "[]\n");
  CHECK(Ids(d.Custos({"findings", "list", "--format", "json", "--root", "srv"}).out).size() == 2);
  CHECK(d.Custos({"findings", "list", "--format", "json", "--root", dir / "srv/other"}).out ==
        "[]\n");
  auto no_root = d.Custos({"findings", "list", "--root", "hr"});
  CHECK(no_root.exit_code == 2);
  CHECK(no_root.err.find("no root is named 'hr'") != std::string::npos);
  auto elsewhere = d.Custos({"report", "--format", "json", "--node", "elsewhere"});
  REQUIRE(elsewhere.exit_code == 0);
  CHECK(json::parse(elsewhere.out)["summary"]["active"] == 0);
  CHECK(json::parse(elsewhere.out)["report"]["filters"]["nodes"] == json::array({"elsewhere"}));

  // A decision through the socket names the caller; show reads the same either way.
  auto ack = d.Custos({"findings", "ack", ids[0], "--note", "owner told"});
  INFO(ack.err);
  REQUIRE(ack.exit_code == 0);
  CHECK(ack.out == "finding " + ids[0] + " acknowledged\n");
  auto except =
      d.Custos({"findings", "except", ids[1], "--reason", "inquiry", "--until", "2099-12-31"});
  REQUIRE(except.exit_code == 0);
  CHECK(except.out == "finding " + ids[1] + " excepted until 2099-12-31\n");
  REQUIRE(d.Custos({"findings", "note", ids[1], "asked again"}).exit_code == 0);
  auto show = d.Custos({"findings", "show", ids[0]});
  REQUIRE(show.exit_code == 0);
  CHECK(show.out == RunCustos({"findings", "show", ids[0], "--db", d.db()}).out);
  CHECK(show.out.find("new -> acknowledged") != std::string::npos);
  CHECK(show.out.find("(uid " + std::to_string(::geteuid()) + ") ") != std::string::npos);
  if (::geteuid() == 0) CHECK(show.out.find("by root (uid 0) ") != std::string::npos);
  auto show_json = d.Custos({"findings", "show", ids[1], "--format", "json"});
  REQUIRE(show_json.exit_code == 0);
  const json history = json::parse(show_json.out)["history"];
  REQUIRE(history.size() == 3);
  CHECK(history[1]["to"] == "excepted");
  CHECK(history[2]["note"].get<std::string>().find("asked again") != std::string::npos);
  CHECK(history[2]["by"]["uid"] == ::geteuid());

  // Errors come back as the command's own, with its exit code.
  auto missing = d.Custos({"findings", "show", "9999"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "custos: no finding 9999\n");
  auto bad_until = d.Custos({"findings", "except", ids[0], "--reason", "x", "--until", "soon"});
  CHECK(bad_until.exit_code == 2);
  CHECK(bad_until.err == "custos: --until: 'soon' is not a date YYYY-MM-DD\n");
  // Moving in time is for the file only: custosd dates decisions by its own clock.
  auto now = d.Custos({"findings", "ack", ids[0], "--now", "2030-01-01"});
  CHECK(now.exit_code == 2);
  CHECK(now.err.find("custos: findings ack: --now needs --db") != std::string::npos);
  auto both = RunCustos({"findings", "list", "--db", d.db(), "--socket", d.socket()});
  CHECK(both.exit_code == 2);
  CHECK(both.err.find("--db and --socket exclude each other") != std::string::npos);
  // An explicit socket with no daemon behind it is an error, not a fallback.
  auto none = RunCustos({"findings", "list", "--socket", dir / "nothing.sock"});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("is custosd running?") != std::string::npos);

  // The report: built by custosd, written by the caller (-o FILE, mode 0600).
  auto report = d.Custos({"report", "--format", "json", "-o", dir / "report.json"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  struct stat st;
  REQUIRE(::stat((dir / "report.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const json r = json::parse(custos::test::ReadFile(dir / "report.json"));
  CHECK(r.dump().find("rota.txt") != std::string::npos);
  auto html = d.Custos({"report"});
  REQUIRE(html.exit_code == 0);
  CHECK(html.out.rfind("<!DOCTYPE html>", 0) == 0);
  auto bad = d.Custos({"report", "--weeks", "many"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "custos: option --weeks: 'many' is not a number of days/weeks\n");
}

TEST_CASE("review service: $CUSTOS_SOCKET is used like --socket") {
  TempDir dir;
  ReviewDaemon d(dir);
  auto r = custos::test::Run(
      {"env", "CUSTOS_SOCKET=" + d.socket(), custos::test::CustosBinary(), "findings", "list"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("share-private") != std::string::npos);
}

namespace {

// Groups and users made for a test with groupadd/useradd, and removed after (a group
// only when the test made it).
class TestAccounts {
 public:
  ~TestAccounts() {
    for (const std::string& u : users_) Retry({"userdel", u});
    for (const std::string& g : groups_) Retry({"groupdel", g});
  }
  // The group `name`, made when missing.
  void Group(const std::string& name) {
    if (custos::test::Run({"getent", "group", name}).exit_code == 0) return;
    auto r = Retry({"groupadd", "--system", name});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    groups_.push_back(name);
  }
  // A new user without a home, in `groups` (comma-separated; may be empty). Returns
  // its uid.
  std::string User(const std::string& name, const std::string& groups) {
    if (custos::test::Run({"getent", "passwd", name}).exit_code == 0) {
      Retry({"userdel", name});  // left over by a killed run
    }
    std::vector<std::string> argv = {"useradd", "-M", "-N", "-s", "/usr/sbin/nologin"};
    if (!groups.empty()) {
      argv.push_back("-G");
      argv.push_back(groups);
    }
    argv.push_back(name);
    auto r = Retry(argv);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    users_.push_back(name);
    auto id = custos::test::Run({"id", "-u", name});
    REQUIRE(id.exit_code == 0);
    return id.out.substr(0, id.out.find('\n'));
  }

 private:
  // The account tools fail while another process holds /etc/passwd or /etc/group
  // locked (other tests make users too): tried again for a while.
  static ProcessResult Retry(const std::vector<std::string>& argv) {
    ProcessResult r;
    for (int i = 0; i < 50; ++i) {
      r = custos::test::Run(argv);
      if (r.exit_code == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return r;
  }

  std::vector<std::string> users_;
  std::vector<std::string> groups_;
};

// custos ARGS --socket SOCKET as `user`, with the user's groups from the group database.
ProcessResult As(const std::string& user, const ReviewDaemon& d, std::vector<std::string> args) {
  auto gid = custos::test::Run({"id", "-g", user});
  std::vector<std::string> argv = {"setpriv",
                                   "--reuid=" + user,
                                   "--regid=" + gid.out.substr(0, gid.out.find('\n')),
                                   "--init-groups",
                                   "--",
                                   custos::test::CustosBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--socket");
  argv.push_back(d.socket());
  return custos::test::Run(argv);
}

}  // namespace

TEST_CASE("review service: reviewers decide in their name, operators and others are refused") {
  if (::geteuid() != 0 || !custos::test::HaveTool("useradd") ||
      !custos::test::HaveTool("groupadd") || !custos::test::HaveTool("setpriv")) {
    CUSTOS_SKIP("needs root, useradd/groupadd and setpriv(1) to act as users the test makes");
  }
  // The groups are the test's own (control.group and control.review_group name them),
  // so that it neither changes the machine's custos and custos-review groups nor
  // trips over another test making or removing them; the package's defaults are
  // custos and custos-review (packaging/test-package).
  TestAccounts accounts;
  const std::string tag = std::to_string(::getpid() % 100000);
  const std::string operators = "ctops" + tag, reviewers = "ctrevs" + tag;
  accounts.Group(operators);
  accounts.Group(reviewers);
  const std::string reviewer = "ctrev" + tag, operator_ = "ctop" + tag, other = "ctno" + tag;
  const std::string reviewer_uid = accounts.User(reviewer, reviewers);
  accounts.User(operator_, operators);
  accounts.User(other, "");

  TempDir dir;
  ::chmod(dir.path().c_str(), 0755);  // let the users reach the socket
  ReviewDaemon d(dir, "  group: " + operators + "\n  review_group: " + reviewers + "\n");
  struct stat st;
  REQUIRE(::stat(d.socket().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0666);  // who may do what is decided per request
  const std::vector<std::string> ids = Ids(d.Custos({"findings", "list", "--format", "json"}).out);
  REQUIRE(ids.size() == 2);

  // The reviewer reads and decides without root; the decision names them.
  auto list = As(reviewer, d, {"findings", "list"});
  INFO(list.err);
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("share-private") != std::string::npos);
  auto ack = As(reviewer, d, {"findings", "ack", ids[0], "--note", "owner told"});
  INFO(ack.err);
  REQUIRE(ack.exit_code == 0);
  auto show = As(reviewer, d, {"findings", "show", ids[0]});
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find("new -> acknowledged") != std::string::npos);
  CHECK(show.out.find("by " + reviewer + " (uid " + reviewer_uid + ") ") != std::string::npos);
  auto by = json::parse(RunCustos({"findings", "show", ids[0], "--format", "json", "--db", d.db()})
                            .out)["history"]
                .back()["by"];
  CHECK(by["name"] == reviewer);
  CHECK(std::to_string(by["uid"].get<int64_t>()) == reviewer_uid);
  auto report = As(reviewer, d, {"report", "--format", "csv"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  CHECK(report.out.find("rota.txt") != std::string::npos);
  // ... and the file itself stays closed to them.
  CHECK(As(reviewer, d, {"findings", "list", "--db", d.db()}).exit_code == 2);
  // Operating the service is not theirs.
  auto status = As(reviewer, d, {"status"});
  CHECK(status.exit_code == 2);
  CHECK(status.err.find("status needs membership of group " + operators + "\n") !=
        std::string::npos);

  // An operator runs the service but does not review.
  CHECK(As(operator_, d, {"status"}).exit_code == 0);
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"findings", "list"},
        {"findings", "show", ids[1]},
        {"findings", "ack", ids[1]},
        {"findings", "note", ids[1], "hello"},
        {"findings", "except", ids[1], "--reason", "x", "--until", "2099-01-01"},
        {"report"}}) {
    auto r = As(operator_, d, cmd);
    const std::string name = cmd[0] == "report" ? "report" : cmd[0] + " " + cmd[1];
    INFO(name << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "custos: " + name + " needs membership of group " + reviewers + "\n");
    CHECK(r.out.empty());
  }
  // Neither: refused everything.
  auto none = As(other, d, {"findings", "list"});
  CHECK(none.exit_code == 2);
  CHECK(none.err == "custos: findings list needs membership of group " + reviewers + "\n");
  CHECK(As(other, d, {"findings", "ack", ids[1]}).exit_code == 2);
  CHECK(As(other, d, {"status"}).exit_code == 2);
  CHECK(As(other, d, {"scan-now"}).exit_code == 2);
  // Nothing was decided by those refused.
  auto history = RunCustos({"findings", "show", ids[1], "--db", d.db()});
  CHECK(history.out.find(operator_) == std::string::npos);
  CHECK(history.out.find(other) == std::string::npos);
  CHECK(history.out.find("acknowledged") == std::string::npos);
}
