// `custos status`: ask the running custosd about its scans, runs and inventory.
#include <cstdio>
#include <string>

#include "cli.h"
#include "command_line.h"
#include "control_client.h"
#include "custos/base/escape.h"
#include "custos/scan/scan.h"

namespace custos::cli {
namespace {

void PrintStatus(const json& s) {
  std::printf("custosd %s, pid %llu, up since %s\n", Str(s, "version").c_str(),
              static_cast<unsigned long long>(Num(s, "pid")), Str(s, "started").c_str());
  const json& pol = s["policies"];
  std::printf("config %s; %llu policies", Str(s, "config").c_str(),
              static_cast<unsigned long long>(Num(pol, "count")));
  if (s.contains("reload") && !Str(s["reload"], "error").empty() &&
      Str(s["reload"], "error") != "-") {
    std::printf(" (last reload FAILED: %s)", Str(s["reload"], "error").c_str());
  }
  std::printf("\n");
  if (s["metrics"].is_string())
    std::printf("metrics http://%s/metrics\n", Str(s, "metrics").c_str());
  const json& inv = s["inventory"];
  if (!inv.value("available", true)) {
    std::printf("inventory (%s): UNAVAILABLE since %s: %s\n", Str(inv, "store").c_str(),
                Str(inv, "since").c_str(), Str(inv, "error").c_str());
    std::printf("  runs wait for it; next attempt %s (%llu failed so far)\n",
                Str(inv, "next_retry").c_str(),
                static_cast<unsigned long long>(Num(inv, "failed_attempts")));
  } else {
    std::printf("inventory (%s): %llu items, %s, %llu open findings\n", Str(inv, "store").c_str(),
                static_cast<unsigned long long>(Num(inv, "items")),
                scan::HumanBytes(Num(inv, "bytes")).c_str(),
                static_cast<unsigned long long>(Num(inv, "findings")));
  }
  if (inv.contains("findings_by_policy")) {
    for (const json& f : inv["findings_by_policy"]) {
      std::printf("  %-28s %-9s %llu\n", Str(f, "policy").c_str(), Str(f, "severity").c_str(),
                  static_cast<unsigned long long>(Num(f, "count")));
    }
  }
  if (s.value("stopping", false)) std::printf("stopping\n");
  if (!s.value("window_open", true)) std::printf("outside the scan windows\n");
  for (const json& r : s["roots"]) {
    std::printf("\nroot %s  %s\n", Str(r, "name").c_str(), Str(r, "path").c_str());
    std::printf("  schedule  %s, next run %s\n", Str(r, "schedule").c_str(),
                Str(r, "next_run").c_str());
    std::printf("  state     %s\n", Str(r, "state").c_str());
    if (r.contains("running")) {
      const json& run = r["running"];
      std::printf("  running   run %llu (%s) since %s: %llu items, %s, %llu violations%s\n",
                  static_cast<unsigned long long>(Num(run, "run")), Str(run, "trigger").c_str(),
                  Str(run, "started").c_str(), static_cast<unsigned long long>(Num(run, "items")),
                  scan::HumanBytes(Num(run, "bytes")).c_str(),
                  static_cast<unsigned long long>(Num(run, "violations")),
                  run.value("stopping", false) ? " (stopping)" : "");
    }
    const json& last = r["last_run"];
    if (last.is_object()) {
      std::printf(
          "  last run  run %llu (%s) %s %s: %llu items (%llu read, %llu unchanged), %s, %llu "
          "violations, %.1f s\n",
          static_cast<unsigned long long>(Num(last, "run")), Str(last, "trigger").c_str(),
          Str(last, "result").c_str(), Str(last, "finished").c_str(),
          static_cast<unsigned long long>(Num(last, "items")),
          static_cast<unsigned long long>(Num(last, "read")),
          static_cast<unsigned long long>(Num(last, "reused")),
          scan::HumanBytes(Num(last, "bytes")).c_str(),
          static_cast<unsigned long long>(Num(last, "violations")), last.value("seconds", 0.0));
      if (Str(last, "error") != "-" && !Str(last, "error").empty()) {
        std::printf("  error     %s\n", Str(last, "error").c_str());
      }
    } else {
      std::printf("  last run  never\n");
    }
  }
}

int RunStatus(const std::string& socket, bool as_json) {
  auto s = Call(socket, {{"cmd", "status"}});
  if (!s) return kExitError;
  if (as_json) {
    std::printf("%s\n", s->dump(2, ' ', false, json::error_handler_t::replace).c_str());
  } else {
    PrintStatus(*s);
  }
  return kExitClean;
}

}  // namespace

void AddStatus(CommandLine& cl) {
  auto socket = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  CLI::App* app =
      cl.Add(nullptr, "status",
             "ask the running custosd: scans with their progress, last and next runs of every "
             "root, the inventory and its open findings",
             [socket, as_json] { return RunStatus(*socket, *as_json); });
  AddSocketOption(cl, app, socket.get());
  cl.Flag(app, "--json", as_json.get(), "print the daemon's response as it is");
}

}  // namespace custos::cli
