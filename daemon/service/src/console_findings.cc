// The console's findings: the list with its filters and pages, one finding with its
// history, and the forms that acknowledge, except and annotate it (each decision made
// by the logged-in user, through the inventory's FindingReviewer).
#include <algorithm>
#include <cstdint>

#include "console.h"
#include "custos/base/time.h"
#include "custos/service/log.h"

namespace custos::service::console {
namespace {

constexpr size_t kPerPage = 50;

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

std::string Severity(const std::string& s) {
  return "<span class=\"sev sev-" + Html(s) + "\">" + Html(s) + "</span>";
}

std::string StatusBadge(inventory::FindingStatus s) {
  const std::string name(inventory::StatusName(s));
  return "<span class=\"status status-" + name + "\">" + name + "</span>";
}

// A <select> of `options` (value, label) with `current` selected.
std::string Select(const std::string& name, const std::string& label,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   const std::string& current) {
  std::string out = "<label>" + Html(label) + " <select name=\"" + name + "\">";
  for (const auto& [value, text] : options) {
    out += "<option value=\"" + Html(value) + "\"" + (value == current ? " selected" : "") + ">" +
           Html(text) + "</option>";
  }
  return out + "</select></label>";
}

std::string By(const inventory::FindingEvent& e) {
  if (!e.by.IsSystem()) return Html(e.by.name) + " (uid " + std::to_string(e.by.uid) + ")";
  return e.scan_id ? "scan " + std::to_string(e.scan_id) : std::string("custos");
}

std::string Detections(const std::vector<Detection>& detections) {
  std::string out;
  for (const Detection& d : detections) {
    out += "<li>" + Html(d.detector) + " &times;" + std::to_string(d.count);
    if (!d.masked.empty()) {
      out += ": ";
      for (size_t i = 0; i < d.masked.size(); ++i) out += (i ? ", " : "") + Html(d.masked[i]);
    }
    out += "</li>";
  }
  return out.empty() ? "" : "<ul>" + out + "</ul>";
}

Response Ok(const PageContext& pc, const std::string& title, const std::string& active,
            const std::string& body) {
  Response r;
  r.body = Page({title, pc.session.actor.name, pc.session.csrf, active}, body);
  return r;
}

}  // namespace

Response FindingsPage(const PageContext& pc) {
  const auto& q = pc.request.query;
  const std::string status = q.count("status") ? Get(q, "status") : "active";
  const std::string policy = Get(q, "policy");
  const std::string severity = Get(q, "severity");
  const std::string root = Get(q, "root");
  const std::string age = Get(q, "age");
  size_t page = 1;
  if (const std::string p = Get(q, "page");
      !p.empty() && p.size() < 7 && p.find_first_not_of("0123456789") == std::string::npos) {
    page = std::max<size_t>(1, std::stoul(p));
  }
  auto store = pc.context.OpenInventory();
  if (!store.ok()) return ErrorPage(pc, 503, store.status().message());
  inventory::ReportReader& reader = **store;
  (void)reader.ExpireExceptions(pc.now);

  // Every filter, the order and the page go into the store's query (SQLite or
  // PostgreSQL alike): only the page's findings are read.
  inventory::FindingQuery query;
  if (status == "active") {
    query.statuses = {inventory::FindingStatus::kNew, inventory::FindingStatus::kOpen,
                      inventory::FindingStatus::kAcknowledged};
  } else if (auto s = inventory::ParseStatus(status)) {
    query.statuses = {*s};
  }
  if (!policy.empty()) query.policies = {policy};
  if (!severity.empty()) query.severities = {severity};
  const std::vector<config::RootConfig> roots = pc.context.Roots();
  if (!root.empty()) {
    query.roots = {""};  // a root not configured holds nothing
    for (const config::RootConfig& r : roots) {
      if (r.name == root) query.roots = {r.path};
    }
  }
  if (age == "7" || age == "30" || age == "90" || age == "365") {
    query.first_seen_until = pc.now - std::stoi(age) * int64_t{86400};
  }
  auto found = reader.ListFindingsPage(query, (page - 1) * kPerPage, kPerPage);
  if (!found.ok()) return ErrorPage(pc, 503, found.status().message());
  const size_t total = found->total;
  const size_t pages = std::max<size_t>(1, (total + kPerPage - 1) / kPerPage);
  if (page > pages) {  // past the end (the list got shorter): its last page
    page = pages;
    found = reader.ListFindingsPage(query, (page - 1) * kPerPage, kPerPage);
    if (!found.ok()) return ErrorPage(pc, 503, found.status().message());
  }
  const std::vector<inventory::Finding>& rows = found->findings;

  // The filters: a GET form, so that a filtered list is a link.
  std::vector<std::pair<std::string, std::string>> statuses = {
      {"active", "active (new, open, acknowledged)"}, {"", "any"}};
  for (const char* s : {"new", "open", "acknowledged", "excepted", "resolved"}) {
    statuses.emplace_back(s, s);
  }
  std::vector<std::pair<std::string, std::string>> policies = {{"", "any"}};
  if (auto known = reader.Policies(); known.ok()) {
    for (const inventory::PolicyRecord& p : *known) policies.emplace_back(p.id, p.id);
  }
  std::vector<std::pair<std::string, std::string>> root_options = {{"", "any"}};
  for (const config::RootConfig& r : roots) root_options.emplace_back(r.name, r.name);
  std::string body = "<form class=\"filters\" method=\"get\" action=\"/findings\">";
  body += Select("status", "Status", statuses, status);
  body += Select("policy", "Policy", policies, policy);
  body += Select("severity", "Severity",
                 {{"", "any"},
                  {"critical", "critical"},
                  {"high", "high"},
                  {"medium", "medium"},
                  {"low", "low"}},
                 severity);
  body += Select("root", "Root", root_options, root);
  body += Select("age", "First seen",
                 {{"", "any time"},
                  {"7", "over a week ago"},
                  {"30", "over 30 days ago"},
                  {"90", "over 90 days ago"},
                  {"365", "over a year ago"}},
                 age);
  body += "<button type=\"submit\">Show</button></form>";

  const size_t first = (page - 1) * kPerPage;
  const size_t last = first + rows.size();
  body +=
      "<p>" + std::to_string(total) + " finding" + (total == 1 ? "" : "s") +
      (rows.empty() ? ""
                    : ", " + std::to_string(first + 1) + "-" + std::to_string(last) + " shown") +
      ".</p>";
  if (!rows.empty()) {
    body +=
        "<table><thead><tr><th>#</th><th>Severity</th><th>Status</th><th>Policy</th><th>File</th>"
        "<th>Why</th><th>First seen</th><th class=\"num\">Days</th></tr></thead><tbody>";
    for (const inventory::Finding& f : rows) {
      const std::string id = std::to_string(f.id);
      body += "<tr><td><a href=\"/findings/" + id + "\">" + id + "</a></td><td>" +
              Severity(f.severity) + "</td><td>" + StatusBadge(f.status) + "</td><td>" +
              Html(f.policy) + "</td><td class=\"path\"><a href=\"/findings/" + id + "\">" +
              ShownPath(roots, f.path) + "</a>" + (f.item_deleted ? " (deleted)" : "") +
              "</td><td>" + Html(f.reason) + "</td><td>" + Date(f.first_seen) +
              "</td><td class=\"num\">" + std::to_string((pc.now - f.first_seen) / 86400) +
              "</td></tr>";
    }
    body += "</tbody></table>";
  }
  if (pages > 1) {
    const std::string base = "/findings?status=" + UrlEncode(status) +
                             "&policy=" + UrlEncode(policy) + "&severity=" + UrlEncode(severity) +
                             "&root=" + UrlEncode(root) + "&age=" + UrlEncode(age) + "&page=";
    body += "<p class=\"pager\">";
    if (page > 1) body += "<a href=\"" + Html(base + std::to_string(page - 1)) + "\">previous</a>";
    body += "<span>page " + std::to_string(page) + " of " + std::to_string(pages) + "</span>";
    if (page < pages) body += "<a href=\"" + Html(base + std::to_string(page + 1)) + "\">next</a>";
    body += "</p>";
  }
  return Ok(pc, "Findings", "findings", body);
}

Response FindingPage(const PageContext& pc, int64_t id) {
  auto store = pc.context.OpenInventory();
  if (!store.ok()) return ErrorPage(pc, 503, store.status().message());
  inventory::ReportReader& reader = **store;
  (void)reader.ExpireExceptions(pc.now);
  inventory::FindingQuery query;
  query.id = id;
  query.with_detections = true;
  auto found = reader.ListFindings(query);
  if (!found.ok()) return ErrorPage(pc, 503, found.status().message());
  if (found->empty()) return ErrorPage(pc, 404, "There is no finding " + std::to_string(id) + ".");
  const inventory::Finding& f = found->front();
  auto history = reader.History(id);
  std::string description;
  if (auto policies = reader.Policies(); policies.ok()) {
    for (const inventory::PolicyRecord& p : *policies) {
      if (p.id == f.policy) description = p.description;
    }
  }
  const std::vector<config::RootConfig> roots = pc.context.Roots();
  std::string body = "<dl class=\"facts\">";
  auto fact = [&](const std::string& name, const std::string& html) {
    if (!html.empty()) body += "<dt>" + name + "</dt><dd>" + html + "</dd>";
  };
  fact("Status", StatusBadge(f.status));
  fact("File", "<span class=\"path\">" + ShownPath(roots, f.path) + "</span>" +
                   (f.item_deleted ? " (deleted)" : ""));
  fact("Policy", Html(f.policy) + (description.empty() ? "" : ": " + Html(description)));
  fact("Severity", Severity(f.severity));
  fact("Kind", Html(f.kind));
  fact("Why", Html(f.reason));
  fact("Found in it", Detections(f.detections));
  fact("First seen", Date(f.first_seen));
  fact("Last seen", Date(f.last_seen));
  if (f.status == inventory::FindingStatus::kExcepted) {
    fact("Exception", Html(f.exception_reason) + ", until " + Date(f.exception_until));
  }
  fact("Resolved", Date(f.resolved_at));
  body += "</dl><h2>History</h2>";
  if (history.ok() && !history->empty()) {
    body +=
        "<table><thead><tr><th>When</th><th>Change</th><th>By</th><th>Note</th></tr></"
        "thead><tbody>";
    for (const inventory::FindingEvent& e : *history) {
      body += "<tr><td>" + DateTime(e.at) + "</td><td>" +
              (e.from ? std::string(inventory::StatusName(*e.from)) + " &rarr; " : std::string()) +
              StatusBadge(e.to) + "</td><td>" + By(e) + "</td><td>" + Html(e.note) + "</td></tr>";
    }
    body += "</tbody></table>";
  }
  const std::string action = "/findings/" + std::to_string(id) + "/";
  const std::string csrf = CsrfField(pc.session.csrf);
  const bool resolved = f.status == inventory::FindingStatus::kResolved;
  body += "<h2>Decide</h2><div class=\"forms\">";
  if (!resolved) {
    body += "<form method=\"post\" action=\"" + action + "ack\"><h3>Acknowledge</h3>" + csrf +
            "<p class=\"muted\">Somebody takes care of it.</p><label>Note (optional) "
            "<textarea name=\"note\" rows=\"2\" maxlength=\"2000\"></textarea></label>"
            "<button type=\"submit\">Acknowledge</button></form>";
    body += "<form method=\"post\" action=\"" + action + "except\"><h3>Except</h3>" + csrf +
            "<p class=\"muted\">It is allowed until a date; it opens again after.</p>"
            "<label>Reason <input type=\"text\" name=\"reason\" required maxlength=\"500\">"
            "</label><label>Until (last day) <input type=\"date\" name=\"until\" required "
            "min=\"" +
            Date(pc.now) +
            "\"></label><label>Note (optional) <input type=\"text\" name=\"note\" "
            "maxlength=\"2000\"></label><button type=\"submit\">Except</button></form>";
  }
  body += "<form method=\"post\" action=\"" + action + "note\"><h3>Note</h3>" + csrf +
          "<label>Note <textarea name=\"note\" rows=\"2\" required maxlength=\"2000\">"
          "</textarea></label><button type=\"submit\">Add note</button></form></div>";
  return Ok(pc, "Finding " + std::to_string(id), "findings", body);
}

Response ReviewFinding(const PageContext& pc, int64_t id, const std::string& action) {
  const auto& form = pc.request.form;
  const std::string note = Get(form, "note");
  const std::string reason = Get(form, "reason");
  const std::string until_text = Get(form, "until");
  if (note.size() > 2000 || reason.size() > 500) {
    return ErrorPage(pc, 400, "The note or reason is too long.");
  }
  auto store = pc.context.OpenInventory();
  if (!store.ok()) return ErrorPage(pc, 503, store.status().message());
  inventory::FindingReviewer& reviewer = **store;
  const inventory::Actor& by = pc.session.actor;
  Status s;
  std::string done;
  if (action == "ack") {
    s = reviewer.Acknowledge(id, note, pc.now, by);
    done = "acknowledged";
  } else if (action == "except") {
    const std::optional<int64_t> until =
        until_text.size() == 10 ? ParseIso8601(until_text) : std::nullopt;
    if (!until) return ErrorPage(pc, 400, "The exception needs its last day (YYYY-MM-DD).");
    if (reason.empty()) return ErrorPage(pc, 400, "The exception needs a reason.");
    s = reviewer.Except(id, reason, *until, note, pc.now, by);
    done = "excepted";
  } else if (action == "note") {
    s = reviewer.AddNote(id, note, pc.now, by);
    done = "annotated";
  } else {
    return ErrorPage(pc, 404, "There is no such form.");
  }
  if (!s.ok()) {
    return ErrorPage(pc, s.code() == StatusCode::kNotFound ? 404 : 400, s.message());
  }
  Log("console").info("{} (uid {}) {} finding {}", by.name, by.uid, done, id);
  Response r;
  r.status = 303;
  r.location = "/findings/" + std::to_string(id);
  r.content_type = "text/plain; charset=utf-8";
  r.body = "see " + r.location + "\n";
  return r;
}

}  // namespace custos::service::console
