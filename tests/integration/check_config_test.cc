// `custos check-config`: custosd configs (with the policy files they name) and policy
// files, told apart by their keys; FILE:LINE:COL and exit 2 on any error.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "support/support.h"

using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;

namespace {

const char* kPolicy = R"(policies:
  - {id: no-cards, severity: high, match: {detectors: [payment_card]}, forbid: true}
  - {id: cctv-30d, match: {categories: [video]}, retention: {max_age: 30d}}
detectors:
  - {id: sia-licence, pattern: '\b[0-9]{4} ?[0-9]{4} ?[0-9]{4} ?[0-9]{4}\b'}
)";

// A daemon config; `extra` is appended. Named site.yaml (not custos.yaml): its keys
// alone must tell what it is.
std::string WriteDaemonConfig(const TempDir& dir, const std::string& extra = "") {
  const std::string path = dir / "site.yaml";
  WriteFile(path,
            "roots:\n  - path: /srv/cctv\n    name: cctv\n    schedule: \"@daily\"\n"
            "policies: [policies/site-policy.yaml]\n"
            "state_directory: " +
                (dir / "state") +
                "\ncontrol:\n  socket: /run/custos/custos.sock\n"
                "metrics:\n  listen: 127.0.0.1:9797\n" +
                extra);
  return path;
}

}  // namespace

TEST_CASE("check-config: a valid daemon config and the policy files it names") {
  TempDir dir;
  WriteFile(dir / "policies/site-policy.yaml", kPolicy);
  const std::string config = WriteDaemonConfig(dir);
  auto r = RunCustos({"check-config", config});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out == config + ": ok (daemon config: 1 roots, 1 policy files with 2 policies)\n");

  // A config whose first key is `policies` (a list of file names) is a daemon config too.
  WriteFile(dir / "only-policies.yaml", "policies: [policies/site-policy.yaml]\n");
  auto only = RunCustos({"check-config", dir / "only-policies.yaml"});
  CHECK(only.exit_code == 0);
  CHECK(only.out.find("ok (daemon config: 0 roots, 1 policy files with 2 policies)") !=
        std::string::npos);

  // An empty file is a valid policy file, and a valid (all defaults) custos.yaml.
  WriteFile(dir / "empty.yaml", "");
  WriteFile(dir / "custos.yaml", "");
  auto empty = RunCustos({"check-config", dir / "empty.yaml", dir / "custos.yaml"});
  CHECK(empty.exit_code == 0);
  CHECK(empty.out == dir / "empty.yaml: ok (policy file: 0 policies, 0 custom detectors)\n" +
                         dir /
                             "custos.yaml: ok (daemon config: 0 roots, 0 policy files with 0 "
                             "policies)\n");
}

TEST_CASE("check-config: an unknown key in a daemon config is FILE:LINE:COL, exit 2") {
  TempDir dir;
  WriteFile(dir / "policies/site-policy.yaml", kPolicy);
  const std::string config =
      WriteDaemonConfig(dir, "throttle:\n  nice: 5\n  bytes_per_secnd: 1MiB\n");
  auto r = RunCustos({"check-config", config});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind(config + ":13:3: unknown key 'bytes_per_secnd' in throttle", 0) == 0);

  // In a root, and at top level; every problem is reported.
  WriteFile(dir / "roots.yaml", "roots:\n  - path: /srv\n    schedul: daily\nmetrix: {}\n");
  auto two = RunCustos({"check-config", dir / "roots.yaml"});
  CHECK(two.exit_code == 2);
  CHECK(two.err.find(dir / "roots.yaml:3:5: unknown key 'schedul' in roots[0] (expected path, "
                           "name, schedule,") != std::string::npos);
  CHECK(two.err.find(dir / "roots.yaml:4:1: unknown key 'metrix' at top level") !=
        std::string::npos);

  // A bad value is pointed at the value.
  WriteFile(dir / "bad-value.yaml", "roots:\n  - path: /srv\n    schedule: \"61 * * * *\"\n");
  auto bad = RunCustos({"check-config", dir / "bad-value.yaml"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.rfind(dir / "bad-value.yaml:3:15: bad schedule", 0) == 0);
}

TEST_CASE("check-config: a daemon config naming a broken or missing policy file fails") {
  TempDir dir;
  WriteFile(dir / "policies/site-policy.yaml", "policies:\n  - id: x\n    forbid: maybe\n");
  const std::string config = WriteDaemonConfig(dir);
  auto r = RunCustos({"check-config", config});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.rfind(dir / "policies/site-policy.yaml:3:13: ", 0) == 0);

  // A custom detector whose pattern does not compile is refused as custosd refuses it.
  WriteFile(dir / "policies/site-policy.yaml", "detectors:\n  - id: broken\n    pattern: '[0-9'\n");
  auto pattern = RunCustos({"check-config", config});
  CHECK(pattern.exit_code == 2);
  CHECK(pattern.err.find(dir / "policies/site-policy.yaml:3:") != std::string::npos);

  std::remove((dir / "policies/site-policy.yaml").c_str());
  auto missing = RunCustos({"check-config", config});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == config + ":5:12: policy file 'policies/site-policy.yaml' not found (" +
                           dir.path() + "/policies/site-policy.yaml)\n");
}

TEST_CASE("check-config: policy files, valid and broken, and --kind") {
  TempDir dir;
  WriteFile(dir / "policy.yaml", kPolicy);
  WriteFile(dir / "bad.yaml", "policies:\n  - id: x\n    retention: {max_age: 30 days}\n");
  WriteFile(dir / "holds.yaml", "legal_holds:\n  - paths: [\"/srv/x/**\"]\n    reason: r\n");
  auto good = RunCustos({"check-config", dir / "policy.yaml", dir / "holds.yaml"});
  CHECK(good.exit_code == 0);
  CHECK(good.out == dir / "policy.yaml: ok (policy file: 2 policies, 1 custom detectors)\n" +
                        dir / "holds.yaml: ok (policy file: 0 policies, 0 custom detectors)\n");

  // One bad file among good ones: exit 2, the good ones still get their line.
  auto mixed = RunCustos({"check-config", dir / "policy.yaml", dir / "bad.yaml"});
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.out == dir / "policy.yaml: ok (policy file: 2 policies, 1 custom detectors)\n");
  CHECK(mixed.err.rfind(dir / "bad.yaml:3:", 0) == 0);

  // A policy file's keys in a file named custos.yaml still make it a policy file.
  WriteFile(dir / "custos.yaml", kPolicy);
  CHECK(RunCustos({"check-config", dir / "custos.yaml"}).out.find("ok (policy file:") !=
        std::string::npos);

  // --kind forces the kind: a policy file read as a daemon config has unknown keys.
  auto forced = RunCustos({"check-config", "--kind", "daemon", dir / "policy.yaml"});
  CHECK(forced.exit_code == 2);
  CHECK(forced.err.find(dir / "policy.yaml:4:1: unknown key 'detectors' at top level") !=
        std::string::npos);
  CHECK(RunCustos({"check-config", "--kind", "both", dir / "policy.yaml"}).exit_code == 2);
  CHECK(RunCustos({"check-config"}).exit_code == 2);
  CHECK(RunCustos({"check-config", dir / "does-not-exist.yaml"}).exit_code == 2);
}

TEST_CASE("check-config --format json: one document of files, errors and warnings") {
  TempDir dir;
  WriteFile(dir / "policies/site-policy.yaml", kPolicy);
  const std::string config = WriteDaemonConfig(dir);
  WriteFile(dir / "bad.yaml", "policies:\n  - id: x\n    retention: {max_age: 30 days}\n");
  WriteFile(dir / "custos.yaml", "scan:\n\tthreads: 2\n");
  WriteFile(dir / "empty/custos.yaml", "");

  // All valid: exit 0, the no-roots warning does not count.
  auto good = RunCustos({"check-config", "--format", "json", config, dir / "empty/custos.yaml"});
  INFO(good.err);
  CHECK(good.exit_code == 0);
  CHECK(good.err.empty());
  auto j = nlohmann::json::parse(good.out);
  CHECK(j["files"] ==
        nlohmann::json::array(
            {{{"file", config},
              {"kind", "daemon-config"},
              {"ok", true},
              {"summary", "daemon config: 1 roots, 1 policy files with 2 policies"}},
             {{"file", dir / "empty/custos.yaml"},
              {"kind", "daemon-config"},
              {"ok", true},
              {"summary", "daemon config: 0 roots, 0 policy files with 0 policies"}}}));
  CHECK(j["errors"].empty());
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0]["code"] == "no-roots");

  // Errors: exit 2 as in text; every diagnostic with its code, nothing on stderr.
  auto bad = RunCustos({"check-config", "--format", "json", dir / "bad.yaml", dir / "custos.yaml",
                        dir / "missing.yaml"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.empty());
  j = nlohmann::json::parse(bad.out);
  REQUIRE(j["files"].size() == 3);
  CHECK(j["files"][0]["ok"] == false);
  REQUIRE(j["errors"].size() == 3);
  CHECK(j["errors"][0] == nlohmann::json{{"file", dir / "bad.yaml"},
                                         {"line", 3},
                                         {"column", 26},
                                         {"severity", "error"},
                                         {"code", "bad-value"},
                                         {"message",
                                          "bad duration '30 days' for 'max_age' (expected a "
                                          "number and a unit: s, min, h, d, w, mo, y)"}});
  CHECK(j["errors"][1]["code"] == "yaml-syntax");
  CHECK(j["errors"][1]["line"] == 2);
  CHECK(j["errors"][1]["message"] == "YAML does not allow tabs for indentation; use spaces");
  CHECK(j["errors"][2]["code"] == "missing-file");
  CHECK(j["errors"][2]["line"] == 0);

  // Text stays the default, warnings on stderr; an unknown format is refused.
  auto text = RunCustos({"check-config", dir / "empty/custos.yaml"});
  CHECK(text.exit_code == 0);
  CHECK(text.err == dir / "empty/custos.yaml: warning: no roots: custosd will scan nothing\n");
  CHECK(RunCustos({"check-config", "--format", "xml", config}).exit_code == 2);
}
