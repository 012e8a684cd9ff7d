// custos: one-shot scans, classification and policy checks from the command line.
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.h"

namespace {

constexpr const char* kUsage =
    "usage: custos COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  scan [--policy FILE]... [--format jsonl|json|csv|table] [--all] [-o FILE] PATH...\n"
    "                         scan files and folders, print items with detections,\n"
    "                         violations or skip reasons (--all: every item)\n"
    "  classify FILE...       print type, category and content date of single files\n"
    "  check-config FILE...   validate policy files (FILE:LINE:COL: message, exit 2)\n"
    "  help COMMAND           options of a command\n"
    "\n"
    "exit codes: 0 no violation, 1 violations found, 2 error\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace custos::cli;
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitError;
  }
  const std::string cmd = argv[1];
  Args args(argv + 2, argv + argc);
  if (cmd == "scan") return ScanCommand(args);
  if (cmd == "classify") return ClassifyCommand(args);
  if (cmd == "check-config") return CheckConfigCommand(args);
  if (cmd == "help" && !args.empty()) {
    Args help = {"--help"};
    if (args[0] == "scan") return ScanCommand(help);
    if (args[0] == "classify") return ClassifyCommand(help);
    if (args[0] == "check-config") return CheckConfigCommand(help);
  }
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return kExitClean;
  }
  if (cmd == "--version") {
    std::puts("custos " CUSTOS_VERSION);
    return kExitClean;
  }
  PrintError("unknown command '" + cmd + "' (see custos --help)");
  return kExitError;
}
