// Integration tests of the review's accountability: each decision made with the real
// binary names the user who ran it (findings show, table and JSON), root or not.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/support.h"

using custos::test::ProcessResult;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;
using json = nlohmann::json;

namespace {

const char* kPolicy = R"(policies:
  - id: share-private
    description: Shared files are not readable by everyone
    severity: high
    match: {paths: ["**/share/**"]}
    access: {max_mode: "0640"}
)";

// Runs the custos binary as uid/gid 65534 (nobody) without supplementary groups.
ProcessResult AsNobody(std::vector<std::string> args) {
  std::vector<std::string> argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                   custos::test::CustosBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return custos::test::Run(argv);
}

// The "by" of each event in `show --format json`: "name/uid", or "system" for null.
std::vector<std::string> By(const std::string& show_json) {
  std::vector<std::string> out;
  const json shown = json::parse(show_json);
  for (const json& e : shown["history"]) {
    out.push_back(e["by"].is_null() ? "system"
                                    : e["by"]["name"].get<std::string>() + "/" +
                                          std::to_string(e["by"]["uid"].get<int64_t>()));
  }
  return out;
}

}  // namespace

TEST_CASE("review: each decision names the user who made it, unprivileged or root") {
  if (::geteuid() != 0 || !custos::test::HaveTool("setpriv")) {
    CUSTOS_SKIP("needs root and setpriv(1) to decide as uid 65534");
  }
  TempDir dir;
  ::chmod(dir.path().c_str(), 0755);  // let uid 65534 reach the inventory
  WriteFile(dir / "policy.yaml", kPolicy);
  WriteFile(dir / "srv/share/rota.txt", "week 49\n");
  WriteFile(dir / "srv/share/plan.txt", "week 50\n");
  ::chmod((dir / "srv/share/rota.txt").c_str(), 0644);
  ::chmod((dir / "srv/share/plan.txt").c_str(), 0644);
  std::filesystem::create_directories(dir / "state");
  const std::string db = dir / "state/inventory.db";
  auto scan = RunCustos(
      {"scan", "--db", db, "--policy", dir / "policy.yaml", "-o", dir / "out.jsonl", dir / "srv"});
  INFO(scan.err);
  REQUIRE((scan.exit_code == 0 || scan.exit_code == 1));
  auto list = RunCustos({"findings", "list", "--format", "json", "--db", db});
  REQUIRE(list.exit_code == 0);
  const json findings = json::parse(list.out);
  REQUIRE(findings.size() == 2);
  const std::string a = std::to_string(findings[0]["id"].get<int64_t>());
  const std::string b = std::to_string(findings[1]["id"].get<int64_t>());

  // The inventory handed to uid 65534, as a single-user setup would have it.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "state")) {
    REQUIRE(::chown(entry.path().c_str(), 65534, 65534) == 0);
  }
  REQUIRE(::chown((dir / "state").c_str(), 65534, 65534) == 0);

  auto ack = AsNobody({"findings", "ack", a, "--note", "owner told", "--db", db});
  INFO(ack.err);
  REQUIRE(ack.exit_code == 0);
  auto note = AsNobody({"findings", "note", a, "asked again", "--db", db});
  REQUIRE(note.exit_code == 0);
  auto except = RunCustos(
      {"findings", "except", b, "--reason", "inquiry", "--until", "2099-12-31", "--db", db});
  INFO(except.err);
  REQUIRE(except.exit_code == 0);

  // Table: the name and uid on each decision; the scan's creation names its scan.
  auto show = AsNobody({"findings", "show", a, "--db", db});
  INFO(show.err);
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find("new -> acknowledged") != std::string::npos);
  CHECK(show.out.find("by nobody (uid 65534) ") != std::string::npos);
  CHECK(show.out.find("scan 1 ") != std::string::npos);
  CHECK(show.out.find("reviewer") == std::string::npos);
  auto show_b = RunCustos({"findings", "show", b, "--db", db});
  CHECK(show_b.out.find("by root (uid 0) ") != std::string::npos);
  CHECK(show_b.out.find("nobody") == std::string::npos);

  // JSON: "by" is the person, null for the system.
  auto json_a = RunCustos({"findings", "show", a, "--format", "json", "--db", db});
  REQUIRE(json_a.exit_code == 0);
  CHECK(By(json_a.out) == std::vector<std::string>{"system", "nobody/65534", "nobody/65534"});
  auto json_b = RunCustos({"findings", "show", b, "--format", "json", "--db", db});
  CHECK(By(json_b.out) == std::vector<std::string>{"system", "root/0"});
  const json shown = json::parse(json_b.out);
  CHECK(shown["id"].get<int64_t>() == std::stoll(b));
  CHECK(shown["history"][1]["to"] == "excepted");
  CHECK(shown["history"][0]["scan"] == 1);
  CHECK(shown["history"][1]["scan"].is_null());
}
