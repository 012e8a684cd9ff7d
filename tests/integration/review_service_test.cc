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
// `dir/srv` holding two findings of share-private; scanned once before use.
class ReviewDaemon {
 public:
  explicit ReviewDaemon(const TempDir& dir, const std::string& extra = "") : dir_(dir) {
    socket_ = dir / "custos.sock";
    WriteFile(dir / "policy.yaml", kSharePolicy);
    WriteFile(dir / "srv/share/rota.txt", "week 49\n");
    WriteFile(dir / "srv/share/plan.txt", "week 50\n");
    ::chmod((dir / "srv/share/rota.txt").c_str(), 0644);
    ::chmod((dir / "srv/share/plan.txt").c_str(), 0644);
    WriteFile(dir / "custos.yaml",
              "roots:\n  - {path: " + (dir / "srv") + ", name: srv, schedule: \"@yearly\"}\n" +
                  "policies: [policy.yaml]\nstate_directory: " + (dir / "state") +
                  "\ncontrol:\n  socket: " + socket_ + "\n" + extra + "scan:\n  splay: 0s\n");
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
