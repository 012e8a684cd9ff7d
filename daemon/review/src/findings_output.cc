// How `custos findings` shows findings: a table, JSON and CSV.
#include "findings_output.h"

#include <algorithm>
#include <string>
#include <vector>

#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/report/report.h"
#include "custos/scan/output.h"

namespace custos::review {

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

bool HaveNodes(const std::vector<inventory::Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const inventory::Finding& f) { return !f.node.empty(); });
}

std::string TableText(const std::vector<inventory::Finding>& findings) {
  std::string out;
  std::vector<std::vector<std::string>> rows;
  // A fleet inventory's findings are each of a node: a NODE column before the path.
  const bool nodes = HaveNodes(findings);
  rows.push_back(
      {"ID", "STATUS", "SEVERITY", "POLICY", "KIND", "FIRST SEEN", "LAST SEEN", "PATH", "REASON"});
  if (nodes) rows[0].insert(rows[0].begin() + 7, "NODE");
  for (const inventory::Finding& f : findings) {
    std::string path = EscapeBytes(f.path, true);
    if (f.item_deleted) path += " (deleted)";
    rows.push_back({std::to_string(f.id), std::string(inventory::StatusName(f.status)), f.severity,
                    f.policy, f.kind, Date(f.first_seen), Date(f.last_seen), path,
                    EscapeBytes(f.reason, true)});
    if (nodes) rows.back().insert(rows.back().begin() + 7, EscapeBytes(f.node, true));
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
    out += line + "\n";
  }
  if (findings.empty()) out += "(no findings)\n";
  return out;
}

namespace {

void AppendField(std::string& out, const char* key, const std::string& raw) {
  out += ", ";
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

}  // namespace

std::string FindingJson(const inventory::Finding& f) {
  std::string o = "{\"id\": " + std::to_string(f.id);
  AppendField(o, "status", std::string(inventory::StatusName(f.status)));
  AppendField(o, "severity", f.severity);
  AppendField(o, "policy", f.policy);
  AppendField(o, "kind", f.kind);
  AppendField(o, "path", f.path);
  if (!f.node.empty()) AppendField(o, "node", f.node);  // a fleet inventory's
  o += std::string(", \"item_deleted\": ") + (f.item_deleted ? "true" : "false");
  AppendField(o, "reason", f.reason);
  AppendField(o, "first_seen", TimeOrNull(f.first_seen));
  AppendField(o, "last_seen", TimeOrNull(f.last_seen));
  AppendField(o, "status_changed", TimeOrNull(f.status_changed));
  AppendNullable(o, "resolved_at", TimeOrNull(f.resolved_at));
  AppendNullable(o, "exception_reason", f.exception_reason);
  AppendNullable(o, "exception_until", f.exception_until ? Date(f.exception_until) : "");
  AppendNullable(o, "notes", f.notes);
  o += ", \"detections\": ";
  scan::AppendDetectionsJson(o, f.detections);
  o += "}";
  return o;
}

std::string ActorText(const inventory::Actor& by) {
  if (by.IsSystem()) return "system";
  return EscapeBytes(by.name, true) + " (uid " + std::to_string(by.uid) + ")";
}

std::string FindingWithHistoryJson(const inventory::Finding& f,
                                   const std::vector<inventory::FindingEvent>& history) {
  std::string o = FindingJson(f);
  o.pop_back();  // its closing brace
  o += ", \"history\": [";
  for (size_t i = 0; i < history.size(); ++i) {
    const inventory::FindingEvent& e = history[i];
    o += i ? ", " : "";
    o += "{\"at\": ";
    AppendJsonString(o, TimeOrNull(e.at));
    o += ", \"scan\": " + (e.scan_id ? std::to_string(e.scan_id) : std::string("null"));
    AppendNullable(o, "from", e.from ? std::string(inventory::StatusName(*e.from)) : "");
    AppendField(o, "to", std::string(inventory::StatusName(e.to)));
    AppendField(o, "note", e.note);
    o += ", \"by\": ";
    if (e.by.IsSystem()) {
      o += "null";
    } else {
      o += "{\"name\": ";
      AppendJsonString(o, EscapeBytes(e.by.name, false));
      o += ", \"uid\": " + std::to_string(e.by.uid) + "}";
    }
    o += "}";
  }
  o += "]}";
  return o;
}

std::string CsvText(const std::vector<inventory::Finding>& findings) {
  std::string out =
      "id,status,severity,policy,kind,path,item_deleted,reason,detections,first_seen,last_seen,"
      "resolved_at,exception_reason,exception_until,notes";
  // A fleet inventory's findings are each of a node: a last column, node.
  const bool nodes = HaveNodes(findings);
  out += nodes ? ",node\r\n" : "\r\n";
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
    if (nodes) cells.push_back(EscapeBytes(f.node, true));
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) line += (i ? "," : "") + CsvField(cells[i]);
    out += line + "\r\n";
  }
  return out;
}

}  // namespace custos::review
