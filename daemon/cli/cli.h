// The `custos` command-line tool: what its subcommands share. Each subcommand is a
// file of its own that adds itself to the command line's definition (command_line.h).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "custos/detect/detect.h"
#include "custos/policies/policy.h"

namespace custos::cli {

// Exit codes of the interface spec.
inline constexpr int kExitClean = 0;
inline constexpr int kExitViolations = 1;
inline constexpr int kExitError = 2;

// Prints "custos: message" on stderr (message must hold no raw sensitive value).
void PrintError(const std::string& message);

// Option values, checked with the messages users know (common.cc). Each prints the
// problem and returns nullopt on a bad value.
// A positive count.
std::optional<size_t> ParseCount(const std::string& opt, const std::string& v);
// --now: YYYY-MM-DD[THH:MM:SSZ]; empty means the present time.
std::optional<int64_t> ParseNow(const std::string& v);

// Loads policy files, printing every diagnostic. nullopt on error; null without files.
std::optional<std::shared_ptr<const policies::PolicySet>> LoadPolicies(
    const std::vector<std::string>& files);
// The detectors: the built-in ones plus the custom ones of the policies.
std::optional<std::shared_ptr<const detect::Engine>> MakeDetectors(
    const std::shared_ptr<const policies::PolicySet>& set);
// Opens `path` for writing (created with mode 0600); prints the problem and returns
// null when it cannot.
std::FILE* OpenOutput(const std::string& path);
// Prints a loader's diagnostics (FILE:LINE:COL: message) on stderr, or the status
// message when there are none.
void PrintDiagnostics(const std::vector<policies::Diagnostic>& diags, const std::string& status);

}  // namespace custos::cli
