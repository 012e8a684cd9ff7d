// `custos findings`: review the inventory's findings (list, show, ack, except, note).
#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/report/report.h"
#include "custos/review/review.h"
#include "findings_output.h"

namespace custos::review {

void Output::Error(const std::string& message) {
  err += "custos: " + message + "\n";
  exit_code = kExitError;
}

std::string CommandName(const FindingsArgs& a) { return "findings " + a.sub; }

bool Reads(const FindingsArgs& a) { return a.sub == "list" || a.sub == "show"; }

namespace {

// printf into `out`.
__attribute__((format(printf, 2, 3))) void Append(std::string& out, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list copy;
  va_copy(copy, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n > 0) {
    const size_t at = out.size();
    out.resize(at + static_cast<size_t>(n) + 1);
    std::vsnprintf(out.data() + at, static_cast<size_t>(n) + 1, fmt, ap);
    out.resize(at + static_cast<size_t>(n));
  }
  va_end(ap);
}

// --now: YYYY-MM-DD[THH:MM:SSZ]; empty means the present time.
std::optional<int64_t> TakeNow(const std::string& v, Output& o) {
  if (v.empty()) return NowUnix();
  auto t = ParseIso8601(v);
  if (!t) o.Error("--now: '" + EscapeBytes(v, true) + "' is not YYYY-MM-DD[THH:MM:SSZ]");
  return t;
}

std::optional<int64_t> ParseId(const std::string& s, Output& o) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), ::isdigit)) {
    o.Error("'" + EscapeBytes(s, true) + "' is not a finding id");
    return std::nullopt;
  }
  return std::stoll(s);
}

// The inventory, or null with the problem told.
std::unique_ptr<inventory::Store> Open(const StoreOpener& open, Output& o) {
  auto store = open();
  if (!store.ok()) {
    o.Error("inventory: " + EscapeBytes(store.status().message(), true));
    return nullptr;
  }
  return std::move(store.value());
}

void List(const FindingsArgs& a, const StoreOpener& open,
          const report::ReportOptions::Origin& origin, Output& o) {
  const std::optional<int64_t> now = TakeNow(a.now, o);
  if (!now) return;
  inventory::FindingQuery q;
  const std::string& format = a.format;
  if (format != "table" && format != "json" && format != "csv") {
    return o.Error("--format: '" + EscapeBytes(format, true) + "' (table, json or csv)");
  }
  for (const std::string& v : a.statuses) {
    auto s = inventory::ParseStatus(v);
    if (!s) {
      return o.Error("--status: '" + EscapeBytes(v, true) +
                     "' (new, open, acknowledged, excepted, resolved)");
    }
    q.statuses.push_back(*s);
  }
  q.policies = a.policies;
  if (!a.since.empty()) {
    q.since = report::ParseSince(a.since, *now);
    if (!q.since) {
      return o.Error("--since: '" + EscapeBytes(a.since, true) + "' (7d, 2w, 1mo or YYYY-MM-DD)");
    }
  }
  if (q.statuses.empty() && !a.all) {
    q.statuses = {inventory::FindingStatus::kNew, inventory::FindingStatus::kOpen,
                  inventory::FindingStatus::kAcknowledged, inventory::FindingStatus::kExcepted};
  }
  q.with_detections = format != "table";
  if (!CheckNodes(a.nodes, o)) return;
  q.nodes = a.nodes;
  auto store = Open(open, o);
  if (!store) return;
  auto roots = ResolveRoots(a.roots, *store, origin);
  if (!roots.ok()) return o.Error(EscapeBytes(roots.status().message(), true));
  q.roots = std::move(roots.value());
  if (auto n = store->ExpireExceptions(*now); !n.ok()) {
    return o.Error("inventory: " + EscapeBytes(n.status().message(), true));
  }
  auto findings = store->ListFindings(q);
  if (!findings.ok()) {
    return o.Error("inventory: " + EscapeBytes(findings.status().message(), true));
  }
  if (format == "table") {
    o.out = TableText(findings.value());
  } else if (format == "csv") {
    o.out = CsvText(findings.value());
  } else {
    o.out = "[";
    for (size_t i = 0; i < findings->size(); ++i) {
      o.out += i ? ",\n" : "\n";
      o.out += FindingJson((*findings)[i]);
    }
    o.out += findings->empty() ? "]\n" : "\n]\n";
  }
}

void Show(const FindingsArgs& a, const StoreOpener& open, Output& o) {
  if (!TakeNow(a.now, o)) return;
  if (a.id.empty()) return o.Error("findings show: no finding id given");
  const std::optional<int64_t> id = ParseId(a.id, o);
  if (!id) return;
  if (a.format != "table" && a.format != "json") {
    return o.Error("--format: '" + EscapeBytes(a.format, true) + "' (table or json)");
  }
  auto store = Open(open, o);
  if (!store) return;
  inventory::FindingQuery q;
  q.id = id;
  q.with_detections = true;
  auto found = store->ListFindings(q);
  auto history = store->History(*id);
  if (!found.ok() || !history.ok()) {
    return o.Error("inventory: " +
                   EscapeBytes((found.ok() ? history.status() : found.status()).message(), true));
  }
  if (found->empty()) return o.Error("no finding " + std::to_string(*id));
  const inventory::Finding& f = found->front();
  std::string& out = o.out;
  if (a.format == "json") {
    out = FindingWithHistoryJson(f, history.value()) + "\n";
    return;
  }
  Append(out, "finding %lld\n", static_cast<long long>(f.id));
  Append(out, "  status:     %s\n", std::string(inventory::StatusName(f.status)).c_str());
  Append(out, "  policy:     %s (%s, %s)\n", f.policy.c_str(), f.kind.c_str(), f.severity.c_str());
  if (!f.node.empty()) Append(out, "  node:       %s\n", EscapeBytes(f.node, true).c_str());
  Append(out, "  file:       %s%s\n", EscapeBytes(f.path, true).c_str(),
         f.item_deleted ? " (deleted)" : "");
  Append(out, "  why:        %s\n", EscapeBytes(f.reason, true).c_str());
  if (!f.detections.empty())
    Append(out, "  detected:   %s\n", DetectionsText(f.detections).c_str());
  Append(out, "  first seen: %s\n  last seen:  %s\n", TimeOrNull(f.first_seen).c_str(),
         TimeOrNull(f.last_seen).c_str());
  if (f.exception_until) {
    Append(out, "  exception:  until %s: %s\n", Date(f.exception_until).c_str(),
           EscapeBytes(f.exception_reason, true).c_str());
  }
  Append(out, "  history:\n");
  for (const inventory::FindingEvent& e : history.value()) {
    std::string change = e.from ? std::string(inventory::StatusName(*e.from)) + " -> " : "";
    change += std::string(inventory::StatusName(e.to));
    // A person by name and uid; the system by its scan, or as "system" (an expiry).
    const std::string who = !e.by.IsSystem() ? "by " + ActorText(e.by)
                            : e.scan_id      ? "scan " + std::to_string(e.scan_id)
                                             : "system";
    Append(out, "    %s  %-28s %s %s\n", TimeOrNull(e.at).c_str(), change.c_str(), who.c_str(),
           EscapeBytes(e.note, true).c_str());
  }
}

// ack, except and note.
void Decide(const FindingsArgs& a, const StoreOpener& open, const inventory::Actor& by, Output& o) {
  const std::string& what = a.sub;
  const std::optional<int64_t> now = TakeNow(a.now, o);
  if (!now) return;
  if (a.id.empty()) return o.Error("findings " + what + ": no finding id given");
  const std::optional<int64_t> id = ParseId(a.id, o);
  if (!id) return;
  std::optional<int64_t> until;
  if (!a.until.empty()) {
    until = a.until.size() == 10 ? ParseIso8601(a.until) : std::nullopt;
    if (!until) {
      return o.Error("--until: '" + EscapeBytes(a.until, true) + "' is not a date YYYY-MM-DD");
    }
  }
  if (what == "except" && (a.reason.empty() || !until)) {
    return o.Error("findings except: --reason TEXT and --until YYYY-MM-DD are required");
  }
  const std::string text = a.text.empty() ? a.note : a.text;
  auto store = Open(open, o);
  if (!store) return;
  Status s;
  if (what == "ack") {
    s = store->Acknowledge(*id, a.note, *now, by);
  } else if (what == "except") {
    s = store->Except(*id, a.reason, *until, a.note, *now, by);
  } else {
    s = store->AddNote(*id, text, *now, by);
  }
  if (!s.ok()) return o.Error(EscapeBytes(s.message(), true));
  if (what == "ack") {
    Append(o.out, "finding %lld acknowledged\n", static_cast<long long>(*id));
  } else if (what == "except") {
    Append(o.out, "finding %lld excepted until %s\n", static_cast<long long>(*id),
           Date(*until).c_str());
  } else {
    Append(o.out, "note added to finding %lld\n", static_cast<long long>(*id));
  }
}

}  // namespace

Output RunFindings(const FindingsArgs& a, const StoreOpener& open, const inventory::Actor& by,
                   const report::ReportOptions::Origin& origin) {
  Output o;
  if (a.sub == "list") {
    List(a, open, origin, o);
  } else if (a.sub == "show") {
    Show(a, open, o);
  } else if (a.sub == "ack" || a.sub == "except" || a.sub == "note") {
    Decide(a, open, by, o);
  } else {
    o.Error("findings: unknown subcommand '" + EscapeBytes(a.sub, true) + "'");
  }
  return o;
}

}  // namespace custos::review
