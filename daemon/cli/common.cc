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
#include "custos/detect/detect.h"
#include "custos/policies/policy.h"

namespace custos::cli {

// Takes the value of option `name` at args[i+1]; prints an error when missing.
std::optional<std::string> TakeValue(const Args& args, size_t& i) {
  if (i + 1 >= args.size()) {
    PrintError("option " + args[i] + " needs a value");
    return std::nullopt;
  }
  return args[++i];
}

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
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", EscapeBytes(d.ToString(), true).c_str());
  if (!set.ok()) {
    if (diags.empty()) PrintError(set.status().message());
    return std::nullopt;
  }
  return set.value();
}

// The detectors: the built-in ones plus the custom ones of the policies.
std::optional<std::shared_ptr<const detect::Engine>> MakeDetectors(
    const std::shared_ptr<const policies::PolicySet>& set) {
  std::vector<detect::CustomDetectorSpec> custom;
  if (set) {
    for (const auto& d : set->custom_detectors()) {
      custom.push_back({d.id, d.pattern, d.context, d.validate});
    }
  }
  auto engine = detect::Engine::Create(custom);
  if (!engine.ok()) {
    PrintError(engine.status().message());
    return std::nullopt;
  }
  return engine.value();
}

std::FILE* OpenOutput(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    PrintError(EscapeBytes(path, true) + ": " + std::strerror(errno));
    return nullptr;
  }
  return ::fdopen(fd, "w");
}

void PrintError(const std::string& message) {
  std::fprintf(stderr, "custos: %s\n", message.c_str());
}

}  // namespace custos::cli
