// custos: one-shot scans, classification and policy checks from the command line.
#include <cstdio>
#include <string>

#include "cli.h"

int main(int argc, char** argv) {
  using namespace custos::cli;
  if (argc < 2) {
    PrintUsage(stderr);
    return kExitError;
  }
  const std::string cmd = argv[1];
  Args args(argv + 2, argv + argc);
  if (cmd == "scan") return ScanCommand(args);
  if (cmd == "classify") return ClassifyCommand(args);
  if (cmd == "check-config") return CheckConfigCommand(args);
  if (cmd == "detectors") return DetectorsCommand(args);
  if (cmd == "findings") return FindingsCommand(args);
  if (cmd == "report") return ReportCommand(args);
  if (cmd == "status") return StatusCommand(args);
  if (cmd == "scan-now") return ScanNowCommand(args);
  if (cmd == "reload") return ReloadCommand(args);
  if (cmd == "help") return HelpCommand(args);
  if (cmd == "--help" || cmd == "-h") return HelpCommand({});
  if (cmd == "--version") {
    PrintVersion();
    return kExitClean;
  }
  PrintError("unknown command '" + cmd + "' (see custos --help)");
  return kExitError;
}
