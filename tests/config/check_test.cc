// The checks behind `custos check-config`, and their JSON for tools.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "custos/config/check.h"
#include "support/support.h"

using custos::config::CheckFiles;
using custos::config::CheckJson;
using custos::config::FileKind;
using custos::test::TempDir;
using custos::test::WriteFile;

TEST_CASE("check: files are told apart, checked, and summed up") {
  TempDir dir;
  WriteFile(dir / "site.yaml", "roots: [{path: /srv}]\npolicies: [p.yaml]\n");
  WriteFile(dir / "p.yaml",
            "policies: [{id: a, forbid: true}]\ndetectors: [{id: d, pattern: x}]\n");
  WriteFile(dir / "custos.yaml", "");
  auto checks = CheckFiles({dir / "site.yaml", dir / "p.yaml", dir / "custos.yaml"}, std::nullopt);
  REQUIRE(checks.size() == 3);
  CHECK(checks[0].kind == FileKind::kDaemonConfig);
  CHECK(checks[0].ok());
  CHECK(checks[0].diagnostics.empty());
  CHECK(checks[0].Summary() == "daemon config: 1 roots, 1 policy files with 1 policies");
  CHECK(checks[1].kind == FileKind::kPolicyFile);
  CHECK(checks[1].Summary() == "policy file: 1 policies, 1 custom detectors");
  // An empty custos.yaml is valid, with a warning: it scans nothing.
  CHECK(checks[2].kind == FileKind::kDaemonConfig);
  CHECK(checks[2].ok());
  REQUIRE(checks[2].diagnostics.size() == 1);
  CHECK(checks[2].diagnostics[0].ToString() ==
        dir / "custos.yaml: warning: no roots: custosd will scan nothing");
  // Forced: the policy file read as a daemon config.
  auto forced = CheckFiles({dir / "p.yaml"}, FileKind::kDaemonConfig);
  CHECK_FALSE(forced[0].ok());
}

TEST_CASE("check: the JSON document holds files, errors and warnings with stable codes") {
  TempDir dir;
  WriteFile(dir / "site.yaml",
            "roots:\n  - path: /srv\n    shedule: daily\npolicies: [p.yaml, gone.yaml]\n");
  WriteFile(dir / "p.yaml", "policies:\n  - id: a\n    forbid: maybe\n");
  WriteFile(dir / "custos.yaml", "scan:\n  threads: 2\n");
  WriteFile(dir / "bad\nname.yaml", "policies:\n\t- id: x\n");
  auto checks =
      CheckFiles({dir / "site.yaml", dir / "custos.yaml", dir / "bad\nname.yaml"}, std::nullopt);
  const std::string text = CheckJson(checks);
  CHECK(text.back() == '\n');
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  const auto j = nlohmann::json::parse(text);
  REQUIRE(j["files"].size() == 3);
  CHECK(j["files"][0] == nlohmann::json{{"file", dir / "site.yaml"},
                                        {"kind", "daemon-config"},
                                        {"ok", false},
                                        {"summary", nullptr}});
  CHECK(j["files"][1] == nlohmann::json{{"file", dir / "custos.yaml"},
                                        {"kind", "daemon-config"},
                                        {"ok", true},
                                        {"summary",
                                         "daemon config: 0 roots, 0 policy files "
                                         "with 0 policies"}});
  CHECK(j["files"][2]["file"] == dir.path() + "/bad\\x0aname.yaml");
  CHECK(j["files"][2]["kind"] == "policy-file");
  // The config's unknown key (which stops it before its policy files are read), then the
  // policy file's tab.
  REQUIRE(j["errors"].size() == 2);
  CHECK(j["errors"][0] ==
        nlohmann::json{{"file", dir / "site.yaml"},
                       {"line", 3},
                       {"column", 5},
                       {"severity", "error"},
                       {"code", "unknown-key"},
                       {"message",
                        "unknown key 'shedule' in roots[0] (expected path, name, schedule, "
                        "exclude, cross_filesystems, max_depth, max_path, max_file_size, "
                        "max_item_time)"}});
  CHECK(j["errors"][1]["file"] == dir.path() + "/bad\\x0aname.yaml");
  CHECK(j["errors"][1]["code"] == "yaml-syntax");
  CHECK(j["errors"][1]["message"] == "YAML does not allow tabs for indentation; use spaces");
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0]["code"] == "no-roots");
  CHECK(j["warnings"][0]["severity"] == "warning");
  CHECK(j["warnings"][0]["line"] == 0);

  // Fixed: now its policy files are read, the missing one told at the config line that
  // names it, then the broken one's own problem.
  WriteFile(dir / "site.yaml", "roots:\n  - path: /srv\npolicies: [p.yaml, gone.yaml]\n");
  const auto k = nlohmann::json::parse(CheckJson(CheckFiles({dir / "site.yaml"}, std::nullopt)));
  REQUIRE(k["errors"].size() == 2);
  CHECK(k["errors"][0]["code"] == "missing-file");
  CHECK(k["errors"][0]["line"] == 3);
  CHECK(k["errors"][0]["message"] ==
        "policy file 'gone.yaml' not found (" + dir.path() + "/gone.yaml)");
  CHECK(k["errors"][1]["file"] == dir / "p.yaml");
  CHECK(k["errors"][1]["code"] == "bad-value");
  CHECK(CheckJson({}) == "{\"files\":[],\"errors\":[],\"warnings\":[]}\n");
}

TEST_CASE("check: custos(1) names every diagnostic code") {
  const std::string man =
      custos::test::ReadFile(custos::test::SourceDir() + "/packaging/man/custos.1");
  for (int c = 0; c <= static_cast<int>(custos::yaml::Code::kNoRoots); ++c) {
    std::string name(custos::yaml::CodeName(static_cast<custos::yaml::Code>(c)));
    INFO(name);
    size_t dash;
    while ((dash = name.find('-')) != std::string::npos && name[dash - 1] != '\\') {
      name.replace(dash, 1, "\\-");
    }
    CHECK(man.find("\n.B " + name + "\n") != std::string::npos);
  }
}
