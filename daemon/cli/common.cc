// Helpers the subcommands share: errors, option values, policies, detectors, output files.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/detect/detect.h"
#include "custos/policies/policy.h"

namespace custos::cli {

std::optional<size_t> ParseCount(const std::string& opt, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n == 0 || v[0] == '-') {
    PrintError("option " + opt + ": '" + EscapeBytes(v, true) + "' is not a positive number");
    return std::nullopt;
  }
  return static_cast<size_t>(n);
}

// Loads policy files, printing every diagnostic. nullopt on error.
std::optional<std::shared_ptr<const policies::PolicySet>> LoadPolicies(
    const std::vector<std::string>& files) {
  if (files.empty()) return std::shared_ptr<const policies::PolicySet>();
  std::vector<policies::Diagnostic> diags;
  auto set = policies::PolicySet::LoadFiles(files, &diags);
  if (!set.ok()) {
    PrintDiagnostics(diags, set.status().message());
    return std::nullopt;
  }
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", EscapeBytes(d.ToString(), true).c_str());
  return set.value();
}

// The detectors: the built-in ones plus the custom ones of the policies.
std::optional<std::shared_ptr<const detect::Engine>> MakeDetectors(
    const std::shared_ptr<const policies::PolicySet>& set) {
  auto engine = detect::Engine::Create(set ? set->custom_detectors()
                                           : std::vector<policies::CustomDetector>());
  if (!engine.ok()) {
    PrintError(engine.status().message());
    return std::nullopt;
  }
  return engine.value();
}

std::optional<int64_t> ParseNow(const std::string& v) {
  if (v.empty()) return NowUnix();
  auto t = ParseIso8601(v);
  if (!t) PrintError("--now: '" + EscapeBytes(v, true) + "' is not YYYY-MM-DD[THH:MM:SSZ]");
  return t;
}

std::FILE* OpenOutput(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    PrintError(EscapeBytes(path, true) + ": " + std::strerror(errno));
    return nullptr;
  }
  return ::fdopen(fd, "w");
}

void PrintDiagnostics(const std::vector<policies::Diagnostic>& diags, const std::string& status) {
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", EscapeBytes(d.ToString(), true).c_str());
  if (diags.empty()) PrintError(EscapeBytes(status, true));
}

void PrintError(const std::string& message) {
  std::fprintf(stderr, "custos: %s\n", message.c_str());
}

}  // namespace custos::cli
