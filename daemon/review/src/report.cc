// `custos report`: the weekly review report (HTML, CSV or JSON) from the inventory.
#include <cstdlib>
#include <optional>
#include <string>

#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/report/report.h"
#include "custos/review/review.h"

#ifndef CUSTOS_VERSION
#define CUSTOS_VERSION "dev"
#endif

namespace custos::review {
namespace {

std::optional<int> ParseDays(const std::string& opt, const std::string& v, Output& o) {
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < 0 || n > 3650) {
    o.Error("option " + opt + ": '" + EscapeBytes(v, true) + "' is not a number of days/weeks");
    return std::nullopt;
  }
  return static_cast<int>(n);
}

}  // namespace

Output RunReport(const ReportArgs& a, const StoreOpener& open,
                 const report::ReportOptions::Origin& origin) {
  Output o;
  report::ReportOptions options;
  options.origin = origin;
  if (!a.title.empty()) options.title = a.title;
  if (a.format != "html" && a.format != "csv" && a.format != "json") {
    o.Error("--format: '" + EscapeBytes(a.format, true) + "' (html, csv or json)");
    return o;
  }
  std::optional<int> days = options.expiring_days, weeks = options.weeks;
  if (!a.expiring_days.empty()) days = ParseDays("--expiring-days", a.expiring_days, o);
  if (!a.weeks.empty()) weeks = ParseDays("--weeks", a.weeks, o);
  if (!days || !weeks) return o;
  options.expiring_days = *days;
  options.weeks = *weeks;
  if (a.now.empty()) {
    options.now = NowUnix();
  } else if (auto now = ParseIso8601(a.now)) {
    options.now = *now;
  } else {
    o.Error("--now: '" + EscapeBytes(a.now, true) + "' is not YYYY-MM-DD[THH:MM:SSZ]");
    return o;
  }
  auto since = report::ParseSince(a.since, options.now);
  if (!since) {
    o.Error("--since: '" + EscapeBytes(a.since, true) + "' (7d, 2w, 1mo or YYYY-MM-DD)");
    return o;
  }
  options.since = *since;
  if (!CheckNodes(a.nodes, o)) return o;
  options.nodes = a.nodes;

  auto store = open();
  if (!store.ok()) {
    o.Error("inventory: " + EscapeBytes(store.status().message(), true));
    return o;
  }
  auto roots = ResolveRoots(a.roots, *store.value(), origin);
  if (!roots.ok()) {
    o.Error(EscapeBytes(roots.status().message(), true));
    return o;
  }
  options.roots = std::move(roots.value());
  auto data = report::BuildReport(*store.value(), options, CUSTOS_VERSION);
  if (!data.ok()) {
    o.Error("inventory: " + EscapeBytes(data.status().message(), true));
    return o;
  }
  o.out = a.format == "html"  ? report::RenderHtml(data.value())
          : a.format == "csv" ? report::RenderCsv(data.value())
                              : report::RenderJson(data.value());
  return o;
}

}  // namespace custos::review
