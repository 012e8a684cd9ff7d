// The control protocol's request parsing, error responses, the metrics registry's text
// format, and the state file.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "custos/service/metrics.h"
#include "custos/service/protocol.h"
#include "custos/service/state.h"
#include "support/support.h"

using custos::service::ErrorResponse;
using custos::service::IsReviewCommand;
using custos::service::MetricsRegistry;
using custos::service::ParseRequest;
using json = nlohmann::json;

namespace {

std::string RequestError(const std::string& line) {
  auto r = ParseRequest(line);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("protocol: valid requests") {
  auto status = ParseRequest(R"({"cmd": "status"})");
  REQUIRE(status.ok());
  CHECK(status->cmd == "status");
  auto scan = ParseRequest(R"({"cmd":"scan-now","root":"cctv"})");
  REQUIRE(scan.ok());
  CHECK(scan->root == "cctv");
  auto all = ParseRequest(R"({"cmd":"scan-now"})");
  REQUIRE(all.ok());
  CHECK(all->root.empty());
  auto findings =
      ParseRequest(R"({"cmd":"findings","policy":"no-cards","severity":"high","limit":5})");
  REQUIRE(findings.ok());
  CHECK(findings->policy == "no-cards");
  CHECK(findings->severity == "high");
  CHECK(findings->limit == 5);
  CHECK(ParseRequest(R"({"cmd":"reload"})").ok());
  // The review commands carry the command line's arguments.
  auto ack = ParseRequest(R"({"cmd":"findings ack","args":{"sub":"ack","id":"3"}})");
  REQUIRE(ack.ok());
  CHECK(IsReviewCommand(ack->cmd));
  CHECK(ack->args["id"] == "3");
  CHECK(ParseRequest(R"({"cmd":"report"})").ok());
  CHECK(!IsReviewCommand("findings"));
}

TEST_CASE("protocol: malformed requests") {
  CHECK(RequestError("") == "bad request: not a JSON object");
  CHECK(RequestError("status") == "bad request: not a JSON object");
  CHECK(RequestError("\x01\x02\xff garbage") == "bad request: not a JSON object");
  CHECK(RequestError("[1,2]") == "bad request: not a JSON object");
  CHECK(RequestError("{}") == "bad request: 'cmd' (a string) is missing");
  CHECK(RequestError(R"({"cmd": 7})") == "bad request: 'cmd' (a string) is missing");
  CHECK(RequestError(R"({"cmd": "rm -rf"})") ==
        "unknown command 'rm -rf' (expected status, scan-now, reload, findings, findings "
        "list|show|ack|except|note, report)");
  CHECK(RequestError(R"({"cmd": "findings ack", "args": "7"})") ==
        "bad request: 'args' must be an object");
  CHECK(RequestError(R"({"cmd": "status", "args": {}})") ==
        "bad request: unknown field 'args' for status");
  CHECK(RequestError(R"({"cmd": "status", "root": "x"})") ==
        "bad request: unknown field 'root' for status");
  CHECK(RequestError(R"({"cmd": "scan-now", "root": 3})") ==
        "bad request: 'root' must be a string");
  CHECK(RequestError(R"({"cmd": "findings", "limit": 0})") ==
        "bad request: 'limit' must be a number 1-10000");
  CHECK(RequestError(R"({"cmd": "findings", "limit": -4})") ==
        "bad request: 'limit' must be a number 1-10000");
  // Deep nesting does not crash the parser.
  CHECK(RequestError(std::string(10000, '[')) == "bad request: not a JSON object");
}

TEST_CASE("protocol: error responses are one JSON line, escaped") {
  const std::string r = ErrorResponse("bad\nthing \xff");
  CHECK(r.find('\n') == std::string::npos);
  const json j = json::parse(r);
  CHECK(j["ok"] == false);
  CHECK(j["error"] == "bad\\x0athing \\xff");
}

TEST_CASE("metrics: text format") {
  MetricsRegistry m;
  m.Declare("custos_scans_total", "Scan runs", MetricsRegistry::Type::kCounter);
  m.Declare("custos_queue", "Queue depth", MetricsRegistry::Type::kGauge);
  m.Declare("custos_seconds", "Durations", MetricsRegistry::Type::kHistogram, {1, 10});
  m.Add("custos_scans_total", {{"root", "a"}, {"result", "completed"}});
  m.Add("custos_scans_total", {{"root", "a"}, {"result", "completed"}}, 2);
  m.Set("custos_queue", {}, 4);
  m.Set("custos_queue", {}, 2);
  m.Observe("custos_seconds", {{"root", "a"}}, 0.5);
  m.Observe("custos_seconds", {{"root", "a"}}, 5);
  m.Observe("custos_seconds", {{"root", "a"}}, 50);
  m.Add("custos_undeclared", {});  // ignored
  CHECK(m.Value("custos_scans_total", {{"root", "a"}, {"result", "completed"}}) == 3);
  CHECK(m.Render() ==
        "# HELP custos_queue Queue depth\n"
        "# TYPE custos_queue gauge\n"
        "custos_queue 2\n"
        "# HELP custos_scans_total Scan runs\n"
        "# TYPE custos_scans_total counter\n"
        "custos_scans_total{root=\"a\",result=\"completed\"} 3\n"
        "# HELP custos_seconds Durations\n"
        "# TYPE custos_seconds histogram\n"
        "custos_seconds_bucket{root=\"a\",le=\"1\"} 1\n"
        "custos_seconds_bucket{root=\"a\",le=\"10\"} 2\n"
        "custos_seconds_bucket{root=\"a\",le=\"+Inf\"} 3\n"
        "custos_seconds_sum{root=\"a\"} 55.5\n"
        "custos_seconds_count{root=\"a\"} 3\n");
  m.Clear("custos_queue");
  CHECK(m.Render().find("custos_queue 2") == std::string::npos);
}

TEST_CASE("metrics: label values cannot break the format") {
  MetricsRegistry m;
  m.Declare("x_total", "x", MetricsRegistry::Type::kCounter);
  m.Add("x_total", {{"reason", "a\"b\\c\nd\xff"}});
  const std::string text = m.Render();
  CHECK(text.find("x_total{reason=\"a\\\"b\\\\c_d_\"} 1\n") != std::string::npos);
  CHECK(custos::service::SafeLabel(std::string(100, 'a')).size() == 64);
}

TEST_CASE("state: round trip, atomic replacement, mode 0600") {
  custos::test::TempDir dir;
  const std::string path = dir / "schedule.json";
  auto empty = custos::service::LoadState(path);
  REQUIRE(empty.ok());
  CHECK(empty->roots.empty());
  CHECK(empty->next_run_id == 1);
  custos::service::DaemonState s;
  s.next_run_id = 42;
  s.roots["cctv"].path = "/srv/cctv";
  s.roots["cctv"].last_start = 1700000000;
  s.roots["cctv"].result = "interrupted";
  s.roots["cctv"].running_since = 1700000100;
  s.roots["cctv"].items = 12;
  REQUIRE(custos::service::SaveState(path, s).ok());
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto back = custos::service::LoadState(path);
  REQUIRE(back.ok());
  CHECK(back->next_run_id == 42);
  CHECK(back->roots["cctv"].path == "/srv/cctv");
  CHECK(back->roots["cctv"].last_start == 1700000000);
  CHECK(back->roots["cctv"].running_since == 1700000100);
  CHECK(back->roots["cctv"].result == "interrupted");
  CHECK(back->roots["cctv"].items == 12);
  custos::test::WriteFile(path, "{not json");
  CHECK_FALSE(custos::service::LoadState(path).ok());
}
