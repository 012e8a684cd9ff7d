// What the HTML page and its charts share.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "custos/base/escape.h"
#include "format.h"
#include "html_util.h"

namespace custos::report::html {

std::string H(std::string_view s) { return EscapeHtml(s); }

std::string R(std::string_view raw) { return H(fmt::Display(raw)); }

std::string PathHtml(std::string_view raw) {
  const std::string text = R(raw);
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    out += c;
    if (c == '/') out += "<wbr>";
  }
  return out;
}

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

std::string ShortDate(int64_t t) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string d = fmt::Date(t);
  const int month = std::atoi(d.substr(5, 2).c_str());
  return std::string(kMonths[std::clamp(month, 1, 12) - 1]) + " " +
         std::to_string(std::atoi(d.substr(8, 2).c_str()));
}

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

const char* Css() {
  return R"css(
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
td.path { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; max-width: 340px;
  word-break: normal; overflow-wrap: normal; hyphens: none; }
td.path .root, .roots .root { font-family: system-ui, sans-serif; font-weight: 600; font-size: 11.5px; color: #0e7490;
  border: 1px solid #a5f3fc; background: #ecfeff; border-radius: 4px; padding: 0 5px; margin-right: 4px; white-space: nowrap; }
header .where { margin: 2px 0 0; font-size: 14px; }
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
}

}  // namespace custos::report::html
