// Talking to a running custosd over its control socket.
#include "control_client.h"

#include <cstdlib>

#include "custos/base/escape.h"

namespace custos::cli {
namespace {

constexpr const char* kDefaultSocket = "/run/custos/custos.sock";
constexpr double kRequestTimeout = 30;

std::string DefaultSocket() {
  const char* env = std::getenv("CUSTOS_SOCKET");
  return env && *env ? env : kDefaultSocket;
}

}  // namespace

void AddSocketOption(CommandLine& cl, CLI::App* app, std::string* socket) {
  *socket = DefaultSocket();
  cl.Value(app, "--socket", socket, "PATH", "the control socket of custosd",
           std::string("$CUSTOS_SOCKET, else ") + kDefaultSocket);
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
