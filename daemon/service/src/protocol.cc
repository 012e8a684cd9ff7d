#include "custos/service/protocol.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "custos/base/escape.h"
#include "custos/base/fd.h"

namespace custos::service {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxResponseBytes = 64 << 20;

std::optional<std::string> StringField(const json& j, const char* key, std::string* error) {
  auto it = j.find(key);
  if (it == j.end()) return std::string();
  if (!it->is_string()) {
    *error = std::string("bad request: '") + key + "' must be a string";
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace

bool IsReviewCommand(std::string_view cmd) {
  static constexpr const char* kReview[] = {"findings list",   "findings show", "findings ack",
                                            "findings except", "findings note", "report"};
  for (const char* c : kReview) {
    if (cmd == c) return true;
  }
  return false;
}

Result<Request> ParseRequest(std::string_view line) {
  const json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Invalid("bad request: not a JSON object");
  Request r;
  std::string error;
  auto cmd = j.find("cmd");
  if (cmd == j.end() || !cmd->is_string()) {
    return Status::Invalid("bad request: 'cmd' (a string) is missing");
  }
  r.cmd = cmd->get<std::string>();
  static constexpr const char* kCommands[] = {"status", "scan-now", "reload", "findings"};
  bool known = IsReviewCommand(r.cmd);
  for (const char* c : kCommands) known = known || r.cmd == c;
  if (!known) {
    return Status::Invalid("unknown command '" + EscapeBytes(r.cmd, true) +
                           "' (expected status, scan-now, reload, findings, findings list|show|"
                           "ack|except|note, report)");
  }
  for (const auto& [key, value] : j.items()) {
    const bool allowed =
        key == "cmd" || (r.cmd == "scan-now" && key == "root") ||
        (r.cmd == "findings" && (key == "policy" || key == "severity" || key == "limit")) ||
        (IsReviewCommand(r.cmd) && key == "args");
    if (!allowed) {
      return Status::Invalid("bad request: unknown field '" + EscapeBytes(key, true) + "' for " +
                             r.cmd);
    }
  }
  auto root = StringField(j, "root", &error);
  auto policy = StringField(j, "policy", &error);
  auto severity = StringField(j, "severity", &error);
  if (!root || !policy || !severity) return Status::Invalid(error);
  r.root = *root;
  r.policy = *policy;
  r.severity = *severity;
  if (auto it = j.find("limit"); it != j.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() == 0 || it->get<uint64_t>() > 10000) {
      return Status::Invalid("bad request: 'limit' must be a number 1-10000");
    }
    r.limit = it->get<size_t>();
  }
  if (auto it = j.find("args"); it != j.end()) {
    if (!it->is_object()) return Status::Invalid("bad request: 'args' must be an object");
    r.args = *it;
  }
  return r;
}

std::string ErrorResponse(std::string_view message) {
  json j = {{"ok", false}, {"error", EscapeBytes(message, true)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<nlohmann::json> CallDaemon(const std::string& socket_path, const nlohmann::json& request,
                                  double timeout_seconds) {
  const std::string shown = EscapeBytes(socket_path, true);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(timeout_seconds));
  auto remaining_ms = [&] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    return Status::Invalid(shown + ": socket path too long");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::FromErrno("socket", errno);
  if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    std::string hint;
    if (err == ENOENT || err == ECONNREFUSED) hint = " (is custosd running?)";
    if (err == EACCES) hint = " (members of the socket's group, usually 'custos', may connect)";
    // No daemon there is kNotFound: a review command then opens the inventory itself.
    const StatusCode code = err == EACCES                            ? StatusCode::kPermissionDenied
                            : (err == ENOENT || err == ECONNREFUSED) ? StatusCode::kNotFound
                                                                     : StatusCode::kIoError;
    return Status(code, shown + ": " + std::strerror(err) + hint);
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
  const std::string out = request.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  size_t sent = 0;
  Status send_error;
  while (sent < out.size()) {
    const ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      // The daemon hung up before reading: it may have said why (refused peer, too
      // many connections). Read that rather than report a broken pipe.
      send_error = Status::FromErrno(shown + ": sending the request", errno);
      break;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Status::FromErrno(shown + ": sending the request", errno);
    }
    struct pollfd p = {fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms()) <= 0 && remaining_ms() == 0) {
      return Status::Io(shown + ": timed out sending the request");
    }
  }
  std::string in;
  for (;;) {
    const size_t nl = in.find('\n');
    if (nl != std::string::npos) {
      in.resize(nl);
      break;
    }
    if (in.size() > kMaxResponseBytes) return Status::Io(shown + ": response too large");
    struct pollfd p = {fd.get(), POLLIN, 0};
    const int ms = remaining_ms();
    if (ms == 0) return Status::Io(shown + ": timed out waiting for custosd");
    const int pr = ::poll(&p, 1, ms);
    if (pr < 0 && errno != EINTR) return Status::FromErrno("poll", errno);
    if (pr <= 0) continue;
    char buf[65536];
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n == 0) {
      if (in.empty()) {
        if (!send_error.ok()) return send_error;
        return Status::Io(shown + ": custosd closed the connection");
      }
      break;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      if (!send_error.ok()) return send_error;
      return Status::FromErrno(shown + ": reading the response", errno);
    }
    in.append(buf, static_cast<size_t>(n));
  }
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ok")) {
    return Status::Io(shown + ": malformed response from custosd");
  }
  return j;
}

}  // namespace custos::service
