// Talking to a running custosd over its control socket (see custos/service/protocol.h):
// what `custos status`, `custos scan-now` and `custos reload` share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli.h"
#include "command_line.h"
#include "custos/service/protocol.h"

namespace custos::cli {

using json = nlohmann::json;

// --socket PATH, the control socket: $CUSTOS_SOCKET, else /run/custos/custos.sock.
void AddSocketOption(CommandLine& cl, CLI::App* app, std::string* socket);
// Sends `request`; prints the error and returns nullopt on failure or "ok": false.
std::optional<json> Call(const std::string& socket, const json& request);
// A string field, escaped for the terminal ("-" when missing).
std::string Str(const json& j, const char* key);
// A number field (0 when missing).
uint64_t Num(const json& j, const char* key);

}  // namespace custos::cli
