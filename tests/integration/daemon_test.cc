// Integration tests of the real custosd and custos binaries: a daemon on a temporary
// config, control socket and loopback HTTP port, scanning trees built here.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "daemon_process.h"
#include "support/support.h"

using custos::test::Daemon;
using custos::test::HttpGet;
using custos::test::MakeTree;
using custos::test::ParsePrometheus;
using custos::test::Run;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WaitFor;
using custos::test::WriteFile;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const char* kCardPolicy = R"(policies:
  - id: no-cards
    severity: high
    match: {detectors: [payment_card]}
    forbid: true
)";

int ConnectUnix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

// Reads until EOF or `timeout_s`; returns what was read and whether EOF came.
std::pair<std::string, bool> ReadUntilClosed(int fd, double timeout_s) {
  std::string data;
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
  while (Clock::now() < deadline) {
    struct pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return {data, true};  // EOF or reset: closed by the daemon
    data.append(buf, static_cast<size_t>(n));
  }
  return {data, false};
}

// A text file of about `bytes` bytes that is slow to search (some 15 MB/s here): lines
// of 16-digit groups that look like card numbers but fail the Luhn check. One real
// card number ends it, so that a finding shows the file was read to its end.
void WriteSlowTextFile(const std::string& path, size_t bytes) {
  std::string chunk;
  uint64_t x = 12345;
  auto digit = [&x] {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int>((x >> 33) % 10);
  };
  for (int line = 0; line < 4096; ++line) {
    for (int g = 0; g < 4; ++g) {
      int d[16];
      int sum = 0;
      for (int i = 0; i < 15; ++i) d[i] = digit();
      for (int i = 0; i < 15; ++i) {
        int v = d[14 - i];  // from the right, the check digit not counted
        if (i % 2 == 0) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
      }
      d[15] = ((10 - sum % 10) % 10 + 1) % 10;  // one off the Luhn check digit
      for (int i = 0; i < 16; ++i) {
        chunk += static_cast<char>('0' + d[i]);
        if (i % 4 == 3) chunk += i == 15 ? (g == 3 ? '\n' : ' ') : ' ';
      }
    }
  }
  std::string body;
  body.reserve(bytes + chunk.size() + 64);
  while (body.size() < bytes) body += chunk;
  body += "card 4111 1111 1111 1111 on file\n";
  WriteFile(path, body);
}

// The first column of the first row of `sql` on the SQLite file `db`, as text ("" when
// there is no row), read with python3's sqlite3.
std::string SqlValue(const std::string& db, const std::string& sql) {
  auto r = Run({"/usr/bin/python3", "-c",
                "import sqlite3, sys\n"
                "row = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()\n"
                "print('' if row is None else row[0], end='')\n",
                db, sql});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("daemon: a scheduled scan fires on its own") {
  TempDir dir;
  MakeTree(dir / "srv", 9);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  Daemon d(dir, "  - {path: " + (dir / "srv") + ", name: srv, schedule: \"* * * * *\"}\n");
  CHECK(d.Root("srv")["last_run"].is_null());
  // Every minute, no splay: it fires within about a minute.
  json last;
  const bool ran = WaitFor(
      [&] {
        last = d.Root("srv")["last_run"];
        return last.is_object() && last["result"] == "completed";
      },
      100);
  INFO(d.Log());
  REQUIRE(ran);
  CHECK(last["trigger"] == "schedule");
  CHECK(last["items"] == 9);
  CHECK(last["violations"] == 3);
  CHECK(d.Log().find("run 1 of root srv (schedule) started") != std::string::npos);
}

TEST_CASE("daemon: status and scan-now over the control socket") {
  TempDir dir;
  MakeTree(dir / "srv", 12);
  MakeTree(dir / "hr", 2);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  Daemon d(dir, "  - {path: " + (dir / "srv") + ", name: srv, schedule: \"@yearly\"}\n" +
                    "  - {path: " + (dir / "hr") + ", name: hr}\n");
  json s = d.Status();
  CHECK(s["ok"] == true);
  CHECK(s["roots"].size() == 2);
  CHECK(s["roots"][0]["state"] == "idle");
  CHECK(s["roots"][0]["schedule"] == "@yearly");
  CHECK(s["roots"][1]["schedule"] == "@daily");
  CHECK(s["roots"][0]["next_run"].is_string());
  CHECK(s["inventory"]["items"] == 0);

  // One root by name: waits, exit code 1 for violations like `custos scan`.
  auto r = d.Custos({"scan-now", "--wait", "--timeout", "60", "srv"});
  INFO(r.out << r.err << d.Log());
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("srv: queued") != std::string::npos);
  CHECK(r.out.find("completed: 12 items, 4 violations") != std::string::npos);
  json srv = d.Root("srv");
  CHECK(srv["last_run"]["trigger"] == "manual");
  CHECK(srv["last_run"]["items"] == 12);
  CHECK(d.Root("hr")["last_run"].is_null());

  // By path, without waiting; then every root.
  CHECK(d.Custos({"scan-now", dir / "hr"}).exit_code == 0);
  REQUIRE(WaitFor([&] { return d.Root("hr")["last_run"].is_object(); }, 60));
  auto all = d.Custos({"scan-now", "--wait", "--timeout", "60"});
  CHECK(all.exit_code == 1);
  CHECK(all.out.find("srv: ") != std::string::npos);
  CHECK(all.out.find("hr: ") != std::string::npos);

  // The inventory figures count each root's last run.
  s = d.Status();
  CHECK(s["inventory"]["items"] == 14);
  CHECK(s["inventory"]["findings"] == 5);

  // Human output.
  auto human = d.Custos({"status"});
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("root srv") != std::string::npos);
  CHECK(human.out.find("no-cards") != std::string::npos);

  // Unknown root, no daemon.
  auto unknown = d.Custos({"scan-now", "nope"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown root 'nope' (configured: srv, hr)") != std::string::npos);
  auto none = RunCustos({"status", "--socket", dir / "nothing.sock"});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("is custosd running?") != std::string::npos);
}

TEST_CASE("daemon: /metrics is Prometheus text and matches the inventory") {
  TempDir dir;
  MakeTree(dir / "srv", 10);
  WriteFile(dir / "srv/locked.txt", "secret");
  ::chmod((dir / "srv/locked.txt").c_str(), 0);
  // Two reasons of one kind: "corrupt: PDF truncated" and "corrupt: archive".
  WriteFile(dir / "srv/broken.pdf", "%PDF-1.4\n1 0 obj garbage\n");
  WriteFile(dir / "srv/broken.zip",
            std::string("PK\x03\x04\x14\x00", 6) + std::string(24, '\0') + "a.txtxxxxxxxxxx");
  WriteFile(dir / "policy.yaml", kCardPolicy);
  Daemon d(dir, "  - {path: " + (dir / "srv") + ", name: srv}\n");
  REQUIRE(d.Custos({"scan-now", "--wait", "--timeout", "60"}).exit_code == 1);
  const json s = d.Status();
  REQUIRE(s["metrics"].is_string());
  const std::string endpoint = s["metrics"];
  CHECK(endpoint.rfind("127.0.0.1:", 0) == 0);

  auto [status_line, body] = HttpGet(endpoint, "/metrics");
  CHECK(status_line == "HTTP/1.1 200 OK");
  auto m = ParsePrometheus(dir, body);
  const json& inv = s["inventory"];
  CHECK(m["custos_inventory_items{}"] == inv["items"].get<double>());
  CHECK(m["custos_inventory_bytes{}"] == inv["bytes"].get<double>());
  CHECK(m["custos_scan_items_total{root=srv}"] == inv["items"].get<double>());
  CHECK(m["custos_scans_total{result=completed,root=srv}"] == 1);
  CHECK(m["custos_scan_duration_seconds_count{root=srv}"] == 1);
  CHECK(m["custos_scans_running{}"] == 0);
  CHECK(m["custos_scan_queue_depth{}"] == 0);
  REQUIRE(inv["findings_by_policy"].size() == 1);
  CHECK(m["custos_findings{policy=no-cards,severity=high}"] ==
        inv["findings_by_policy"][0]["count"].get<double>());
  CHECK(m["custos_findings{policy=no-cards,severity=high}"] == 4);
  CHECK(m["custos_scan_violations_total{policy=no-cards,severity=high}"] == 4);
  CHECK(m["custos_policies_loaded{}"] == 1);
  // The inventory itself, read by `custos findings` from the file.
  auto listed = RunCustos({"findings", "list", "--db", dir / "state/inventory.db", "--format",
                           "json", "--status", "new,open,acknowledged"});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  std::map<std::string, double> by_policy;
  for (const json& f : json::parse(listed.out)) {
    by_policy["custos_findings{policy=" + f["policy"].get<std::string>() +
              ",severity=" + f["severity"].get<std::string>() + "}"] += 1;
  }
  for (const auto& [series, count] : by_policy) CHECK(m[series] == count);
  // Findings through the control socket: paths escaped, no raw values.
  const int fd = ConnectUnix(d.socket());
  const std::string q = "{\"cmd\":\"findings\",\"policy\":\"no-cards\",\"limit\":3}\n";
  REQUIRE(::send(fd, q.data(), q.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(q.size()));
  std::string line;
  char c;
  while (::recv(fd, &c, 1, 0) == 1 && c != '\n') line += c;
  ::close(fd);
  const json fj = json::parse(line);
  REQUIRE(fj["ok"] == true);
  CHECK(fj["findings"].size() == 3);
  CHECK(fj["findings"][0]["policy"] == "no-cards");
  CHECK(line.find("4111 1111 1111 1111") == std::string::npos);
  if (::geteuid() != 0) {
    // Root reads the 0000 file anyway (CAP_DAC_OVERRIDE); others skip it.
    CHECK(m["custos_scan_skipped_total{reason=permission denied}"] == 1);
  }
  // Skipped items are counted by the kind of reason, not by its detail.
  CHECK(m["custos_scan_skipped_total{reason=corrupt}"] == 2);
  CHECK(body.find("reason=\"corrupt:") == std::string::npos);
  // No paths in labels.
  CHECK(body.find(dir.path()) == std::string::npos);

  auto [hs, hbody] = HttpGet(endpoint, "/healthz");
  CHECK(hs == "HTTP/1.1 200 OK");
  CHECK(hbody == "ok\n");
  CHECK(HttpGet(endpoint, "/nope").first == "HTTP/1.1 404 Not Found");
}

TEST_CASE("daemon: a reload with a broken policy keeps the service on the old one") {
  TempDir dir;
  MakeTree(dir / "srv", 6);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  Daemon d(dir, "  - {path: " + (dir / "srv") + ", name: srv}\n");

  // Broken policy file: SIGHUP logs why and changes nothing.
  WriteFile(dir / "policy.yaml", "policies:\n  - id: Bad Id\n    forbid: true\n");
  ::kill(d.pid(), SIGHUP);
  REQUIRE(WaitFor([&] { return d.Log().find("reload failed") != std::string::npos; }, 30));
  const std::string log = d.Log();
  CHECK(log.find(dir / "policy.yaml:2:9: ") != std::string::npos);
  CHECK(d.Alive());
  CHECK(d.Status()["reload"]["error"].get<std::string>().find("policy.yaml:2:9") !=
        std::string::npos);
  // Scans still judge with the old policy.
  auto r = d.Custos({"scan-now", "--wait", "--timeout", "60"});
  CHECK(r.exit_code == 1);
  CHECK(d.Root("srv")["last_run"]["violations"] == 2);
  // The same through the control socket: refused, with the diagnostic.
  auto reload = d.Custos({"reload"});
  CHECK(reload.exit_code == 2);
  CHECK(reload.err.find("policy.yaml:2:9") != std::string::npos);

  // A good file is taken.
  WriteFile(dir / "policy.yaml",
            "policies:\n  - id: any-text\n    severity: low\n    match: {categories: [text]}\n"
            "    forbid: true\n");
  CHECK(d.Custos({"reload"}).exit_code == 0);
  CHECK(d.Status()["reload"]["error"] == "");
  CHECK(d.Custos({"scan-now", "--wait", "--timeout", "60"}).exit_code == 1);
  json inv = d.Status()["inventory"];
  REQUIRE(inv["findings_by_policy"].size() == 1);
  CHECK(inv["findings_by_policy"][0]["policy"] == "any-text");
  CHECK(inv["findings_by_policy"][0]["count"] == 6);
}

TEST_CASE("daemon: SIGTERM during a scan stops in time and the next start resumes") {
  TempDir dir;
  MakeTree(dir / "srv", 300);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  // 20 files/s: the scan takes about 15 s.
  const std::string roots = "  - {path: " + (dir / "srv") + ", name: srv, schedule: \"@yearly\"}\n";
  auto d = std::make_unique<Daemon>(dir, roots, "throttle:\n  files_per_second: 20\n");
  // Files changed within a second of a scan's start are never reused (they may change
  // again unseen): start a little later.
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  REQUIRE(d->Custos({"scan-now", "srv"}).exit_code == 0);
  REQUIRE(WaitFor(
      [&] {
        const json r = d->Root("srv");
        return r.contains("running") && r["running"]["items"].get<int>() > 10;
      },
      30));
  // Runs of one root never overlap.
  auto again = d->Custos({"scan-now", "srv"});
  CHECK(again.out == "srv: already running\n");
  auto [code, seconds] = d->Stop(SIGTERM, 30);
  INFO(d->Log());
  CHECK(code == 0);
  CHECK(seconds < 30);
  CHECK(d->Log().find("SIGTERM: stopping (1 scan(s) running)") != std::string::npos);
  CHECK(d->Log().find("interrupted") != std::string::npos);
  const json state = json::parse(custos::test::ReadFile(dir / "state/schedule.json"));
  CHECK(state["roots"]["srv"]["result"] == "interrupted");
  CHECK(state["roots"]["srv"]["running_since"] == 0);
  CHECK(state["roots"]["srv"]["items"].get<int>() < 300);

  // The next start runs the interrupted root again at once.
  d->Start();
  const json last = d->WaitForLastRun("srv", "completed", 90);
  INFO(last.dump());
  CHECK(last["trigger"] == "resume");
  CHECK(last["items"] == 300);
  // What the interrupted run recorded in the inventory is not read again.
  CHECK(last["reused"].get<int>() >= state["roots"]["srv"]["items"].get<int>());
  CHECK(last["reused"].get<int>() + last["read"].get<int>() == 300);
  CHECK(d->Log().find("root srv: resume run at start-up") != std::string::npos);
  auto [code2, seconds2] = d->Stop(SIGTERM, 30);
  CHECK(code2 == 0);
}

TEST_CASE("daemon: SIGTERM while a large file is read stops at once, the next start reads it") {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    WriteFile(dir / ("srv/small" + std::to_string(i) + ".txt"), "record " + std::to_string(i));
  }
  WriteSlowTextFile(dir / "srv/big.txt", 96u << 20);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  const std::string roots =
      "  - {path: " + (dir / "srv") + ", name: srv, schedule: \"@yearly\", max_item_time: 10min}\n";
  auto d = std::make_unique<Daemon>(dir, roots);
  REQUIRE(d->Custos({"scan-now", "srv"}).exit_code == 0);
  // Two workers: the small files are done while the big one is still being read.
  REQUIRE(WaitFor(
      [&] {
        const json r = d->Root("srv");
        return r.contains("running") && r["running"]["items"].get<int>() >= 4;
      },
      30));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  REQUIRE(d->Root("srv").contains("running"));
  auto [code, seconds] = d->Stop(SIGTERM, 60);
  INFO(d->Log());
  CHECK(code == 0);
  // At once: the piece being searched is finished, not the file (well under the 30 s
  // of the unit's stop timeout even in a sanitizer build on a busy machine; the check
  // against the full read below is the sharper one).
  CHECK(seconds < 15);
  CHECK(d->Log().find("(cancelled; 1 items interrupted)") != std::string::npos);
  const json state = json::parse(custos::test::ReadFile(dir / "state/schedule.json"));
  CHECK(state["roots"]["srv"]["result"] == "interrupted");
  // The interrupted file is not in the inventory (so not as clean either); the small
  // ones are.
  const std::string db = dir / "state/inventory.db";
  CHECK(SqlValue(db, "SELECT count(*) FROM items WHERE CAST(name AS TEXT) = 'big.txt'") == "0");
  CHECK(SqlValue(db, "SELECT count(*) FROM items") == "4");

  // The next start resumes the run and reads the big file to its end.
  d->Start();
  const json last = d->WaitForLastRun("srv", "completed", 300);
  INFO(last.dump());
  CHECK(last["trigger"] == "resume");
  CHECK(last["items"] == 5);
  CHECK(last["read"].get<int>() >= 1);
  CHECK(last["violations"] == 1);  // the card at the end of big.txt
  // Reading the file whole takes far longer than the stop did: the stop did not wait
  // for it.
  CHECK(seconds < last["seconds"].get<double>() / 2);
  CHECK(SqlValue(db,
                 "SELECT state || ':' || reason || ':' || ndet FROM items "
                 "WHERE CAST(name AS TEXT) = 'big.txt'") == "0::1");
  auto [code2, seconds2] = d->Stop(SIGTERM, 30);
  CHECK(code2 == 0);
}

TEST_CASE("daemon: garbage, oversized and idle clients are refused while others are served") {
  TempDir dir;
  MakeTree(dir / "srv", 3);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  Daemon d(dir, "  - {path: " + (dir / "srv") + ", name: srv}\n");

  // An idle client: connected, says nothing.
  const int idle = ConnectUnix(d.socket());
  // A client sending 1 GiB without a newline, on its own thread.
  std::atomic<uint64_t> sent{0};
  std::atomic<bool> writer_done{false};
  std::string big_reply;
  std::thread big([&] {
    const int fd = ConnectUnix(d.socket());
    const std::string chunk(64 << 10, 'x');
    while (sent < (1ull << 30)) {
      const ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<uint64_t>(n);
    }
    big_reply = ReadUntilClosed(fd, 5).first;
    ::close(fd);
    writer_done = true;
  });
  // Garbage: answered with an error, then the connection is closed.
  const int garbage = ConnectUnix(d.socket());
  const std::string junk = "\x01\x02\xff\xfe not json at all\n";
  REQUIRE(::send(garbage, junk.data(), junk.size(), MSG_NOSIGNAL) > 0);
  auto [garbage_reply, garbage_closed] = ReadUntilClosed(garbage, 10);
  ::close(garbage);
  CHECK(garbage_closed);
  CHECK(garbage_reply == "{\"error\":\"bad request: not a JSON object\",\"ok\":false}\n");

  // Meanwhile others are served.
  for (int i = 0; i < 3; ++i) {
    auto r = d.Custos({"status", "--json"}, 10);
    CHECK(r.exit_code == 0);
  }
  big.join();
  CHECK(writer_done);
  CHECK(sent < (1ull << 30));  // cut off long before the end
  INFO("sent " << sent);
  CHECK(sent < (64ull << 20));
  if (!big_reply.empty())
    CHECK(big_reply.find("request larger than 65536 bytes") != std::string::npos);

  // The idle client is dropped after the 2 s deadline.
  auto [idle_data, idle_closed] = ReadUntilClosed(idle, 15);
  ::close(idle);
  CHECK(idle_closed);
  CHECK(idle_data.empty());

  // A request of just under the limit is still answered.
  const int near = ConnectUnix(d.socket());
  const std::string almost = std::string(60000, ' ') + "{\"cmd\":\"status\"}\n";
  REQUIRE(::send(near, almost.data(), almost.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(almost.size()));
  auto [near_reply, near_closed] = ReadUntilClosed(near, 10);
  ::close(near);
  CHECK(near_reply.rfind("{", 0) == 0);
  CHECK(near_reply.find("\"ok\":true") != std::string::npos);

  auto m = ParsePrometheus(dir, HttpGet(d.Status()["metrics"], "/metrics").second);
  CHECK(m["custos_control_rejected_total{reason=too large}"] == 1);
  CHECK(m["custos_control_rejected_total{reason=bad request}"] == 1);
  CHECK(m["custos_control_rejected_total{reason=timeout}"] >= 1);
  CHECK(d.Alive());
}

TEST_CASE("daemon: a user outside the operators' group is refused, naming the group") {
  if (::geteuid() != 0 || !custos::test::HaveTool("setpriv")) {
    CUSTOS_SKIP("needs root and setpriv(1) to run the client as uid 65534");
  }
  TempDir dir;
  ::chmod(dir.path().c_str(), 0755);  // let uid 65534 reach the socket
  MakeTree(dir / "srv", 2);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  Daemon d(dir, "  - {path: " + (dir / "srv") + ", name: srv}\n");
  struct stat st;
  REQUIRE(::stat(d.socket().c_str(), &st) == 0);
  // Anyone may connect; each request is authorized by the peer's groups.
  CHECK((st.st_mode & 0777) == 0666);

  const std::vector<std::string> as_nobody = {"setpriv",
                                              "--reuid=65534",
                                              "--regid=65534",
                                              "--clear-groups",
                                              "--",
                                              custos::test::CustosBinary(),
                                              "status",
                                              "--socket",
                                              d.socket()};
  // The daemon's peer-credential check refuses, naming the group it takes.
  int refused = 1;
  auto r2 = Run(as_nobody);
  INFO(r2.err);
  CHECK(r2.exit_code == 2);
  CHECK(r2.err.find("status needs membership of group custos") != std::string::npos);
  // Membership is the group database's, not the groups a process carries: a process
  // given the group without the account being in it is still refused.
  if (auto g = custos::test::Run({"getent", "group", "custos"}); g.exit_code == 0) {
    const std::string gid = g.out.substr(0, g.out.rfind(':'));
    std::vector<std::string> as_carrier = as_nobody;
    as_carrier[3] = "--groups=" + gid.substr(gid.rfind(':') + 1);
    CHECK(Run(as_carrier).exit_code == 2);
    ++refused;
  }
  // Root is served.
  CHECK(d.Custos({"status"}).exit_code == 0);
  auto m = ParsePrometheus(dir, HttpGet(d.Status()["metrics"], "/metrics").second);
  CHECK(m["custos_control_rejected_total{reason=permission}"] == refused);
}

TEST_CASE("daemon: bad config is FILE:LINE:COL and exit 2; --check validates") {
  TempDir dir;
  WriteFile(dir / "c.yaml", "roots:\n  - path: /srv\n    schedul: daily\n");
  auto r = Run({CUSTOSD_BINARY, "--config", dir / "c.yaml", "--foreground"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(dir / "c.yaml:3:5: unknown key 'schedul' in root") != std::string::npos);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  WriteFile(dir / "good.yaml", "roots: [{path: /srv}]\npolicies: [policy.yaml]\n");
  auto ok = Run({CUSTOSD_BINARY, "--check", "--config", dir / "good.yaml"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == dir / "good.yaml: ok (1 roots, 1 policies)\n");
  WriteFile(dir / "policy.yaml", "policies:\n  - id: x\n    forbid: maybe\n");
  auto bad = Run({CUSTOSD_BINARY, "--check", "--config", dir / "good.yaml"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find(dir / "policy.yaml:3:13: ") != std::string::npos);
}

TEST_CASE("daemon: sd_notify READY, STATUS, WATCHDOG and STOPPING under systemd") {
  TempDir dir;
  MakeTree(dir / "srv", 3);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  // A stand-in for systemd's notification socket.
  const std::string notify_path = dir / "notify.sock";
  const int nfd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(nfd >= 0);
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, notify_path.c_str(), sizeof addr.sun_path - 1);
  REQUIRE(::bind(nfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string messages;
  auto receive = [&](double seconds) {
    const auto deadline =
        Clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
    while (Clock::now() < deadline) {
      struct pollfd p = {nfd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(nfd, buf, sizeof buf, 0);
      if (n > 0) messages += std::string(buf, static_cast<size_t>(n)) + "\n";
    }
  };
  auto d =
      std::make_unique<Daemon>(dir, "  - {path: " + (dir / "srv") + ", name: srv}\n", "",
                               std::vector<std::pair<std::string, std::string>>{
                                   {"NOTIFY_SOCKET", notify_path}, {"WATCHDOG_USEC", "1000000"}});
  receive(2.5);
  CHECK(messages.find("READY=1") != std::string::npos);
  CHECK(messages.find("STATUS=idle; next run srv at ") != std::string::npos);
  // Every half watchdog period.
  size_t pings = 0;
  for (size_t at = messages.find("WATCHDOG=1"); at != std::string::npos;
       at = messages.find("WATCHDOG=1", at + 1)) {
    ++pings;
  }
  CHECK(pings >= 3);
  ::kill(d->pid(), SIGHUP);
  receive(1);
  CHECK(messages.find("RELOADING=1") != std::string::npos);
  auto [code, seconds] = d->Stop(SIGTERM, 30);
  CHECK(code == 0);
  receive(0.5);
  CHECK(messages.find("STOPPING=1") != std::string::npos);
  ::close(nfd);
}

TEST_CASE("daemon: a run missed while the daemon was down runs once at start-up") {
  TempDir dir;
  MakeTree(dir / "missed", 4);
  MakeTree(dir / "fresh", 4);
  WriteFile(dir / "policy.yaml", kCardPolicy);
  const int64_t now = static_cast<int64_t>(::time(nullptr));
  // "missed" last ran three days ago on a daily schedule; "fresh" ran a minute ago on
  // a yearly one.
  const json state = {{"version", 1},
                      {"next_run_id", 7},
                      {"roots",
                       {{"missed",
                         {{"path", dir / "missed"},
                          {"first_seen", now - 10 * 86400},
                          {"last_start", now - 3 * 86400},
                          {"last_end", now - 3 * 86400 + 5},
                          {"result", "completed"},
                          {"run_id", 5}}},
                        {"fresh",
                         {{"path", dir / "fresh"},
                          {"first_seen", now - 10 * 86400},
                          {"last_start", now - 60},
                          {"last_end", now - 55},
                          {"result", "completed"},
                          {"run_id", 6}}}}}};
  WriteFile(dir / "state/schedule.json", state.dump());
  Daemon d(dir, "  - {path: " + (dir / "missed") + ", name: missed, schedule: \"@daily\"}\n" +
                    "  - {path: " + (dir / "fresh") + ", name: fresh, schedule: \"@yearly\"}\n");
  json last;
  REQUIRE(WaitFor(
      [&] {
        last = d.Root("missed")["last_run"];
        return last["run"] == 7 && last["result"] == "completed";
      },
      60));
  CHECK(last["trigger"] == "catch-up");
  CHECK(last["items"] == 4);
  // Once: the next run is the next scheduled one.
  const json missed = d.Root("missed");
  CHECK(missed["state"] == "idle");
  CHECK(missed["next_run"].is_string());
  const json fresh = d.Root("fresh");
  CHECK(fresh["last_run"]["run"] == 6);
  CHECK(fresh["state"] == "idle");
  CHECK(d.Log().find("root missed: catch-up run at start-up") != std::string::npos);
  CHECK(d.Log().find("root fresh: catch-up") == std::string::npos);
}
