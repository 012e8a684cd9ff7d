// Talking to a running custosd over its control socket (see custos/service/protocol.h):
// what `custos status`, `custos scan-now` and `custos reload` share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli.h"
#include "custos/service/protocol.h"

namespace custos::cli {

using json = nlohmann::json;

// The control socket: $CUSTOS_SOCKET, else /run/custos/custos.sock.
std::string DefaultSocket();
// Common options: --socket PATH. Returns false (after printing) on a bad argument;
// other arguments are left in `rest`.
bool ParseCommon(const Args& args, std::string* socket, Args* rest);
// Sends `request`; prints the error and returns nullopt on failure or "ok": false.
std::optional<json> Call(const std::string& socket, const json& request);
// A string field, escaped for the terminal ("-" when missing).
std::string Str(const json& j, const char* key);
// A number field (0 when missing).
uint64_t Num(const json& j, const char* key);

}  // namespace custos::cli
