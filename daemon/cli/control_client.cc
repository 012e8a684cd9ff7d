// Talking to a running custosd over its control socket.
#include "control_client.h"

#include <cstdio>
#include <cstdlib>

#include "custos/base/escape.h"
#include "custos/config/keys.h"
#include "custos/inventory/store.h"

namespace custos::cli {
namespace {

constexpr double kRequestTimeout = 30;
// A report of a large inventory takes a while to build.
constexpr double kReviewTimeout = 600;

std::string SocketFromEnv() {
  const char* env = std::getenv("CUSTOS_SOCKET");
  return env && *env ? env : "";
}

}  // namespace

std::string DefaultSocketPath() {
  const config::Key* key = config::FindKey("control.socket");
  return key ? std::string(key->default_value) : std::string();
}

CLI::Option* AddSocketOption(CommandLine& cl, CLI::App* app, std::string* socket) {
  *socket = SocketFromEnv();
  if (socket->empty()) *socket = DefaultSocketPath();
  return cl.Value(app, "--socket", socket, "PATH", "the control socket of custosd",
                  "$CUSTOS_SOCKET, else " + DefaultSocketPath());
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

void AddReviewTarget(CommandLine& cl, CLI::App* app, ReviewTarget* target) {
  target->db_option = cl.Value(app, "--db", &target->db, "PATH",
                               "the inventory file, opened directly (root, single-user setups); "
                               "without it the running custosd is asked");
  target->socket_option = AddSocketOption(cl, app, &target->socket);
}

std::optional<review::Output> RunReview(
    const ReviewTarget& target, const std::string& cmd, const json& args,
    const std::function<review::Output(const review::StoreOpener&)>& direct) {
  const bool db_given = target.db_option && target.db_option->count() > 0;
  const bool socket_given =
      (target.socket_option && target.socket_option->count() > 0) || !SocketFromEnv().empty();
  if (db_given && target.socket_option && target.socket_option->count() > 0) {
    PrintError(cmd + ": --db and --socket exclude each other (the file, or custosd)");
    return std::nullopt;
  }
  if (!db_given) {
    auto r = service::CallDaemon(target.socket, {{"cmd", cmd}, {"args", args}}, kReviewTimeout);
    // No daemon there: the inventory file, unless the socket was asked for.
    const bool absent = !r.ok() && r.status().code() == StatusCode::kNotFound;
    if (!r.ok() && (socket_given || !absent)) {
      PrintError(EscapeBytes(r.status().message(), true));
      return std::nullopt;
    }
    if (r.ok()) {
      if (!r->value("ok", false)) {
        const json& e = (*r)["error"];
        PrintError(e.is_string() ? e.get<std::string>() : std::string("custosd: error"));
        return std::nullopt;
      }
      auto o = review::OutputFromJson(*r);
      if (!o) {
        PrintError(EscapeBytes(target.socket, true) + ": malformed response from custosd");
        return std::nullopt;
      }
      return o;
    }
  }
  const std::string db = target.db;
  return direct([db]() -> Result<std::unique_ptr<inventory::Store>> {
    auto store = inventory::OpenStore(db, {.create = false, .durable = true});
    if (!store.ok()) return store.status();
    return std::unique_ptr<inventory::Store>(std::move(store.value()));
  });
}

int Emit(const review::Output& o) {
  std::fwrite(o.out.data(), 1, o.out.size(), stdout);
  std::fflush(stdout);
  std::fwrite(o.err.data(), 1, o.err.size(), stderr);
  return o.exit_code;
}

}  // namespace custos::cli
