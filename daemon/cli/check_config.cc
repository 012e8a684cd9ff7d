// `custos check-config`: validate custosd configs and policy files.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "command_line.h"
#include "custos/base/escape.h"
#include "custos/config/config.h"
#include "custos/config/snapshot.h"
#include "custos/policies/policy.h"

namespace custos::cli {

namespace {

// Reads at most `max` bytes of `path`; nullopt when it cannot be read (the loader then
// says why).
std::optional<std::string> ReadSmallFile(const std::string& path, size_t max) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return std::nullopt;
  std::string text;
  char buf[65536];
  size_t n;
  while (text.size() <= max && (n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return std::nullopt;
  return text;
}

config::FileKind KindOf(const std::string& file) {
  auto text = ReadSmallFile(file, 1 << 20);
  const config::FileKind kind = text ? config::GuessFileKind(*text) : config::FileKind::kUnknown;
  if (kind != config::FileKind::kUnknown) return kind;
  const size_t slash = file.find_last_of('/');
  const std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  return base == "custos.yaml" || base == "custos.yml" ? config::FileKind::kDaemonConfig
                                                       : config::FileKind::kPolicyFile;
}

struct CheckConfigArgs {
  std::vector<std::string> files;
  std::string kind;
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
  int rc = kExitClean;
  for (const std::string& file : files) {
    std::vector<policies::Diagnostic> diags;
    const std::string shown = EscapeBytes(file, true);
    if (forced.value_or(KindOf(file)) == config::FileKind::kDaemonConfig) {
      auto snapshot = config::LoadSnapshot(file, &diags);
      if (!snapshot.ok()) {
        PrintDiagnostics(diags, snapshot.status().message());
        rc = kExitError;
        continue;
      }
      const config::Snapshot& snap = *snapshot.value();
      std::printf("%s: ok (daemon config: %zu roots, %zu policy files with %zu policies)\n",
                  shown.c_str(), snap.config->roots.size(), snap.config->policies.size(),
                  snap.policies ? snap.policies->policy_count() : 0);
      continue;
    }
    auto set = policies::PolicySet::LoadFiles({file}, &diags);
    if (!set.ok()) {
      PrintDiagnostics(diags, set.status().message());
      rc = kExitError;
      continue;
    }
    std::printf("%s: ok (policy file: %zu policies, %zu custom detectors)\n", shown.c_str(),
                set.value()->policy_count(), set.value()->custom_detectors().size());
  }
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
  cl.Rest(app, "FILE", &a->files, "files to check", true);
  app->footer(
      "The kind of a file is told by its top-level keys (roots, inventory, control, "
      "metrics, ...: a daemon config; detectors, legal_holds: a policy file; policies: "
      "either); a file whose keys do not tell is a policy file unless it is named "
      "custos.yaml. A valid file gets one summary line on stdout; problems are printed as "
      "FILE:LINE:COL: message on stderr, and the exit code is 2.");
}

}  // namespace custos::cli
