// Talking to a running custosd over its control socket (see custos/service/protocol.h):
// what `custos status`, `custos scan-now` and `custos reload` share, and the routing of
// the review commands (findings, report) to custosd or to an inventory file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli.h"
#include "command_line.h"
#include "custos/config/config.h"
#include "custos/review/review.h"
#include "custos/service/protocol.h"

namespace custos::cli {

using json = nlohmann::json;

// The control socket when neither --socket nor $CUSTOS_SOCKET says: the default of the
// config key control.socket (one definition, custos/config/keys.h).
std::string DefaultSocketPath();
// --socket PATH, the control socket: $CUSTOS_SOCKET, else DefaultSocketPath().
CLI::Option* AddSocketOption(CommandLine& cl, CLI::App* app, std::string* socket);
// Sends `request`; prints the error and returns nullopt on failure or "ok": false.
std::optional<json> Call(const std::string& socket, const json& request);
// A string field, escaped for the terminal ("-" when missing).
std::string Str(const json& j, const char* key);
// A number field (0 when missing).
uint64_t Num(const json& j, const char* key);

// Where a review command runs: the inventory file of --db, or custosd.
struct ReviewTarget {
  std::string db = config::DefaultInventoryPath();
  std::string socket;
  const CLI::Option* db_option = nullptr;
  const CLI::Option* socket_option = nullptr;
};
// --db PATH and --socket PATH of a review command.
void AddReviewTarget(CommandLine& cl, CLI::App* app, ReviewTarget* target);

// Runs review command `cmd` ("findings ack", "report"): with --db on that inventory
// (`direct`, given the opener of that file); without, through custosd when it answers
// on the socket (`args` sent as the request's arguments), else on the default
// inventory. nullopt after a problem already printed (exit 2).
std::optional<review::Output> RunReview(
    const ReviewTarget& target, const std::string& cmd, const json& args,
    const std::function<review::Output(const review::StoreOpener&)>& direct);
// Prints an Output (out on stdout, err on stderr) and returns its exit code.
int Emit(const review::Output& o);

}  // namespace custos::cli
