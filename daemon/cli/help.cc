// `custos help [COMMAND]`, `custos --help` and `custos --version`.
#include <cstdio>
#include <string>

#include "cli.h"

namespace custos::cli {
namespace {

constexpr const char* kUsage =
    "usage: custos COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  scan [--policy FILE]... [--format jsonl|json|csv|table] [--all] [-o FILE] PATH...\n"
    "                         scan files and folders, print items with detections,\n"
    "                         violations or skip reasons (--all: every item)\n"
    "  classify FILE...       print type, category and content date of single files\n"
    "  check-config FILE...   validate custosd configs and policy files\n"
    "                         (FILE:LINE:COL: message, exit 2)\n"
    "  detectors [--patterns] list the built-in detectors (or their RE2 patterns)\n"
    "  findings [list|show|ack|except|note] [--db PATH]\n"
    "                         review the inventory's findings\n"
    "  report [--db PATH] [--since 7d] [--format html|csv|json] [-o FILE]\n"
    "                         the weekly review report\n"
    "  status [--json]        ask the running custosd: scans, last and next runs, inventory\n"
    "  scan-now [--wait] [ROOT]\n"
    "                         ask custosd to scan ROOT (default: every root) now\n"
    "  reload                 ask custosd to reload its config and policies\n"
    "  help COMMAND           options of a command\n"
    "\n"
    "exit codes: 0 no violation, 1 violations found, 2 error\n";

}  // namespace

void PrintUsage(std::FILE* to) { std::fputs(kUsage, to); }

void PrintVersion() { std::puts("custos " CUSTOS_VERSION); }

int HelpCommand(const Args& args) {
  if (!args.empty()) {
    Args help = {"--help"};
    if (args[0] == "scan") return ScanCommand(help);
    if (args[0] == "classify") return ClassifyCommand(help);
    if (args[0] == "check-config") return CheckConfigCommand(help);
    if (args[0] == "findings") return FindingsCommand(help);
    if (args[0] == "report") return ReportCommand(help);
    if (args[0] == "status") return StatusCommand(help);
    if (args[0] == "scan-now") return ScanNowCommand(help);
  }
  PrintUsage(stdout);
  return kExitClean;
}

}  // namespace custos::cli
