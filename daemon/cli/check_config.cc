// `custos check-config`: validate custosd configs and policy files (the checks and their
// JSON are custos_config's: custos/config/check.h).
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "command_line.h"
#include "custos/base/escape.h"
#include "custos/config/check.h"

namespace custos::cli {

namespace {

struct CheckConfigArgs {
  std::vector<std::string> files;
  std::string kind;
  std::string format = "text";
};

int RunCheckConfig(const CheckConfigArgs& a) {
  const std::vector<std::string>& files = a.files;
  std::optional<config::FileKind> forced;
  if (!a.kind.empty()) {
    forced = a.kind == "daemon" ? config::FileKind::kDaemonConfig : config::FileKind::kPolicyFile;
  }
  if (files.empty()) {
    PrintError("check-config: no file given");
    return kExitError;
  }
  const bool json = a.format == "json";
  const std::vector<config::FileCheck> checks = config::CheckFiles(files, forced);
  int rc = kExitClean;
  for (const config::FileCheck& check : checks) {
    if (!check.ok()) rc = kExitError;
    if (json) continue;
    if (check.ok()) {
      std::printf("%s: ok (%s)\n", EscapeBytes(check.file, true).c_str(), check.Summary().c_str());
    }
    for (const auto& d : check.diagnostics) {
      std::fprintf(stderr, "%s\n", EscapeBytes(d.ToString(), true).c_str());
    }
  }
  if (json) std::fputs(config::CheckJson(checks).c_str(), stdout);
  return rc;
}

}  // namespace

void AddCheckConfig(CommandLine& cl) {
  auto a = std::make_shared<CheckConfigArgs>();
  CLI::App* app = cl.Add(nullptr, "check-config",
                         "validate custosd configs (custos.yaml, with the policy files they "
                         "name) and policy files",
                         [a] { return RunCheckConfig(*a); });
  cl.Choice(app, "--kind", &a->kind, {"daemon", "policy"}, "check every FILE as that kind",
            "told by its keys");
  cl.Choice(app, "--format", &a->format, {"text", "json"},
            "text: summaries on stdout, problems on stderr; json: one document of files, "
            "errors and warnings with stable codes, on stdout");
  cl.Rest(app, "FILE", &a->files, "files to check", true);
  app->footer(
      "The kind of a file is told by its top-level keys (roots, inventory, control, "
      "metrics, ...: a daemon config; detectors, legal_holds: a policy file; policies: "
      "either); a file whose keys do not tell is a policy file unless it is named "
      "custos.yaml. A valid file gets one summary line on stdout; problems are printed as "
      "FILE:LINE:COL: message on stderr, and the exit code is 2 (warnings do not count). "
      "The codes of --format json are listed in custos(1).");
}

}  // namespace custos::cli
