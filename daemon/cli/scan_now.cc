// `custos scan-now`: ask the running custosd to scan a root (or every root) now.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "cli.h"
#include "command_line.h"
#include "control_client.h"
#include "custos/base/escape.h"

namespace custos::cli {

namespace {

struct ScanNowArgs {
  std::string socket, timeout, root;
  bool wait = false;
};

int RunScanNow(const ScanNowArgs& a) {
  const std::string& socket = a.socket;
  const std::string& root = a.root;
  const bool wait = a.wait;
  double timeout = 0;
  if (!a.timeout.empty()) {
    char* end = nullptr;
    timeout = std::strtod(a.timeout.c_str(), &end);
    if (*end != '\0' || !(timeout >= 0)) {
      PrintError("option --timeout: '" + EscapeBytes(a.timeout, true) +
                 "' is not a number of seconds");
      return kExitError;
    }
  }
  json request = {{"cmd", "scan-now"}};
  if (!root.empty()) request["root"] = root;
  auto r = Call(socket, request);
  if (!r) return kExitError;
  for (const json& run : (*r)["runs"]) {
    std::printf("%s: %s\n", Str(run, "root").c_str(), Str(run, "state").c_str());
  }
  if (!wait) return kExitClean;

  // Poll until every root has a run later than the one it had when asked.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout * 1000));
  int rc = kExitClean;
  for (const json& run : (*r)["runs"]) {
    const std::string name = run.value("root", "");
    const uint64_t after = Num(run, "after_run");
    for (;;) {
      auto s = Call(socket, {{"cmd", "status"}});
      if (!s) return kExitError;
      const json* found = nullptr;
      for (const json& x : (*s)["roots"]) {
        if (x.value("name", "") == name) found = &x;
      }
      if (!found) {
        PrintError("root " + EscapeBytes(name, true) + " is no longer configured");
        return kExitError;
      }
      const json& last = (*found)["last_run"];
      if (last.is_object() && Num(last, "run") > after) {
        const std::string result = Str(last, "result");
        std::printf("%s: run %llu %s: %llu items, %llu violations\n",
                    EscapeBytes(name, true).c_str(),
                    static_cast<unsigned long long>(Num(last, "run")), result.c_str(),
                    static_cast<unsigned long long>(Num(last, "items")),
                    static_cast<unsigned long long>(Num(last, "violations")));
        if (result != "completed") {
          rc = kExitError;
        } else if (Num(last, "violations") > 0 && rc == kExitClean) {
          rc = kExitViolations;
        }
        break;
      }
      if ((*s).value("stopping", false)) {
        PrintError("custosd is stopping");
        return kExitError;
      }
      if (timeout > 0 && std::chrono::steady_clock::now() > deadline) {
        PrintError("timed out waiting for root " + EscapeBytes(name, true));
        return kExitError;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  return rc;
}

}  // namespace

void AddScanNow(CommandLine& cl) {
  auto a = std::make_shared<ScanNowArgs>();
  CLI::App* app = cl.Add(nullptr, "scan-now",
                         "ask the running custosd to scan ROOT now, even outside the scan "
                         "windows",
                         [a] { return RunScanNow(*a); });
  AddSocketOption(cl, app, &a->socket);
  cl.Flag(app, "--wait", &a->wait,
          "wait for the run(s) to end; exit 0 no violation, 1 violations, 2 error");
  cl.Value(app, "--timeout", &a->timeout, "SECONDS", "with --wait: give up after SECONDS",
           "wait as long as it takes");
  cl.Positional(app, "ROOT", &a->root, "a root's name or path (default: every root)", false);
}

}  // namespace custos::cli
