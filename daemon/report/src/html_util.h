// What the HTML page and its charts share: escaping, number formats, colours, the CSS.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "custos/report/report.h"

namespace custos::report::html {

// Text made safe for HTML element content and attribute values.
std::string H(std::string_view s);
// A raw string (path, reason, note) for display in HTML.
std::string R(std::string_view raw);
// A path (raw bytes) for display, with a line-break opportunity after each '/' (and
// nowhere inside a name).
std::string PathHtml(std::string_view raw);
// A count with thin-space thousands separators.
std::string N(uint64_t v);
// A coordinate: one decimal.
std::string F(double v);
const char* SeverityColor(const std::string& s);
// "Nov 14"
std::string ShortDate(int64_t t);
// A "nice" upper bound for an axis: 1, 2, 5 x 10^n.
uint64_t NiceMax(uint64_t v);
// The page's style sheet.
const char* Css();
// The charts: open findings by policy and by severity, and week by week.
std::string ChartsHtml(const ReportData& d);

inline constexpr const char* kNewColor = "#dc2626";
inline constexpr const char* kOpenColor = "#f97316";
inline constexpr const char* kAckColor = "#94a3b8";
inline constexpr const char* kExceptColor = "#a78bfa";
inline constexpr const char* kActiveColor = "#1e3a8a";
inline constexpr const char* kResolvedColor = "#16a34a";

}  // namespace custos::report::html
