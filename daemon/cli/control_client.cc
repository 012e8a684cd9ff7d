// Talking to a running custosd over its control socket.
#include "control_client.h"

#include <cstdlib>

#include "custos/base/escape.h"

namespace custos::cli {
namespace {

constexpr const char* kDefaultSocket = "/run/custos/custos.sock";
constexpr double kRequestTimeout = 30;
}  // namespace

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

}  // namespace custos::cli
