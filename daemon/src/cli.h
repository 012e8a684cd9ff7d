// The `custos` command-line tool: subcommands over the pipeline libraries.
#pragma once

#include <string>
#include <vector>

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
// Talking to a running custosd (cmd_daemon.cc).
int StatusCommand(const Args& args);
int ScanNowCommand(const Args& args);
int ReloadCommand(const Args& args);

// Prints "custos: message" on stderr (message must hold no raw sensitive value).
void PrintError(const std::string& message);

}  // namespace custos::cli
