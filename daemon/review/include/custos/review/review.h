// The review commands: `custos findings list|show|ack|except|note` and `custos report`,
// one implementation run in two places.
//
//   - `custos ... --db PATH` runs them in the CLI on the inventory it opens itself
//     (root, single-user setups), the decisions made by the invoking user;
//   - without --db, when custosd answers on its control socket, the CLI sends the
//     command's arguments (ToJson) and custosd runs them on its own inventory, the
//     decisions made by the Unix user at the other end of the socket; it sends back what
//     the command printed and its exit code, and the CLI prints that.
//
// So the output is the same either way, to the byte. A command never writes a file:
// `report -o FILE` is written by the CLI, as the user who asked. Arguments are the
// strings as typed; the commands check them (a request from the socket is not trusted
// more than a command line). Nothing printed holds a raw sensitive value.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "custos/base/status.h"
#include "custos/inventory/store.h"
#include "custos/report/report.h"

namespace custos::review {

// What a command printed and how it ended (the exit codes of the interface spec).
struct Output {
  int exit_code = 0;
  std::string out;  // for stdout
  std::string err;  // for stderr: lines "custos: message"

  // Adds "custos: message" to err and makes the exit code 2.
  void Error(const std::string& message);
};

inline constexpr int kExitError = 2;

// The arguments of `custos findings SUB` (SUB: list, show, ack, except, note).
struct FindingsArgs {
  std::string sub = "list";
  std::string now;                              // YYYY-MM-DD[THH:MM:SSZ]; empty: the present
  std::vector<std::string> statuses, policies;  // list
  std::string since, format = "table";
  // list: only these nodes' findings, and those under these roots (an absolute path or
  // a root's name as the report names it: ResolveRoots).
  std::vector<std::string> nodes, roots;
  bool all = false;
  std::string id, note, reason, until, text;  // show, ack, except, note
};

// The arguments of `custos report` (the defaults are the report's own).
struct ReportArgs {
  std::string since = "7d", format = "html", now;
  std::string title, expiring_days, weeks;  // empty: the report's defaults
  std::vector<std::string> nodes, roots;    // as FindingsArgs's
};

// "findings list", "findings ack", "report": the command a request is, as messages
// name it.
std::string CommandName(const FindingsArgs& a);
// True for list and show: they read; ack, except and note decide.
bool Reads(const FindingsArgs& a);

// Opens the inventory for one command; its message is shown after "inventory: ".
using StoreOpener = std::function<Result<std::unique_ptr<inventory::Store>>()>;

// Runs `custos findings SUB`; decisions are made by `by`. The store is opened only once
// the arguments are found good. `origin` names the configured roots (--root NAME).
Output RunFindings(const FindingsArgs& a, const StoreOpener& open, const inventory::Actor& by,
                   const report::ReportOptions::Origin& origin = {});
// Runs `custos report`; the rendered report is Output::out. `origin` names the host,
// site and roots in its header (the config of whoever runs it: custosd's own, or the
// CLI's --config).
Output RunReport(const ReportArgs& a, const StoreOpener& open,
                 const report::ReportOptions::Origin& origin = {});

// The absolute paths of --root values: a path as it is (trailing slashes dropped), a
// name as the report names its roots (report::KnownRoots: the configured ones of
// `origin`, the others after their last folder; on every node that has it).
// InvalidArgument for a name no root has, or a value that is neither.
Result<std::vector<std::string>> ResolveRoots(const std::vector<std::string>& roots,
                                              inventory::ReportReader& store,
                                              const report::ReportOptions::Origin& origin);
// Checks --node values (custos/base/host.h: IsNodeName); adds the error to `o`.
bool CheckNodes(const std::vector<std::string>& nodes, Output& o);

// The arguments as a control request carries them, and back. FromJson rejects unknown
// fields and values of the wrong type (InvalidArgument, a message for the client).
nlohmann::json ToJson(const FindingsArgs& a);
nlohmann::json ToJson(const ReportArgs& a);
Result<FindingsArgs> FindingsArgsFromJson(const nlohmann::json& j);
Result<ReportArgs> ReportArgsFromJson(const nlohmann::json& j);

// An Output as a control response ({"ok": true, "exit": N, "out": ..., "err": ...}) and
// back (nullopt when the response is not one).
nlohmann::json ToJson(const Output& o);
std::optional<Output> OutputFromJson(const nlohmann::json& j);

}  // namespace custos::review
