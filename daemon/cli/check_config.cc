// `custos check-config`: validate custosd configs and policy files.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/policies/policy.h"
#include "custos/config/config.h"
#include "custos/config/snapshot.h"

namespace custos::cli {

namespace {

constexpr const char* kCheckConfigHelp =
    "usage: custos check-config [--kind daemon|policy] FILE...\n"
    "  Validates custosd configs (custos.yaml; with the policy files they name) and\n"
    "  policy files. The kind is told by the top-level keys (roots, inventory, control,\n"
    "  metrics, ...: a daemon config; policies, detectors, legal_holds: a policy file);\n"
    "  a file whose keys do not tell is a policy file unless it is named custos.yaml.\n"
    "  --kind daemon|policy   check every FILE as that kind\n"
    "  Problems: FILE:LINE:COL: message on stderr, exit 2.\n";

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

void PrintDiagnostics(const std::vector<policies::Diagnostic>& diags, const Status& status) {
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", EscapeBytes(d.ToString(), true).c_str());
  if (diags.empty()) PrintError(EscapeBytes(status.message(), true));
}

}  // namespace

int CheckConfigCommand(const Args& args) {
  std::optional<config::FileKind> forced;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    std::optional<std::string> v;
    if (args[i] == "--help" || args[i] == "-h") {
      std::fputs(kCheckConfigHelp, stdout);
      return kExitClean;
    } else if (args[i] == "--kind") {
      if (!(v = TakeValue(args, i))) return kExitError;
      if (*v != "daemon" && *v != "policy") {
        PrintError("check-config: unknown kind '" + EscapeBytes(*v, true) + "' (daemon or policy)");
        return kExitError;
      }
      forced = *v == "daemon" ? config::FileKind::kDaemonConfig : config::FileKind::kPolicyFile;
    } else if (args[i] == "--") {
      files.insert(files.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    } else if (!args[i].empty() && args[i][0] == '-') {
      PrintError("check-config: unknown option '" + EscapeBytes(args[i], true) + "'");
      return kExitError;
    } else {
      files.push_back(args[i]);
    }
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
        PrintDiagnostics(diags, snapshot.status());
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
      PrintDiagnostics(diags, set.status());
      rc = kExitError;
      continue;
    }
    std::printf("%s: ok (policy file: %zu policies, %zu custom detectors)\n", shown.c_str(),
                set.value()->policy_count(), set.value()->custom_detectors().size());
  }
  return rc;
}

}  // namespace custos::cli
