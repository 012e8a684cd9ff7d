// `custos findings`: review the inventory's findings (list, show, ack, except, note).
// The commands themselves are custos_review's (custos/review/review.h): run here on
// the inventory of --db, or by custosd for a request on its control socket.
#include <pwd.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "cli.h"
#include "command_line.h"
#include "control_client.h"
#include "custos/review/review.h"

namespace custos::cli {
namespace {

struct FindingsArgs {
  review::FindingsArgs args;
  ReviewTarget target;
};

// The person running this command: their login name (or "uid N" when the uid has no
// account) and uid.
inventory::Actor InvokingUser() {
  inventory::Actor by;
  by.uid = static_cast<int64_t>(::getuid());
  const struct passwd* pw = ::getpwuid(::getuid());
  by.name = pw != nullptr && pw->pw_name != nullptr && pw->pw_name[0] != '\0'
                ? std::string(pw->pw_name)
                : "uid " + std::to_string(by.uid);
  return by;
}

int Run(FindingsArgs& a, const char* sub) {
  a.args.sub = sub;
  const review::FindingsArgs& args = a.args;
  auto o = RunReview(a.target, review::CommandName(args), review::ToJson(args),
                     [&args](const review::StoreOpener& open) {
                       return review::RunFindings(args, open, InvokingUser());
                     });
  return o ? Emit(*o) : kExitError;
}

}  // namespace

void AddFindings(CommandLine& cl) {
  auto a = std::make_shared<FindingsArgs>();
  review::FindingsArgs& args = a->args;
  CLI::App* group = cl.AddGroup("findings", "review the inventory's findings", "list");
  AddReviewTarget(cl, group, &a->target);
  cl.Value(group, "--now", &args.now, "TIME",
           "act as of TIME (YYYY-MM-DD[THH:MM:SSZ]; with --db only)", "now");
  group->footer(
      "A finding is new when first seen, open once seen again, acknowledged or excepted by "
      "a reviewer, and resolved when the breach is gone (file fixed or deleted). An "
      "exception ends after its --until day; the finding then reopens. Decisions survive "
      "rescans. IDs are stable. Each decision is recorded with the name and uid of the "
      "user who made it. Without --db the running custosd is asked (members of group "
      "custos-review may), and falls back to the inventory file when no custosd answers.");

  CLI::App* list = cl.Add(group, "list", "the findings, as a table or for tools",
                          [a] { return Run(*a, "list"); });
  cl.Choices(list, "--status", &args.statuses,
             {"new", "open", "acknowledged", "excepted", "resolved"},
             "only findings in these states (or comma-separated); default: all but resolved");
  cl.Repeated(list, "--policy", &args.policies, "ID", "only this policy's findings");
  cl.Value(list, "--since", &args.since, "WHEN",
           "first seen, or changed status, since WHEN (7d, 2w, 1mo, YYYY-MM-DD)");
  cl.Choice(list, "--format", &args.format, {"table", "json", "csv"}, "output format");
  cl.Flag(list, "--all", &args.all, "resolved findings too");
  cl.Repeated(list, "--node", &args.nodes, "NAME", "only this node's findings (a fleet inventory)");
  cl.Repeated(list, "--root", &args.roots, "PATH|NAME",
              "only findings of files under this root (an absolute path, or a root's name as "
              "the report names it)");

  CLI::App* show = cl.Add(group, "show", "one finding with its detections and its history",
                          [a] { return Run(*a, "show"); });
  cl.Choice(show, "--format", &args.format, {"table", "json"},
            "output format (json: the finding with its history, each event's \"by\")");
  cl.Positional(show, "ID", &args.id, "the finding's id", true);

  CLI::App* ack =
      cl.Add(group, "ack", "acknowledge a finding: it stays so while the breach persists",
             [a] { return Run(*a, "ack"); });
  cl.Value(ack, "--note", &args.note, "TEXT", "why, for the history");
  cl.Positional(ack, "ID", &args.id, "the finding's id", true);

  CLI::App* except =
      cl.Add(group, "except", "except a finding until the end of a day; it reopens after that",
             [a] { return Run(*a, "except"); });
  cl.Value(except, "--reason", &args.reason, "TEXT", "why the breach is accepted (required)");
  cl.Value(except, "--until", &args.until, "YYYY-MM-DD",
           "the last day of the exception (required)");
  cl.Value(except, "--note", &args.note, "TEXT", "a note for the history");
  cl.Positional(except, "ID", &args.id, "the finding's id", true);

  CLI::App* note =
      cl.Add(group, "note", "add a note to a finding's history", [a] { return Run(*a, "note"); });
  cl.Value(note, "--note", &args.note, "TEXT", "the note, instead of TEXT");
  cl.Positional(note, "ID", &args.id, "the finding's id", true);
  cl.Positional(note, "TEXT", &args.text, "the note", false);
}

}  // namespace custos::cli
