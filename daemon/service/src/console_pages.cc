// The console's pages besides the findings: the overview (the weekly report's figures),
// coverage, roots and scans, policies; and what they share (paths, error pages).
#include <algorithm>

#include "console.h"
#include "custos/inventory/lifecycle.h"
#include "custos/report/report.h"

namespace custos::service::console {
namespace {

Response Ok(const PageContext& pc, const std::string& title, const std::string& active,
            const std::string& body) {
  Response r;
  r.body = Page({title, pc.session.actor.name, pc.session.csrf, active}, body);
  return r;
}

std::string Figure(uint64_t value, const std::string& label, const std::string& href = "") {
  const std::string inner = "<b>" + std::to_string(value) + "</b><span>" + Html(label) + "</span>";
  return "<div class=\"figure\">" +
         (href.empty() ? inner : "<a href=\"" + Html(href) + "\">" + inner + "</a>") + "</div>";
}

std::string Bytes(uint64_t b) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, kUnits[u]);
  return buf;
}

// A bar chart (inline SVG, no script): one bar per week of active findings, excepted
// stacked above.
std::string WeeklyChart(const std::vector<report::WeekPoint>& weeks) {
  if (weeks.empty()) return "";
  uint64_t top = 1;
  for (const auto& w : weeks) top = std::max<uint64_t>(top, w.active + w.excepted);
  const int bar = 36, gap = 12, height = 140, base = 160;
  const int width = static_cast<int>(weeks.size()) * (bar + gap) + gap;
  std::string svg =
      "<svg role=\"img\" aria-label=\"Active and excepted findings, week by week\" "
      "width=\"" +
      std::to_string(width) + "\" height=\"190\" viewBox=\"0 0 " + std::to_string(width) +
      " 190\">";
  for (size_t i = 0; i < weeks.size(); ++i) {
    const int x = gap + static_cast<int>(i) * (bar + gap);
    const int ha = static_cast<int>(height * weeks[i].active / top);
    const int he = static_cast<int>(height * weeks[i].excepted / top);
    svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(base - ha) +
           "\" width=\"" + std::to_string(bar) + "\" height=\"" + std::to_string(ha) +
           "\" fill=\"#c4501b\"><title>" + std::to_string(weeks[i].active) +
           " active</title></rect>";
    svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(base - ha - he) +
           "\" width=\"" + std::to_string(bar) + "\" height=\"" + std::to_string(he) +
           "\" fill=\"#8a6fb8\"><title>" + std::to_string(weeks[i].excepted) +
           " excepted</title></rect>";
    svg += "<text x=\"" + std::to_string(x) + "\" y=\"176\">" + Date(weeks[i].end - 1).substr(5) +
           "</text>";
    svg += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(base - ha - he - 4) +
           "\">" + std::to_string(weeks[i].active) + "</text>";
  }
  return svg +
         "</svg><p class=\"muted\">Active findings (orange) and excepted ones (purple) at "
         "the end of each week.</p>";
}

}  // namespace

const config::RootConfig* RootOf(const std::vector<config::RootConfig>& roots,
                                 const std::string& path) {
  const config::RootConfig* best = nullptr;
  for (const config::RootConfig& r : roots) {
    const bool holds = path == r.path || (path.size() > r.path.size() &&
                                          path.compare(0, r.path.size(), r.path) == 0 &&
                                          (r.path == "/" || path[r.path.size()] == '/'));
    if (holds && (!best || r.path.size() > best->path.size())) best = &r;
  }
  return best;
}

std::string ShownPath(const std::vector<config::RootConfig>& roots, const std::string& path) {
  const config::RootConfig* r = RootOf(roots, path);
  if (!r || path == r->path) return Html(path);
  const size_t skip = r->path == "/" ? 1 : r->path.size() + 1;
  return "<b>" + Html(r->name) + "</b>: " + Html(path.substr(skip));
}

Response ErrorPage(const PageContext& pc, unsigned status, const std::string& message) {
  Response r;
  r.status = status;
  r.body =
      Page({status == 404 ? "Not found" : "Not done", pc.session.actor.name, pc.session.csrf, ""},
           "<p class=\"message\">" + Html(message) + "</p><p><a href=\"/\">Overview</a></p>");
  return r;
}

Response OverviewPage(const PageContext& pc) {
  auto store = pc.context.OpenInventory();
  if (!store.ok()) return ErrorPage(pc, 503, store.status().message());
  report::ReportOptions options;
  options.now = pc.now;
  options.since = pc.now - 7 * 86400;
  auto data = report::BuildReport(**store, options, pc.context.settings().version);
  if (!data.ok()) return ErrorPage(pc, 503, data.status().message());
  const report::Summary& s = data->summary;
  std::string body =
      "<p class=\"muted\">The last 7 days, as of " + DateTime(pc.now) +
      (s.last_complete_scan ? "; last complete scan " + DateTime(s.last_complete_scan)
                            : std::string("; no scan has completed yet")) +
      ".</p><div class=\"figures\">";
  body += Figure(s.active, "active findings", "/findings");
  body += Figure(s.new_in_period, "new this week");
  body += Figure(s.resolved_in_period, "resolved this week", "/findings?status=resolved");
  body += Figure(s.acknowledged, "acknowledged", "/findings?status=acknowledged");
  body += Figure(s.excepted, "excepted", "/findings?status=excepted");
  body += Figure(s.expiring_soon, "exceptions ending within 14 days");
  body += Figure(s.not_fully_scanned, "items not fully scanned", "/coverage");
  body += Figure(s.items, "items in the inventory (" + Bytes(s.bytes) + ")");
  body += Figure(s.scans_in_period, "scans this week", "/scans");
  body += "</div><h2>Week by week</h2>" + WeeklyChart(data->weekly);
  body += "<h2>Active findings by policy</h2>";
  if (data->by_policy.empty()) {
    body += "<p>No findings.</p>";
  } else {
    body +=
        "<table><thead><tr><th>Policy</th><th>Severity</th><th class=\"num\">New</th><th "
        "class=\"num\">Open</th><th class=\"num\">Acknowledged</th><th "
        "class=\"num\">Excepted</th><th class=\"num\">Resolved this week</th></tr></thead><tbody>";
    for (const report::PolicyCount& p : data->by_policy) {
      const std::string link = "/findings?policy=" + UrlEncode(p.policy);
      body += "<tr><td><a href=\"" + Html(link) + "\">" + Html(p.policy) +
              "</a><br><span class=\"muted\">" + Html(p.description) +
              "</span></td><td><span class=\"sev sev-" + Html(p.severity) + "\">" +
              Html(p.severity) + "</span></td><td class=\"num\">" + std::to_string(p.new_count) +
              "</td><td class=\"num\">" + std::to_string(p.open) + "</td><td class=\"num\">" +
              std::to_string(p.acknowledged) + "</td><td class=\"num\">" +
              std::to_string(p.excepted) + "</td><td class=\"num\">" +
              std::to_string(p.resolved_in_period) + "</td></tr>";
    }
    body += "</tbody></table>";
  }
  body += "<h2>Active findings by severity</h2><table><tbody>";
  for (const auto& [severity, n] : data->by_severity) {
    body += "<tr><td><a href=\"/findings?severity=" + UrlEncode(severity) +
            "\"><span class=\"sev sev-" + Html(severity) + "\">" + Html(severity) +
            "</span></a></td><td class=\"num\">" + std::to_string(n) + "</td></tr>";
  }
  body += "</tbody></table>";
  return Ok(pc, "Overview", "overview", body);
}

Response CoveragePage(const PageContext& pc) {
  auto store = pc.context.OpenInventory();
  if (!store.ok()) return ErrorPage(pc, 503, store.status().message());
  auto rows = (*store)->Coverage(5);
  if (!rows.ok()) return ErrorPage(pc, 503, rows.status().message());
  const std::vector<config::RootConfig> roots = pc.context.Roots();
  std::string body =
      "<p>Items the scans could not read, or read only in part, by reason. Their content is "
      "not judged: a finding may be hidden in them.</p>";
  if (rows->empty()) {
    body += "<p>Every item was read in full.</p>";
  } else {
    body +=
        "<table><thead><tr><th>State</th><th>Reason</th><th class=\"num\">Items</th><th "
        "class=\"num\">Size</th><th>Examples</th></tr></thead><tbody>";
    for (const inventory::CoverageRow& r : *rows) {
      std::string examples;
      for (const std::string& e : r.examples) examples += ShownPath(roots, e) + "<br>";
      body += "<tr><td>" + std::string(inventory::ItemStateName(r.state)) + "</td><td>" +
              Html(r.reason) + "</td><td class=\"num\">" + std::to_string(r.items) +
              "</td><td class=\"num\">" + Bytes(r.bytes) + "</td><td class=\"path\">" + examples +
              "</td></tr>";
    }
    body += "</tbody></table>";
  }
  return Ok(pc, "Coverage", "coverage", body);
}

Response ScansPage(const PageContext& pc) {
  auto store = pc.context.OpenInventory();
  if (!store.ok()) return ErrorPage(pc, 503, store.status().message());
  const std::vector<config::RootConfig> roots = pc.context.Roots();
  std::string body = "<h2>Roots</h2>";
  if (roots.empty()) {
    body += "<p>No roots are configured.</p>";
  } else {
    body +=
        "<table><thead><tr><th>Name</th><th>Path</th><th>Schedule</th><th>Excludes</th></tr>"
        "</thead><tbody>";
    for (const config::RootConfig& r : roots) {
      std::string excludes;
      for (const Glob& g : r.excludes)
        excludes += (excludes.empty() ? "" : ", ") + Html(g.pattern());
      body += "<tr><td>" + Html(r.name) + "</td><td class=\"path\">" + Html(r.path) + "</td><td>" +
              Html(r.schedule.text()) + "</td><td>" + excludes + "</td></tr>";
    }
    body += "</tbody></table>";
  }
  auto scans = (*store)->Scans(pc.now - 90 * 86400);
  if (!scans.ok()) return ErrorPage(pc, 503, scans.status().message());
  body += "<h2>Scans of the last 90 days</h2>";
  if (scans->empty()) {
    body += "<p>No scans.</p>";
  } else {
    body +=
        "<table><thead><tr><th>#</th><th>Started</th><th>Ended</th><th>Result</th><th>Roots</th>"
        "<th class=\"num\">Items</th><th class=\"num\">Read</th><th class=\"num\">Not fully "
        "read</th><th class=\"num\">Violations</th><th class=\"num\">Excluded</th><th "
        "class=\"num\">Links not followed</th><th class=\"num\">Other file "
        "systems</th></tr></thead><tbody>";
    for (auto it = scans->rbegin(); it != scans->rend(); ++it) {
      const inventory::ScanRecord& s = *it;
      std::string shown_roots;
      for (const std::string& r : s.roots) {
        const config::RootConfig* rc = RootOf(roots, r);
        shown_roots +=
            (shown_roots.empty() ? "" : "<br>") + (rc && rc->path == r ? Html(rc->name) : Html(r));
      }
      body += "<tr><td>" + std::to_string(s.id) + "</td><td>" + DateTime(s.started) + "</td><td>" +
              DateTime(s.finished) + "</td><td>" + std::string(inventory::ScanStateName(s.state)) +
              "</td><td class=\"path\">" + shown_roots + "</td><td class=\"num\">" +
              std::to_string(s.totals.items) + "</td><td class=\"num\">" +
              std::to_string(s.totals.read) + "</td><td class=\"num\">" +
              std::to_string(s.totals.skipped) + "</td><td class=\"num\">" +
              std::to_string(s.totals.violations) + "</td><td class=\"num\">" +
              std::to_string(s.totals.excluded) + "</td><td class=\"num\">" +
              std::to_string(s.totals.links_not_followed) + "</td><td class=\"num\">" +
              std::to_string(s.totals.other_filesystems) + "</td></tr>";
    }
    body += "</tbody></table>";
  }
  return Ok(pc, "Roots and scans", "scans", body);
}

Response PoliciesPage(const PageContext& pc) {
  auto store = pc.context.OpenInventory();
  if (!store.ok()) return ErrorPage(pc, 503, store.status().message());
  auto policies = (*store)->Policies();
  if (!policies.ok()) return ErrorPage(pc, 503, policies.status().message());
  std::string body = "<p>The policies the scans judged with, as the last scan recorded them.</p>";
  if (policies->empty()) {
    body += "<p>No policies recorded yet.</p>";
  } else {
    body +=
        "<table><thead><tr><th>Policy</th><th>Severity</th><th>Description</th>"
        "<th>References</th></tr></thead><tbody>";
    for (const inventory::PolicyRecord& p : *policies) {
      std::string refs;
      for (const std::string& r : p.references) refs += Html(r) + "<br>";
      body += "<tr><td><a href=\"/findings?status=&amp;policy=" + Html(UrlEncode(p.id)) + "\">" +
              Html(p.id) + "</a></td><td><span class=\"sev sev-" + Html(p.severity) + "\">" +
              Html(p.severity) + "</span></td><td>" + Html(p.description) + "</td><td>" + refs +
              "</td></tr>";
    }
    body += "</tbody></table>";
  }
  return Ok(pc, "Policies", "policies", body);
}

}  // namespace custos::service::console
