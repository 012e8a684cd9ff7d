// The `custos` command-line tool: subcommands over the pipeline libraries.
#pragma once

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

using Args = std::vector<std::string>;

int ScanCommand(const Args& args);
int ClassifyCommand(const Args& args);
int CheckConfigCommand(const Args& args);
int DetectorsCommand(const Args& args);
int FindingsCommand(const Args& args);
int ReportCommand(const Args& args);
// Talking to a running custosd (status.cc, scan_now.cc, reload.cc).
int StatusCommand(const Args& args);
int ScanNowCommand(const Args& args);
int ReloadCommand(const Args& args);

// Prints "custos: message" on stderr (message must hold no raw sensitive value).
void PrintError(const std::string& message);

// Shared by the subcommands (common.cc).
// Takes the value of option args[i] at args[i+1]; prints an error when missing.
std::optional<std::string> TakeValue(const Args& args, size_t& i);
// A positive count; prints an error naming `opt` when `v` is not one.
std::optional<size_t> ParseCount(const std::string& opt, const std::string& v);
// Loads policy files, printing every diagnostic. nullopt on error; null without files.
std::optional<std::shared_ptr<const policies::PolicySet>> LoadPolicies(
    const std::vector<std::string>& files);
// The detectors: the built-in ones plus the custom ones of the policies.
std::optional<std::shared_ptr<const detect::Engine>> MakeDetectors(
    const std::shared_ptr<const policies::PolicySet>& set);
// Opens `path` for writing (created with mode 0600); prints the problem and returns
// null when it cannot.
std::FILE* OpenOutput(const std::string& path);
// custos help [COMMAND] (help.cc), the usage on `to`, "custos VERSION" on stdout.
int HelpCommand(const Args& args);
void PrintUsage(std::FILE* to);
void PrintVersion();

}  // namespace custos::cli
