// `custos findings`: review the inventory's findings (list, show, ack, except, note).
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/inventory/store.h"
#include "custos/report/report.h"

namespace custos::cli {
namespace {

constexpr const char* kFindingsHelp =
    "usage: custos findings [list] [--status S]... [--policy ID]... [--since 7d|DATE]\n"
    "                       [--format table|json|csv] [--db PATH]\n"
    "       custos findings show ID [--db PATH]\n"
    "       custos findings ack ID [--note TEXT] [--db PATH]\n"
    "       custos findings except ID --reason TEXT --until YYYY-MM-DD [--note TEXT] [--db PATH]\n"
    "       custos findings note ID TEXT [--db PATH]\n"
    "\n"
    "  --db PATH       the inventory (default /var/lib/custos/inventory.db)\n"
    "  --status S      new, open, acknowledged, excepted or resolved (repeatable, or\n"
    "                  comma-separated); default: all but resolved\n"
    "  --policy ID     only this policy's findings (repeatable)\n"
    "  --since WHEN    first seen, or changed status, since WHEN (7d, 2w, 1mo, YYYY-MM-DD)\n"
    "  --all           resolved findings too\n"
    "  --now TIME      act as of TIME (YYYY-MM-DD[THH:MM:SSZ]; default: now)\n"
    "\n"
    "A finding is new when first seen, open once seen again, acknowledged or excepted by\n"
    "a reviewer, and resolved when the breach is gone (file fixed or deleted). An\n"
    "exception ends after its --until day; the finding then reopens. Decisions survive\n"
    "rescans. IDs are stable.\n";

struct Common {
  std::string db = inventory::kDefaultDbPath;
  int64_t now = 0;
};

// Consumes the options every subcommand takes; returns false on error.
bool TakeCommon(const Args& args, size_t& i, Common* c, bool* taken) {
  *taken = false;
  if (args[i] == "--db" || args[i] == "--now") {
    *taken = true;
    if (i + 1 >= args.size()) {
      PrintError("option " + args[i] + " needs a value");
      return false;
    }
    const std::string& v = args[++i];
    if (args[i - 1] == "--db") {
      c->db = v;
      return true;
    }
    auto t = ParseIso8601(v);
    if (!t) {
      PrintError("--now: '" + EscapeBytes(v, true) + "' is not YYYY-MM-DD[THH:MM:SSZ]");
      return false;
    }
    c->now = *t;
  }
  return true;
}

std::unique_ptr<inventory::Store> OpenForReview(const Common& c) {
  auto store = inventory::OpenSqliteStore(c.db, {.create = false, .durable = true});
  if (!store.ok()) {
    PrintError("inventory: " + EscapeBytes(store.status().message(), true));
    return nullptr;
  }
  return std::move(store.value());
}

std::optional<int64_t> ParseId(const std::string& s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), ::isdigit)) {
    PrintError("'" + EscapeBytes(s, true) + "' is not a finding id");
    return std::nullopt;
  }
  return std::stoll(s);
}

std::string Date(int64_t t) { return t == 0 ? "-" : FormatIso8601(t).substr(0, 10); }
std::string TimeOrNull(int64_t t) { return t == 0 ? "" : FormatIso8601(t); }

std::string DetectionsText(const std::vector<Detection>& dets) {
  std::string s;
  for (const Detection& d : dets) {
    if (!s.empty()) s += "; ";
    s += d.detector + " x" + std::to_string(d.count);
    std::string m;
    for (const std::string& sample : d.masked) m += (m.empty() ? "" : ", ") + sample;
    if (!m.empty()) s += ": " + m;
  }
  return EscapeBytes(s, true);
}

void PrintTable(const std::vector<inventory::Finding>& findings) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back(
      {"ID", "STATUS", "SEVERITY", "POLICY", "KIND", "FIRST SEEN", "LAST SEEN", "PATH", "REASON"});
  for (const inventory::Finding& f : findings) {
    std::string path = EscapeBytes(f.path, true);
    if (f.item_deleted) path += " (deleted)";
    rows.push_back({std::to_string(f.id), std::string(inventory::StatusName(f.status)), f.severity,
                    f.policy, f.kind, Date(f.first_seen), Date(f.last_seen), path,
                    EscapeBytes(f.reason, true)});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c + 1 < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  if (findings.empty()) std::printf("(no findings)\n");
}

void AppendField(std::string& out, const char* key, const std::string& raw, bool first = false) {
  if (!first) out += ", ";
  AppendJsonString(out, key);
  out += ": ";
  AppendJsonString(out, EscapeBytes(raw, false));
}

void AppendNullable(std::string& out, const char* key, const std::string& raw) {
  if (raw.empty()) {
    out += ", ";
    AppendJsonString(out, key);
    out += ": null";
  } else {
    AppendField(out, key, raw);
  }
}

std::string FindingJson(const inventory::Finding& f) {
  std::string o = "{\"id\": " + std::to_string(f.id);
  AppendField(o, "status", std::string(inventory::StatusName(f.status)));
  AppendField(o, "severity", f.severity);
  AppendField(o, "policy", f.policy);
  AppendField(o, "kind", f.kind);
  AppendField(o, "path", f.path);
  o += std::string(", \"item_deleted\": ") + (f.item_deleted ? "true" : "false");
  AppendField(o, "reason", f.reason);
  AppendField(o, "first_seen", TimeOrNull(f.first_seen));
  AppendField(o, "last_seen", TimeOrNull(f.last_seen));
  AppendField(o, "status_changed", TimeOrNull(f.status_changed));
  AppendNullable(o, "resolved_at", TimeOrNull(f.resolved_at));
  AppendNullable(o, "exception_reason", f.exception_reason);
  AppendNullable(o, "exception_until", f.exception_until ? Date(f.exception_until) : "");
  AppendNullable(o, "notes", f.notes);
  o += ", \"detections\": [";
  for (size_t i = 0; i < f.detections.size(); ++i) {
    const Detection& d = f.detections[i];
    o += i ? ", {" : "{";
    AppendField(o, "detector", d.detector, true);
    o += ", \"count\": " + std::to_string(d.count) + ", \"masked\": [";
    for (size_t k = 0; k < d.masked.size(); ++k) {
      if (k) o += ", ";
      AppendJsonString(o, EscapeBytes(d.masked[k], false));
    }
    o += "]}";
  }
  o += "]}";
  return o;
}

void PrintCsv(const std::vector<inventory::Finding>& findings) {
  std::printf(
      "id,status,severity,policy,kind,path,item_deleted,reason,detections,first_seen,last_seen,"
      "resolved_at,exception_reason,exception_until,notes\r\n");
  for (const inventory::Finding& f : findings) {
    std::vector<std::string> cells = {std::to_string(f.id),
                                      std::string(inventory::StatusName(f.status)),
                                      f.severity,
                                      f.policy,
                                      f.kind,
                                      EscapeBytes(f.path, true),
                                      f.item_deleted ? "true" : "false",
                                      EscapeBytes(f.reason, true),
                                      DetectionsText(f.detections),
                                      TimeOrNull(f.first_seen),
                                      TimeOrNull(f.last_seen),
                                      TimeOrNull(f.resolved_at),
                                      EscapeBytes(f.exception_reason, true),
                                      f.exception_until ? Date(f.exception_until) : "",
                                      EscapeBytes(f.notes, true)};
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + CsvField(cells[i]);
    std::printf("%s\r\n", line.c_str());
  }
}

int List(const Args& args) {
  Common c;
  inventory::FindingQuery q;
  std::string format = "table";
  std::optional<std::string> since;
  bool all = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool taken = false;
    if (!TakeCommon(args, i, &c, &taken)) return kExitError;
    if (taken) continue;
    const std::string& a = args[i];
    if (a == "--all") {
      all = true;
      continue;
    }
    if (a != "--status" && a != "--policy" && a != "--since" && a != "--format") {
      PrintError("findings list: unknown argument '" + EscapeBytes(a, true) + "'");
      return kExitError;
    }
    if (i + 1 >= args.size()) {
      PrintError("option " + a + " needs a value");
      return kExitError;
    }
    const std::string v = args[++i];
    if (a == "--status") {
      size_t start = 0;
      while (start <= v.size()) {
        const size_t comma = std::min(v.find(',', start), v.size());
        auto s = inventory::ParseStatus(std::string_view(v).substr(start, comma - start));
        if (!s) {
          PrintError("--status: '" + EscapeBytes(v, true) +
                     "' (new, open, acknowledged, excepted, resolved)");
          return kExitError;
        }
        q.statuses.push_back(*s);
        start = comma + 1;
      }
    } else if (a == "--policy") {
      q.policies.push_back(v);
    } else if (a == "--format") {
      if (v != "table" && v != "json" && v != "csv") {
        PrintError("--format: '" + EscapeBytes(v, true) + "' (table, json or csv)");
        return kExitError;
      }
      format = v;
    } else {
      since = v;  // resolved below, once --now is known
    }
  }
  if (c.now == 0) c.now = NowUnix();
  if (since) {
    q.since = report::ParseSince(*since, c.now);
    if (!q.since) {
      PrintError("--since: '" + EscapeBytes(*since, true) + "' (7d, 2w, 1mo or YYYY-MM-DD)");
      return kExitError;
    }
  }
  if (q.statuses.empty() && !all) {
    q.statuses = {inventory::FindingStatus::kNew, inventory::FindingStatus::kOpen,
                  inventory::FindingStatus::kAcknowledged, inventory::FindingStatus::kExcepted};
  }
  q.with_detections = format != "table";
  auto store = OpenForReview(c);
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

int Show(const Args& args) {
  Common c;
  std::optional<int64_t> id;
  for (size_t i = 0; i < args.size(); ++i) {
    bool taken = false;
    if (!TakeCommon(args, i, &c, &taken)) return kExitError;
    if (taken) continue;
    if (id) {
      PrintError("findings show: unexpected '" + EscapeBytes(args[i], true) + "'");
      return kExitError;
    }
    if (!(id = ParseId(args[i]))) return kExitError;
  }
  if (!id) {
    PrintError("findings show: no finding id given");
    return kExitError;
  }
  auto store = OpenForReview(c);
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
    std::printf("    %s  %-28s %s%s\n", TimeOrNull(e.at).c_str(), change.c_str(),
                e.scan_id ? ("scan " + std::to_string(e.scan_id) + " ").c_str() : "reviewer ",
                EscapeBytes(e.note, true).c_str());
  }
  return kExitClean;
}

// ack, except and note.
int Decide(const std::string& what, const Args& args) {
  Common c;
  std::optional<int64_t> id;
  std::string note, reason, text;
  std::optional<int64_t> until;
  for (size_t i = 0; i < args.size(); ++i) {
    bool taken = false;
    if (!TakeCommon(args, i, &c, &taken)) return kExitError;
    if (taken) continue;
    const std::string& a = args[i];
    if (a == "--note" || a == "--reason" || a == "--until") {
      if (i + 1 >= args.size()) {
        PrintError("option " + a + " needs a value");
        return kExitError;
      }
      const std::string& v = args[++i];
      if (a == "--note") {
        note = v;
      } else if (a == "--reason") {
        reason = v;
      } else {
        until = v.size() == 10 ? ParseIso8601(v) : std::nullopt;
        if (!until) {
          PrintError("--until: '" + EscapeBytes(v, true) + "' is not a date YYYY-MM-DD");
          return kExitError;
        }
      }
    } else if (!id) {
      if (!(id = ParseId(a))) return kExitError;
    } else if (what == "note" && text.empty()) {
      text = a;
    } else {
      PrintError("findings " + what + ": unexpected '" + EscapeBytes(a, true) + "'");
      return kExitError;
    }
  }
  if (!id) {
    PrintError("findings " + what + ": no finding id given");
    return kExitError;
  }
  if (what == "except" && (reason.empty() || !until)) {
    PrintError("findings except: --reason TEXT and --until YYYY-MM-DD are required");
    return kExitError;
  }
  if (what == "note" && text.empty()) text = note;
  if (c.now == 0) c.now = NowUnix();
  auto store = OpenForReview(c);
  if (!store) return kExitError;
  Status s;
  if (what == "ack") {
    s = store->Acknowledge(*id, note, c.now);
  } else if (what == "except") {
    s = store->Except(*id, reason, *until, note, c.now);
  } else {
    s = store->AddNote(*id, text, c.now);
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

int FindingsCommand(const Args& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    std::fputs(kFindingsHelp, stdout);
    return kExitClean;
  }
  if (args.empty() || args[0] == "list" || args[0].rfind("--", 0) == 0) {
    Args rest(args.begin() + (!args.empty() && args[0] == "list" ? 1 : 0), args.end());
    return List(rest);
  }
  const std::string sub = args[0];
  Args rest(args.begin() + 1, args.end());
  if (sub == "show") return Show(rest);
  if (sub == "ack" || sub == "except" || sub == "note") return Decide(sub, rest);
  PrintError("findings: unknown subcommand '" + EscapeBytes(sub, true) +
             "' (see custos help findings)");
  return kExitError;
}

}  // namespace custos::cli
