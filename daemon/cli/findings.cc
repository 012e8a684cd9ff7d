// `custos findings`: review the inventory's findings (list, show, ack, except, note).
#include <pwd.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "command_line.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/inventory/store.h"
#include "custos/report/report.h"
#include "findings_output.h"

namespace custos::cli {
namespace {

// What the findings commands take (one of them runs).
struct FindingsArgs {
  std::string db = inventory::kDefaultDbPath, now;
  std::vector<std::string> statuses, policies;  // list
  std::string since, format = "table";
  bool all = false;
  std::string id, note, reason, until, text;  // show, ack, except, note
};

struct Common {
  std::string db;
  int64_t now = 0;
};

std::optional<Common> TakeCommon(const FindingsArgs& a) {
  auto now = ParseNow(a.now);
  if (!now) return std::nullopt;
  return Common{a.db, *now};
}

// The inventory at --db, in the role a subcommand needs (ReportReader to list and show,
// FindingReviewer to decide); null, the problem told, when it cannot be opened.
template <typename Role>
std::unique_ptr<Role> OpenForReview(const Common& c) {
  auto store = inventory::OpenSqliteStore(c.db, {.create = false, .durable = true});
  if (!store.ok()) {
    PrintError("inventory: " + EscapeBytes(store.status().message(), true));
    return nullptr;
  }
  return std::move(store.value());
}

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

std::optional<int64_t> ParseId(const std::string& s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), ::isdigit)) {
    PrintError("'" + EscapeBytes(s, true) + "' is not a finding id");
    return std::nullopt;
  }
  return std::stoll(s);
}

int List(const FindingsArgs& a) {
  auto common = TakeCommon(a);
  if (!common) return kExitError;
  const Common& c = *common;
  inventory::FindingQuery q;
  const std::string& format = a.format;
  for (const std::string& v : a.statuses) {
    auto s = inventory::ParseStatus(v);
    if (!s) {
      PrintError("--status: '" + EscapeBytes(v, true) +
                 "' (new, open, acknowledged, excepted, resolved)");
      return kExitError;
    }
    q.statuses.push_back(*s);
  }
  q.policies = a.policies;
  if (!a.since.empty()) {
    q.since = report::ParseSince(a.since, c.now);
    if (!q.since) {
      PrintError("--since: '" + EscapeBytes(a.since, true) + "' (7d, 2w, 1mo or YYYY-MM-DD)");
      return kExitError;
    }
  }
  if (q.statuses.empty() && !a.all) {
    q.statuses = {inventory::FindingStatus::kNew, inventory::FindingStatus::kOpen,
                  inventory::FindingStatus::kAcknowledged, inventory::FindingStatus::kExcepted};
  }
  q.with_detections = format != "table";
  auto store = OpenForReview<inventory::ReportReader>(c);
  if (!store) return kExitError;
  if (auto n = store->ExpireExceptions(c.now); !n.ok()) {
    PrintError("inventory: " + EscapeBytes(n.status().message(), true));
    return kExitError;
  }
  auto findings = store->ListFindings(q);
  if (!findings.ok()) {
    PrintError("inventory: " + EscapeBytes(findings.status().message(), true));
    return kExitError;
  }
  if (format == "table") {
    PrintTable(findings.value());
  } else if (format == "csv") {
    PrintCsv(findings.value());
  } else {
    std::printf("[");
    for (size_t i = 0; i < findings->size(); ++i) {
      std::printf("%s\n%s", i ? "," : "", FindingJson((*findings)[i]).c_str());
    }
    std::printf("%s]\n", findings->empty() ? "" : "\n");
  }
  return kExitClean;
}

int Show(const FindingsArgs& a) {
  auto common = TakeCommon(a);
  if (!common) return kExitError;
  const Common& c = *common;
  if (a.id.empty()) {
    PrintError("findings show: no finding id given");
    return kExitError;
  }
  const std::optional<int64_t> id = ParseId(a.id);
  if (!id) return kExitError;
  auto store = OpenForReview<inventory::ReportReader>(c);
  if (!store) return kExitError;
  inventory::FindingQuery q;
  q.id = id;
  q.with_detections = true;
  auto found = store->ListFindings(q);
  auto history = store->History(*id);
  if (!found.ok() || !history.ok()) {
    PrintError("inventory: " +
               EscapeBytes((found.ok() ? history.status() : found.status()).message(), true));
    return kExitError;
  }
  if (found->empty()) {
    PrintError("no finding " + std::to_string(*id));
    return kExitError;
  }
  const inventory::Finding& f = found->front();
  if (a.format == "json") {
    std::printf("%s\n", FindingWithHistoryJson(f, history.value()).c_str());
    return kExitClean;
  }
  std::printf("finding %lld\n", static_cast<long long>(f.id));
  std::printf("  status:     %s\n", std::string(inventory::StatusName(f.status)).c_str());
  std::printf("  policy:     %s (%s, %s)\n", f.policy.c_str(), f.kind.c_str(), f.severity.c_str());
  std::printf("  file:       %s%s\n", EscapeBytes(f.path, true).c_str(),
              f.item_deleted ? " (deleted)" : "");
  std::printf("  why:        %s\n", EscapeBytes(f.reason, true).c_str());
  if (!f.detections.empty())
    std::printf("  detected:   %s\n", DetectionsText(f.detections).c_str());
  std::printf("  first seen: %s\n  last seen:  %s\n", TimeOrNull(f.first_seen).c_str(),
              TimeOrNull(f.last_seen).c_str());
  if (f.exception_until) {
    std::printf("  exception:  until %s: %s\n", Date(f.exception_until).c_str(),
                EscapeBytes(f.exception_reason, true).c_str());
  }
  std::printf("  history:\n");
  for (const inventory::FindingEvent& e : history.value()) {
    std::string change = e.from ? std::string(inventory::StatusName(*e.from)) + " -> " : "";
    change += std::string(inventory::StatusName(e.to));
    // A person by name and uid; the system by its scan, or as "system" (an expiry).
    const std::string who = !e.by.IsSystem() ? "by " + ActorText(e.by)
                            : e.scan_id      ? "scan " + std::to_string(e.scan_id)
                                             : "system";
    std::printf("    %s  %-28s %s %s\n", TimeOrNull(e.at).c_str(), change.c_str(), who.c_str(),
                EscapeBytes(e.note, true).c_str());
  }
  return kExitClean;
}

// ack, except and note.
int Decide(const std::string& what, const FindingsArgs& a) {
  auto common = TakeCommon(a);
  if (!common) return kExitError;
  const Common& c = *common;
  if (a.id.empty()) {
    PrintError("findings " + what + ": no finding id given");
    return kExitError;
  }
  const std::optional<int64_t> id = ParseId(a.id);
  if (!id) return kExitError;
  const std::string& note = a.note;
  const std::string& reason = a.reason;
  std::optional<int64_t> until;
  if (!a.until.empty()) {
    until = a.until.size() == 10 ? ParseIso8601(a.until) : std::nullopt;
    if (!until) {
      PrintError("--until: '" + EscapeBytes(a.until, true) + "' is not a date YYYY-MM-DD");
      return kExitError;
    }
  }
  if (what == "except" && (reason.empty() || !until)) {
    PrintError("findings except: --reason TEXT and --until YYYY-MM-DD are required");
    return kExitError;
  }
  const std::string text = a.text.empty() ? note : a.text;
  auto store = OpenForReview<inventory::FindingReviewer>(c);
  if (!store) return kExitError;
  const inventory::Actor by = InvokingUser();
  Status s;
  if (what == "ack") {
    s = store->Acknowledge(*id, note, c.now, by);
  } else if (what == "except") {
    s = store->Except(*id, reason, *until, note, c.now, by);
  } else {
    s = store->AddNote(*id, text, c.now, by);
  }
  if (!s.ok()) {
    PrintError(EscapeBytes(s.message(), true));
    return kExitError;
  }
  if (what == "ack") {
    std::printf("finding %lld acknowledged\n", static_cast<long long>(*id));
  } else if (what == "except") {
    std::printf("finding %lld excepted until %s\n", static_cast<long long>(*id),
                Date(*until).c_str());
  } else {
    std::printf("note added to finding %lld\n", static_cast<long long>(*id));
  }
  return kExitClean;
}

}  // namespace

void AddFindings(CommandLine& cl) {
  auto a = std::make_shared<FindingsArgs>();
  CLI::App* group = cl.AddGroup("findings", "review the inventory's findings", "list");
  cl.Value(group, "--db", &a->db, "PATH", "the inventory");
  cl.Value(group, "--now", &a->now, "TIME", "act as of TIME (YYYY-MM-DD[THH:MM:SSZ])", "now");
  group->footer(
      "A finding is new when first seen, open once seen again, acknowledged or excepted by "
      "a reviewer, and resolved when the breach is gone (file fixed or deleted). An "
      "exception ends after its --until day; the finding then reopens. Decisions survive "
      "rescans. IDs are stable. Each decision is recorded with the name and uid of the "
      "user who made it.");

  CLI::App* list =
      cl.Add(group, "list", "the findings, as a table or for tools", [a] { return List(*a); });
  cl.Choices(list, "--status", &a->statuses,
             {"new", "open", "acknowledged", "excepted", "resolved"},
             "only findings in these states (or comma-separated); default: all but resolved");
  cl.Repeated(list, "--policy", &a->policies, "ID", "only this policy's findings");
  cl.Value(list, "--since", &a->since, "WHEN",
           "first seen, or changed status, since WHEN (7d, 2w, 1mo, YYYY-MM-DD)");
  cl.Choice(list, "--format", &a->format, {"table", "json", "csv"}, "output format");
  cl.Flag(list, "--all", &a->all, "resolved findings too");

  CLI::App* show = cl.Add(group, "show", "one finding with its detections and its history",
                          [a] { return Show(*a); });
  cl.Choice(show, "--format", &a->format, {"table", "json"},
            "output format (json: the finding with its history, each event's \"by\")");
  cl.Positional(show, "ID", &a->id, "the finding's id", true);

  CLI::App* ack =
      cl.Add(group, "ack", "acknowledge a finding: it stays so while the breach persists",
             [a] { return Decide("ack", *a); });
  cl.Value(ack, "--note", &a->note, "TEXT", "why, for the history");
  cl.Positional(ack, "ID", &a->id, "the finding's id", true);

  CLI::App* except =
      cl.Add(group, "except", "except a finding until the end of a day; it reopens after that",
             [a] { return Decide("except", *a); });
  cl.Value(except, "--reason", &a->reason, "TEXT", "why the breach is accepted (required)");
  cl.Value(except, "--until", &a->until, "YYYY-MM-DD", "the last day of the exception (required)");
  cl.Value(except, "--note", &a->note, "TEXT", "a note for the history");
  cl.Positional(except, "ID", &a->id, "the finding's id", true);

  CLI::App* note = cl.Add(group, "note", "add a note to a finding's history",
                          [a] { return Decide("note", *a); });
  cl.Value(note, "--note", &a->note, "TEXT", "the note, instead of TEXT");
  cl.Positional(note, "ID", &a->id, "the finding's id", true);
  cl.Positional(note, "TEXT", &a->text, "the note", false);
}

}  // namespace custos::cli
