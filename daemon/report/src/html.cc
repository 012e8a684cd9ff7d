// The report as one self-contained HTML page: inline CSS, inline SVG charts drawn
// here, no script and nothing fetched. Figures carry ids and data-value attributes so
// that a test (or a script) can read them back from the rendered page.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "custos/report/report.h"
#include "custos/scan/scan.h"
#include "format.h"

namespace custos::report {
namespace {

using inventory::Finding;
using inventory::FindingStatus;

// Text made safe for HTML element content and attribute values.
std::string H(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A raw string (path, reason, note) for display in HTML.
std::string R(std::string_view raw) { return H(fmt::Display(raw)); }

std::string N(uint64_t v) {
  // Thin-space thousands separators read better than none.
  std::string d = std::to_string(v), out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += "&#8239;";
    out += d[i];
  }
  return out;
}

std::string F(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

const char* SeverityColor(const std::string& s) {
  if (s == "critical") return "#7f1d1d";
  if (s == "high") return "#dc2626";
  if (s == "medium") return "#d97706";
  if (s == "low") return "#2563eb";
  return "#6b7280";
}

constexpr const char* kNewColor = "#dc2626";
constexpr const char* kOpenColor = "#f97316";
constexpr const char* kAckColor = "#94a3b8";
constexpr const char* kExceptColor = "#a78bfa";
constexpr const char* kActiveColor = "#1e3a8a";

// "Nov 14"
std::string ShortDate(int64_t t) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string d = fmt::Date(t);
  const int month = std::atoi(d.substr(5, 2).c_str());
  return std::string(kMonths[std::clamp(month, 1, 12) - 1]) + " " +
         std::to_string(std::atoi(d.substr(8, 2).c_str()));
}

// A "nice" upper bound for an axis: 1, 2, 5 x 10^n.
uint64_t NiceMax(uint64_t v) {
  if (v <= 4) return 4;
  uint64_t step = 1;
  while (true) {
    for (uint64_t m : {1, 2, 5}) {
      if (m * step * 4 >= v) return m * step * 4;
    }
    step *= 10;
  }
}

constexpr const char* kCss = R"css(
:root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f3f4f6; --card: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 28px 24px 48px; }
header { display: flex; justify-content: space-between; align-items: flex-end; gap: 24px;
  border-bottom: 3px solid var(--ink); padding-bottom: 14px; margin-bottom: 22px; }
header h1 { margin: 0; font-size: 26px; letter-spacing: -0.01em; }
header .period { margin: 4px 0 0; color: var(--muted); font-size: 15px; }
header .meta { text-align: right; color: var(--muted); font-size: 12.5px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 14px; margin-bottom: 22px; }
.card { background: var(--card); border-radius: 10px; padding: 14px 16px 12px;
  border-top: 5px solid var(--accent, #9ca3af); box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.card .num { font-size: 34px; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
.card .label { font-weight: 600; margin-top: 2px; }
.card .note { color: var(--muted); font-size: 12.5px; margin-top: 2px; }
.charts { display: grid; grid-template-columns: 3fr 2fr; gap: 14px; margin-bottom: 22px; }
figure { margin: 0; background: var(--card); border-radius: 10px; padding: 14px 16px;
  box-shadow: 0 1px 2px rgba(0,0,0,.06); }
figure.wide { grid-column: 1 / -1; }
figcaption { font-weight: 700; margin-bottom: 6px; }
figcaption small { font-weight: 400; color: var(--muted); margin-left: 6px; }
svg { display: block; width: 100%; height: auto; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill: var(--ink); }
svg .axis { fill: var(--muted); font-size: 11px; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; color: var(--muted); font-size: 12.5px; margin-top: 6px; }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
section { background: var(--card); border-radius: 10px; padding: 14px 16px 10px; margin-bottom: 18px;
  box-shadow: 0 1px 2px rgba(0,0,0,.06); }
section h2 { font-size: 18px; margin: 0 0 2px; }
section h2 .count { color: var(--muted); font-weight: 500; }
section .lead { color: var(--muted); margin: 0 0 10px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; font-size: 11.5px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
  border-bottom: 2px solid var(--line); padding: 6px 8px; white-space: nowrap; }
td { border-bottom: 1px solid var(--line); padding: 7px 8px; vertical-align: top; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.path { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; word-break: break-all; max-width: 340px; }
td.when { white-space: nowrap; }
td .why, td .tech { color: var(--muted); display: block; font-size: 12px; }
td .tech { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; }
td .masked { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11.5px; color: #374151; display: block; }
td .notes { display: block; font-size: 12px; color: #4b5563; white-space: pre-line; margin-top: 3px; }
.sev { display: inline-block; padding: 1px 8px; border-radius: 999px; color: #fff; font-size: 11.5px; font-weight: 600; }
.status { display: inline-block; padding: 1px 7px; border-radius: 4px; font-size: 11.5px; font-weight: 600;
  border: 1px solid currentColor; }
.status-new { color: #dc2626; } .status-open { color: #ea580c; } .status-acknowledged { color: #475569; }
.status-excepted { color: #7c3aed; } .status-resolved { color: #16a34a; }
.tag { font-size: 11px; color: #7c3aed; font-weight: 600; margin-left: 4px; }
.empty { color: var(--muted); font-style: italic; padding: 6px 0 10px; }
.more { color: var(--muted); font-size: 12.5px; padding: 8px 0 2px; }
footer { color: var(--muted); font-size: 12px; margin-top: 26px; }
@media print { body { background: #fff; } .card, figure, section { box-shadow: none; border: 1px solid var(--line); }
  section { break-inside: avoid-page; } }
@media (max-width: 900px) { .cards { grid-template-columns: repeat(2, 1fr); } .charts { grid-template-columns: 1fr; } }
)css";

class Page {
 public:
  explicit Page(const ReportData& d) : d_(d) {}

  std::string Render() {
    const ReportOptions& o = d_.options;
    out_ += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += "<meta name=\"generator\" content=\"custos " + H(d_.version) + "\">\n";
    out_ += "<title>" + H(o.title) + " — " + fmt::Date(o.since) + " to " + fmt::Date(o.now) +
            "</title>\n<style>" + std::string(kCss) + "</style>\n</head>\n<body>\n<main>\n";
    Header();
    Cards();
    Charts();
    FindingsSection("new", "New since " + fmt::Date(o.since),
                    "Breaches first seen in this period, or back after having been fixed. Most "
                    "severe first.",
                    d_.new_findings, /*show_since=*/false);
    FindingsSection("open", "Still open",
                    "Breaches that were already known before this period and still need "
                    "someone. Oldest first.",
                    d_.still_open, /*show_since=*/true);
    FindingsSection("resolved", "Resolved in this period",
                    "Fixed, or the file is gone. Latest first.", d_.resolved, false);
    FindingsSection("expiring",
                    "Exceptions expiring within " + std::to_string(o.expiring_days) + " days",
                    "When an exception runs out, its finding reopens at the next scan or report.",
                    d_.expiring, false);
    // Each exception once: those ending soon above, the others here.
    std::vector<FindingRow> later;
    for (const FindingRow& r : d_.excepted) {
      bool soon = false;
      for (const FindingRow& e : d_.expiring) soon = soon || e.finding.id == r.finding.id;
      if (!soon) later.push_back(r);
    }
    FindingsSection("excepted", d_.expiring.empty() ? "Exceptions" : "Other exceptions",
                    "Accepted breaches, with the reason and end date" +
                        std::string(d_.expiring.empty() ? "." : ", ending later."),
                    later, false);
    Coverage();
    Policies();
    Scans();
    out_ += "<footer>Generated by custos " + H(d_.version) + " on " + H(fmt::Time(o.now)) +
            ". Detected values appear as masked samples only; no raw value is stored in the "
            "inventory or shown here. Paths are shown with bytes that are not UTF-8, and control "
            "characters, as \\xNN.</footer>\n";
    out_ += "</main>\n</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  void Header() {
    const ReportOptions& o = d_.options;
    const Summary& s = d_.summary;
    out_ += "<header><div><h1>" + H(o.title) + "</h1><p class=\"period\">Review period " +
            fmt::Date(o.since) + " to " + fmt::Date(o.now) + "</p></div><div class=\"meta\">";
    out_ += "Last complete scan: " +
            (s.last_complete_scan ? H(fmt::Time(s.last_complete_scan)) : std::string("none")) +
            "<br>Scans in this period: <span id=\"fig-scans\" data-value=\"" +
            std::to_string(s.scans_in_period) + "\">" + N(s.scans_in_period) + "</span>";
    out_ += "<br>Inventory: <span id=\"fig-items\" data-value=\"" + std::to_string(s.items) +
            "\">" + N(s.items) + "</span> files, " + H(scan::HumanBytes(s.bytes)) +
            "</div></header>\n";
  }

  void Card(const char* id, uint64_t value, const char* label, const std::string& note,
            const char* accent) {
    out_ += "<div class=\"card\" style=\"--accent:" + std::string(accent) +
            "\"><div class=\"num\" id=\"" + id + "\" data-value=\"" + std::to_string(value) +
            "\">" + N(value) + "</div><div class=\"label\">" + label +
            "</div><div class=\"note\">" + note + "</div></div>\n";
  }

  void Cards() {
    const Summary& s = d_.summary;
    out_ += "<div class=\"cards\">\n";
    Card("fig-active", s.active, "Open findings", N(s.acknowledged) + " of them acknowledged",
         s.active ? "#dc2626" : "#16a34a");
    Card("fig-new", s.new_in_period, "New in this period", "first seen, or back after a fix",
         "#f97316");
    Card("fig-resolved", s.resolved_in_period, "Resolved in this period",
         "fixed, or the file is gone", "#16a34a");
    Card("fig-excepted", s.excepted, "Excepted", "accepted, with a reason and an end date",
         "#7c3aed");
    Card("fig-expiring", s.expiring_soon, "Exceptions ending soon",
         "within " + std::to_string(d_.options.expiring_days) + " days", "#d97706");
    Card("fig-coverage", s.not_fully_scanned, "Files not fully scanned",
         "skipped or partly read, see Coverage", "#6b7280");
    Card("fig-detections", s.items_with_detections, "Files holding personal data",
         "with at least one detection", "#0e7490");
    uint64_t oldest = 0;
    for (const FindingRow& r : d_.still_open)
      oldest = std::max<uint64_t>(oldest, static_cast<uint64_t>(r.age_days));
    for (const FindingRow& r : d_.new_findings) {
      if (inventory::IsActive(r.finding.status)) {
        oldest = std::max<uint64_t>(oldest, static_cast<uint64_t>(r.age_days));
      }
    }
    Card("fig-oldest", oldest, "Days open, oldest finding", "since first seen", "#1e3a8a");
    out_ += "</div>\n";
  }

  // Horizontal stacked bars: active findings per policy, by status.
  void PolicyChart() {
    std::vector<const PolicyCount*> rows;
    for (const PolicyCount& p : d_.by_policy) {
      if (p.active() > 0) rows.push_back(&p);
    }
    out_ +=
        "<figure id=\"chart-policy\"><figcaption>Open findings by policy<small>coloured dot: "
        "severity</small></figcaption>\n";
    if (rows.empty()) {
      out_ += "<p class=\"empty\">No open findings.</p></figure>\n";
      return;
    }
    const size_t shown = std::min<size_t>(rows.size(), 15);
    uint64_t max = 0;
    for (size_t i = 0; i < shown; ++i) max = std::max(max, rows[i]->active());
    const double w = 640, label_w = 200, count_w = 48, row_h = 26, top = 4;
    const double bar_w = w - label_w - count_w;
    const double h = top + row_h * static_cast<double>(shown) + 4;
    out_ += "<svg viewBox=\"0 0 " + F(w) + " " + F(h) +
            "\" role=\"img\" aria-label=\"Open findings by policy\">\n";
    for (size_t i = 0; i < shown; ++i) {
      const PolicyCount& p = *rows[i];
      const double y = top + row_h * static_cast<double>(i);
      std::string id = p.policy.size() > 26 ? p.policy.substr(0, 25) + "…" : p.policy;
      out_ += "<g class=\"bar\" data-policy=\"" + H(p.policy) + "\" data-value=\"" +
              std::to_string(p.active()) + "\"><title>" + H(p.policy) + " (" + H(p.severity) +
              "): " + std::to_string(p.new_count) + " new, " + std::to_string(p.open) + " open, " +
              std::to_string(p.acknowledged) + " acknowledged</title>";
      out_ += "<circle cx=\"6\" cy=\"" + F(y + row_h / 2) + "\" r=\"5\" fill=\"" +
              SeverityColor(p.severity) + "\"/>";
      out_ += "<text x=\"16\" y=\"" + F(y + row_h / 2 + 4) + "\">" + H(id) + "</text>";
      double x = label_w;
      for (const auto& [n, color] : {std::pair<uint64_t, const char*>{p.new_count, kNewColor},
                                     {p.open, kOpenColor},
                                     {p.acknowledged, kAckColor}}) {
        if (n == 0) continue;
        const double seg = bar_w * static_cast<double>(n) / static_cast<double>(max);
        out_ += "<rect x=\"" + F(x) + "\" y=\"" + F(y + 4) + "\" width=\"" + F(std::max(seg, 1.5)) +
                "\" height=\"" + F(row_h - 8) + "\" fill=\"" + color + "\"/>";
        x += seg;
      }
      out_ += "<text x=\"" + F(x + 6) + "\" y=\"" + F(y + row_h / 2 + 4) +
              "\" font-weight=\"600\">" + std::to_string(p.active()) + "</text></g>\n";
    }
    out_ += "</svg>\n<div class=\"legend\"><span><i style=\"background:" + std::string(kNewColor) +
            "\"></i>new</span><span><i style=\"background:" + kOpenColor +
            "\"></i>open</span><span><i style=\"background:" + kAckColor +
            "\"></i>acknowledged</span>";
    if (rows.size() > shown) {
      out_ +=
          "<span>+" + std::to_string(rows.size() - shown) + " more policies (see the table)</span>";
    }
    out_ += "</div></figure>\n";
  }

  // Columns: active findings per severity.
  // The horizontal grid of a column chart: five lines from 0 to `axis`, labelled at
  // the left of the plot area (x from `left` to `w`, y from `top` down `plot_h`).
  void GridLines(uint64_t axis, double w, double left, double top, double plot_h) {
    for (int k = 0; k <= 4; ++k) {
      const double y = top + plot_h - plot_h * k / 4.0;
      out_ += "<line x1=\"" + F(left) + "\" x2=\"" + F(w) + "\" y1=\"" + F(y) + "\" y2=\"" + F(y) +
              "\" stroke=\"#e5e7eb\"/><text class=\"axis\" x=\"" + F(left - 6) + "\" y=\"" +
              F(y + 4) + "\" text-anchor=\"end\">" +
              std::to_string(axis * static_cast<uint64_t>(k) / 4) + "</text>\n";
    }
  }

  void SeverityChart() {
    out_ += "<figure id=\"chart-severity\"><figcaption>Open findings by severity</figcaption>\n";
    uint64_t max = 0;
    for (const auto& [s, n] : d_.by_severity) max = std::max(max, n);
    const uint64_t axis = NiceMax(max);
    const double w = 420, h = 230, left = 34, bottom = 26, top = 16;
    const double plot_h = h - top - bottom;
    const double col_w =
        (w - left) / static_cast<double>(std::max<size_t>(d_.by_severity.size(), 1));
    out_ += "<svg viewBox=\"0 0 " + F(w) + " " + F(h) +
            "\" role=\"img\" aria-label=\"Open findings by severity\">\n";
    GridLines(axis, w, left, top, plot_h);
    for (size_t i = 0; i < d_.by_severity.size(); ++i) {
      const auto& [sev, n] = d_.by_severity[i];
      const double bh = plot_h * static_cast<double>(n) / static_cast<double>(axis);
      const double x = left + col_w * static_cast<double>(i) + col_w * 0.2;
      out_ += "<g class=\"bar\" data-severity=\"" + H(sev) + "\" data-value=\"" +
              std::to_string(n) + "\"><title>" + H(sev) + ": " + std::to_string(n) +
              "</title><rect x=\"" + F(x) + "\" y=\"" + F(top + plot_h - bh) + "\" width=\"" +
              F(col_w * 0.6) + "\" height=\"" + F(bh) + "\" rx=\"2\" fill=\"" + SeverityColor(sev) +
              "\"/>";
      out_ += "<text x=\"" + F(x + col_w * 0.3) + "\" y=\"" + F(top + plot_h - bh - 4) +
              "\" text-anchor=\"middle\" font-weight=\"600\">" + std::to_string(n) + "</text>";
      out_ += "<text class=\"axis\" x=\"" + F(x + col_w * 0.3) + "\" y=\"" + F(h - 8) +
              "\" text-anchor=\"middle\">" + H(sev) + "</text></g>\n";
    }
    out_ += "</svg></figure>\n";
  }

  // Stacked columns: open (new, open, acknowledged) and excepted findings at each
  // week's end.
  void WeeklyChart() {
    out_ +=
        "<figure class=\"wide\" id=\"chart-weekly\"><figcaption>Open findings, week by week"
        "<small>at the end of each week</small></figcaption>\n";
    uint64_t max = 0;
    for (const WeekPoint& p : d_.weekly) max = std::max(max, p.active + p.excepted);
    const uint64_t axis = NiceMax(max);
    const double w = 1120, h = 240, left = 40, bottom = 26, top = 18;
    const double plot_h = h - top - bottom;
    const double col_w = (w - left) / static_cast<double>(std::max<size_t>(d_.weekly.size(), 1));
    out_ += "<svg viewBox=\"0 0 " + F(w) + " " + F(h) +
            "\" role=\"img\" aria-label=\"Open findings week by week\">\n";
    GridLines(axis, w, left, top, plot_h);
    for (size_t i = 0; i < d_.weekly.size(); ++i) {
      const WeekPoint& p = d_.weekly[i];
      const double x = left + col_w * static_cast<double>(i) + col_w * 0.18;
      const double bw = col_w * 0.64;
      const double ah = plot_h * static_cast<double>(p.active) / static_cast<double>(axis);
      const double eh = plot_h * static_cast<double>(p.excepted) / static_cast<double>(axis);
      const double base = top + plot_h;
      out_ += "<g class=\"week\" data-week=\"" + fmt::Date(p.end) + "\" data-value=\"" +
              std::to_string(p.active) + "\" data-excepted=\"" + std::to_string(p.excepted) +
              "\"><title>week ending " + fmt::Date(p.end) + ": " + std::to_string(p.active) +
              " open, " + std::to_string(p.excepted) + " excepted</title>";
      out_ += "<rect x=\"" + F(x) + "\" y=\"" + F(base - ah) + "\" width=\"" + F(bw) +
              "\" height=\"" + F(ah) + "\" fill=\"" + kActiveColor + "\"/>";
      if (eh > 0) {
        out_ += "<rect x=\"" + F(x) + "\" y=\"" + F(base - ah - eh) + "\" width=\"" + F(bw) +
                "\" height=\"" + F(eh) + "\" fill=\"" + kExceptColor + "\"/>";
      }
      if (p.active > 0) {
        // The open count inside its bar when there is room, above the column otherwise.
        const bool inside = ah >= 18;
        out_ += "<text x=\"" + F(x + bw / 2) + "\" y=\"" +
                F(inside ? base - ah + 14 : base - ah - eh - 4) +
                "\" text-anchor=\"middle\" font-weight=\"600\"" +
                (inside ? std::string(" style=\"fill:#fff\"") : std::string()) + ">" +
                std::to_string(p.active) + "</text>";
      }
      if (p.excepted > 0 && eh >= 16) {
        out_ += "<text x=\"" + F(x + bw / 2) + "\" y=\"" + F(base - ah - eh + 13) +
                "\" text-anchor=\"middle\" class=\"axis\" style=\"fill:#3b0764\">" +
                std::to_string(p.excepted) + "</text>";
      }
      out_ += "<text class=\"axis\" x=\"" + F(x + bw / 2) + "\" y=\"" + F(h - 8) +
              "\" text-anchor=\"middle\">" + ShortDate(p.end) + "</text></g>\n";
    }
    out_ +=
        "</svg>\n<div class=\"legend\"><span><i style=\"background:" + std::string(kActiveColor) +
        "\"></i>open (new, open, acknowledged)</span><span><i style=\"background:" + kExceptColor +
        "\"></i>excepted</span></div></figure>\n";
  }

  void Charts() {
    out_ += "<div class=\"charts\">\n";
    PolicyChart();
    SeverityChart();
    WeeklyChart();
    out_ += "</div>\n";
  }

  void FindingRowHtml(const FindingRow& r, bool show_since) {
    const Finding& f = r.finding;
    out_ += "<tr data-id=\"" + std::to_string(f.id) + "\"><td class=\"num\">" +
            std::to_string(f.id) +
            "</td><td><span class=\"sev\" style=\"background:" + SeverityColor(f.severity) + "\">" +
            H(f.severity) + "</span></td><td><b>" + H(f.policy) + "</b><span class=\"why\">" +
            H(f.kind) + "</span></td><td>" + R(r.plain_reason);
    if (r.plain_reason != f.reason) out_ += "<span class=\"tech\">" + R(f.reason) + "</span>";
    if (!f.detections.empty())
      out_ += "<span class=\"masked\">" + H(fmt::Detections(f.detections)) + "</span>";
    out_ += "</td><td class=\"path\">" + R(f.path);
    if (f.item_deleted) out_ += " <span class=\"tag\">deleted</span>";
    out_ += "</td><td class=\"when\">" + fmt::Date(f.first_seen) + "</td>";
    if (show_since) {
      out_ += "<td class=\"num\">" + std::to_string(r.age_days) + "</td>";
    } else {
      const int64_t other = f.status == FindingStatus::kResolved ? f.resolved_at : f.last_seen;
      out_ += "<td class=\"when\">" + fmt::Date(other) + "</td>";
    }
    out_ += "<td><span class=\"status status-" + std::string(inventory::StatusName(f.status)) +
            "\">" + std::string(inventory::StatusName(f.status)) + "</span>";
    if (r.reopened) out_ += "<span class=\"tag\">back again</span>";
    // The exception in force is shown once: as the notes' line that recorded it
    // ("DAY excepted until UNTIL: REASON"), marked, or on its own when no line does.
    const bool excepted = f.status == FindingStatus::kExcepted || !f.exception_reason.empty();
    const std::string record =
        " excepted until " + fmt::Date(f.exception_until) + ": " + f.exception_reason;
    std::vector<std::string_view> lines;
    for (std::string_view rest = f.notes; !rest.empty();) {
      const size_t nl = rest.find('\n');
      lines.push_back(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    size_t marked = lines.size();
    for (size_t i = 0; excepted && i < lines.size(); ++i) {
      if (lines[i].substr(std::min<size_t>(10, lines[i].size()), record.size()) == record) {
        marked = i;
      }
    }
    if (excepted && marked == lines.size()) {
      out_ += "<span class=\"notes exception\">until " + fmt::Date(f.exception_until) + ": " +
              R(f.exception_reason) + "</span>";
    }
    if (!lines.empty()) {
      // Reviewer notes are one per line: keep the lines, escape the rest.
      std::string notes;
      for (size_t i = 0; i < lines.size(); ++i) {
        notes += (i ? "\n" : "") +
                 (i == marked ? "<b class=\"exception\">" + R(lines[i]) + "</b>" : R(lines[i]));
      }
      out_ += "<span class=\"notes\">" + notes + "</span>";
    }
    if (!r.decided_by.IsSystem()) {
      out_ += "<span class=\"notes\">decided by " + R(r.decided_by.name) + " (uid " +
              std::to_string(r.decided_by.uid) + ")</span>";
    }
    out_ += "</td></tr>\n";
  }

  void FindingsSection(const char* id, const std::string& title, const std::string& lead,
                       const std::vector<FindingRow>& rows, bool show_since) {
    out_ += "<section id=\"sec-" + std::string(id) + "\"><h2>" + H(title) +
            " <span class=\"count\">(" + N(rows.size()) + ")</span></h2><p class=\"lead\">" +
            H(lead) + "</p>\n";
    if (rows.empty()) {
      out_ += "<p class=\"empty\">None.</p></section>\n";
      return;
    }
    out_ += "<table id=\"tbl-" + std::string(id) + "\" data-rows=\"" + std::to_string(rows.size()) +
            "\"><thead><tr><th class=\"num\">#</th><th>Severity</th><th>Policy</th><th>Why</th>"
            "<th>File</th><th>First seen</th>";
    out_ += show_since ? "<th class=\"num\">Days open</th>" : "<th>Last seen</th>";
    out_ += "<th>Status</th></tr></thead><tbody>\n";
    const size_t shown = std::min(rows.size(), d_.options.html_max_rows);
    for (size_t i = 0; i < shown; ++i) FindingRowHtml(rows[i], show_since);
    out_ += "</tbody></table>\n";
    if (shown < rows.size()) {
      out_ += "<p class=\"more\">" + N(rows.size() - shown) +
              " more not shown here; the CSV and JSON reports list them all.</p>\n";
    }
    out_ += "</section>\n";
  }

  void Coverage() {
    const auto& rows = d_.coverage;
    out_ +=
        "<section id=\"sec-coverage\"><h2>Coverage <span class=\"count\">(" +
        N(d_.summary.not_fully_scanned) +
        " files)</span></h2><p class=\"lead\">What the scanner could not look at, or only "
        "partly, and why. Findings of a file that could not be read are kept as they were.</p>\n";
    if (rows.empty()) {
      out_ += "<p class=\"empty\">Every file was read in full.</p></section>\n";
      return;
    }
    out_ += "<table id=\"tbl-coverage\" data-rows=\"" + std::to_string(rows.size()) +
            "\"><thead><tr><th>State</th><th>Reason</th><th class=\"num\">Files</th><th "
            "class=\"num\">Size</th><th>For example</th></tr></thead><tbody>\n";
    for (const inventory::CoverageRow& c : rows) {
      std::string examples;
      for (const std::string& e : c.examples) examples += (examples.empty() ? "" : "<br>") + R(e);
      out_ += "<tr><td>" + std::string(inventory::ItemStateName(c.state)) + "</td><td>" +
              R(c.reason) + "</td><td class=\"num\" data-value=\"" + std::to_string(c.items) +
              "\">" + N(c.items) + "</td><td class=\"num\">" + H(scan::HumanBytes(c.bytes)) +
              "</td><td class=\"path\">" + examples + "</td></tr>\n";
    }
    out_ += "</tbody></table></section>\n";
  }

  void Policies() {
    out_ +=
        "<section id=\"sec-policies\"><h2>Policies</h2><p class=\"lead\">What each rule "
        "protects, and where its findings stand.</p>\n";
    if (d_.by_policy.empty()) {
      out_ += "<p class=\"empty\">No policy has been applied yet.</p></section>\n";
      return;
    }
    out_ += "<table id=\"tbl-policies\" data-rows=\"" + std::to_string(d_.by_policy.size()) +
            "\"><thead><tr><th>Policy</th><th>Severity</th><th>Description and references</th>"
            "<th class=\"num\">Open</th><th class=\"num\">New</th><th class=\"num\">Ack.</th>"
            "<th class=\"num\">Excepted</th><th class=\"num\">Resolved</th></tr></thead><tbody>\n";
    for (const PolicyCount& p : d_.by_policy) {
      std::string refs;
      for (const std::string& r : p.references) refs += (refs.empty() ? "" : " · ") + R(r);
      out_ += "<tr data-policy=\"" + H(p.policy) + "\"><td><b>" + H(p.policy) +
              "</b></td><td><span class=\"sev\" style=\"background:" + SeverityColor(p.severity) +
              "\">" + H(p.severity) + "</span></td><td>" + R(p.description);
      if (!refs.empty()) out_ += "<span class=\"why\">" + refs + "</span>";
      out_ += "</td><td class=\"num\" data-value=\"" + std::to_string(p.active()) + "\">" +
              N(p.active()) + "</td><td class=\"num\">" + N(p.new_count) +
              "</td><td class=\"num\">" + N(p.acknowledged) + "</td><td class=\"num\">" +
              N(p.excepted) + "</td><td class=\"num\">" + N(p.resolved_in_period) + "</td></tr>\n";
    }
    out_ += "</tbody></table></section>\n";
  }

  void Scans() {
    out_ += "<section id=\"sec-scans\"><h2>Scans in this period <span class=\"count\">(" +
            N(d_.scans.size()) + ")</span></h2>\n";
    if (d_.scans.empty()) {
      out_ += "<p class=\"empty\">No scan ran in this period.</p></section>\n";
      return;
    }
    out_ +=
        "<table id=\"tbl-scans\" data-rows=\"" + std::to_string(d_.scans.size()) +
        "\"><thead><tr><th class=\"num\">#</th><th>Started</th><th>State</th><th>Roots</th>"
        "<th class=\"num\">Files</th><th class=\"num\">Read</th><th class=\"num\">Unchanged</th>"
        "<th class=\"num\">Not fully read</th><th class=\"num\">Gone</th></tr></thead><tbody>\n";
    for (const inventory::ScanRecord& s : d_.scans) {
      std::string roots;
      for (const std::string& r : s.roots) roots += (roots.empty() ? "" : "<br>") + R(r);
      out_ += "<tr><td class=\"num\">" + std::to_string(s.id) + "</td><td class=\"when\">" +
              H(fmt::Time(s.started)) + "</td><td>" +
              std::string(inventory::ScanStateName(s.state)) + "</td><td class=\"path\">" + roots +
              "</td><td class=\"num\">" + N(s.totals.items) + "</td><td class=\"num\">" +
              N(s.totals.read) + "</td><td class=\"num\">" + N(s.totals.reused) +
              "</td><td class=\"num\">" + N(s.totals.skipped) + "</td><td class=\"num\">" +
              N(s.totals.deleted) + "</td></tr>\n";
    }
    out_ += "</tbody></table></section>\n";
  }

  const ReportData& d_;
  std::string out_;
};

}  // namespace

std::string RenderHtml(const ReportData& data) { return Page(data).Render(); }

}  // namespace custos::report
