// `custos status`, `custos scan-now` and `custos reload`: ask a running custosd over
// its control socket (see custos/service/protocol.h).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/scan/scan.h"
#include "custos/service/protocol.h"

namespace custos::cli {
namespace {

using json = nlohmann::json;

constexpr const char* kDefaultSocket = "/run/custos/custos.sock";
constexpr double kRequestTimeout = 30;

std::string DefaultSocket() {
  const char* env = std::getenv("CUSTOS_SOCKET");
  return env && *env ? env : kDefaultSocket;
}

// Common options: --socket PATH. Returns false (after printing) on a bad argument;
// other arguments are left in `rest`.
bool ParseCommon(const Args& args, std::string* socket, Args* rest) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--socket") {
      if (i + 1 >= args.size()) {
        PrintError("option --socket needs a value");
        return false;
      }
      *socket = args[++i];
    } else if (args[i].rfind("--socket=", 0) == 0) {
      *socket = args[i].substr(9);
    } else {
      rest->push_back(args[i]);
    }
  }
  return true;
}

// Sends `request`; prints the error and returns nullopt on failure or "ok": false.
std::optional<json> Call(const std::string& socket, const json& request) {
  auto r = service::CallDaemon(socket, request, kRequestTimeout);
  if (!r.ok()) {
    PrintError(EscapeBytes(r.status().message(), true));
    return std::nullopt;
  }
  if (!r->value("ok", false)) {
    const json& e = (*r)["error"];
    PrintError("custosd: " + (e.is_string() ? e.get<std::string>() : std::string("error")));
    return std::nullopt;
  }
  return r.value();
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "-";
  return EscapeBytes(it->get<std::string>(), true);
}

uint64_t Num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<uint64_t>() : 0;
}

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
  std::printf("inventory (%s): %llu items, %s, %llu open findings\n", Str(inv, "store").c_str(),
              static_cast<unsigned long long>(Num(inv, "items")),
              scan::HumanBytes(Num(inv, "bytes")).c_str(),
              static_cast<unsigned long long>(Num(inv, "findings")));
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

}  // namespace

int StatusCommand(const Args& args) {
  std::string socket = DefaultSocket();
  Args rest;
  if (!ParseCommon(args, &socket, &rest)) return kExitError;
  bool as_json = false;
  for (const std::string& a : rest) {
    if (a == "--help" || a == "-h") {
      std::fputs("usage: custos status [--socket PATH] [--json]\n", stdout);
      return kExitClean;
    } else if (a == "--json") {
      as_json = true;
    } else {
      PrintError("status: unknown argument '" + EscapeBytes(a, true) + "'");
      return kExitError;
    }
  }
  auto s = Call(socket, {{"cmd", "status"}});
  if (!s) return kExitError;
  if (as_json) {
    std::printf("%s\n", s->dump(2, ' ', false, json::error_handler_t::replace).c_str());
  } else {
    PrintStatus(*s);
  }
  return kExitClean;
}

int ScanNowCommand(const Args& args) {
  std::string socket = DefaultSocket();
  Args rest;
  if (!ParseCommon(args, &socket, &rest)) return kExitError;
  bool wait = false;
  double timeout = 0;
  std::string root;
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    if (a == "--help" || a == "-h") {
      std::fputs(
          "usage: custos scan-now [--socket PATH] [--wait [--timeout SECONDS]] [ROOT]\n"
          "  queue a run of ROOT (a root's name or path; default: every root)\n"
          "  --wait     wait for the run(s) to end; exit 0 no violation, 1 violations, 2 error\n",
          stdout);
      return kExitClean;
    } else if (a == "--wait") {
      wait = true;
    } else if (a == "--timeout" && i + 1 < rest.size()) {
      timeout = std::atof(rest[++i].c_str());
    } else if (!a.empty() && a[0] == '-') {
      PrintError("scan-now: unknown option '" + EscapeBytes(a, true) + "'");
      return kExitError;
    } else if (root.empty()) {
      root = a;
    } else {
      PrintError("scan-now: one ROOT at most");
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

int ReloadCommand(const Args& args) {
  std::string socket = DefaultSocket();
  Args rest;
  if (!ParseCommon(args, &socket, &rest)) return kExitError;
  if (!rest.empty()) {
    const bool help = rest[0] == "--help" || rest[0] == "-h";
    std::fputs("usage: custos reload [--socket PATH]\n", help ? stdout : stderr);
    return help ? kExitClean : kExitError;
  }
  if (!Call(socket, {{"cmd", "reload"}})) return kExitError;
  std::printf("reloaded\n");
  return kExitClean;
}

}  // namespace custos::cli
