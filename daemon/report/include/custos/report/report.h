// The weekly review report for data-protection officers: what is new since the last
// review, what is still open and for how long, what was fixed, which exceptions run
// out soon, and what the scanner could not look at and why.
//
// BuildReport() reads the inventory into a ReportData; three renderers turn it into
// one self-contained HTML page (inline CSS and SVG charts, no script, nothing fetched),
// a CSV table (one row per figure or finding, a `section` column tells which) and a
// JSON document. All three carry the same content. Paths are escaped for display;
// detections appear as masked samples only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/status.h"
#include "custos/inventory/store.h"

namespace custos::report {

struct ReportOptions {
  int64_t now = 0;               // the report's "today" (Unix seconds)
  int64_t since = 0;             // start of the review period
  int expiring_days = 14;        // "expiring soon": exceptions ending within this many days
  int weeks = 12;                // weeks in the week-by-week chart
  size_t coverage_examples = 5;  // example paths per coverage row
  // Rows per table in the HTML page (a page to look at, not a dump); the CSV and JSON
  // carry every row. The page says how many rows it leaves out.
  size_t html_max_rows = 500;
  std::string title = "custos weekly review";
  // Only the findings (and the scans and roots) of these nodes, and of files at or below
  // these absolute paths; empty: all. The inventory's figures (files, coverage) stay
  // the whole inventory's.
  std::vector<std::string> nodes, roots;
  // Where the report is from, shown in its header.
  struct Origin {
    std::string host;  // the host name
    std::string site;  // custos.yaml's `site`; empty: none
    // The configured roots (custos.yaml's roots[].name and path); roots the scans name
    // that are not here are named after their last folder.
    std::vector<std::pair<std::string, std::string>> roots;  // name, absolute path
    // The node the configured roots are of (custos.yaml's node); empty: any node's.
    std::string node;
  } origin;
};

// A root the report names: a configured one, or one the scans in the inventory name.
struct RootRow {
  std::string name;
  std::string node;         // the node it is scanned on (a fleet inventory); empty: any
  std::string path;         // absolute, raw bytes
  bool configured = false;  // named in ReportOptions::origin
  uint64_t active = 0;      // active findings of files under it
  int64_t last_scan = 0;    // judgement time of its latest scan; 0: never scanned
  // What its latest scan left out on purpose (that scan's figures, whatever other
  // roots it covered).
  uint64_t excluded = 0;
  uint64_t links_not_followed = 0;
  uint64_t other_filesystems = 0;
};

// Figures at the top of the report.
struct Summary {
  uint64_t items = 0;  // items in the inventory (existing)
  uint64_t bytes = 0;
  uint64_t items_with_detections = 0;
  uint64_t active = 0;         // new + open + acknowledged
  uint64_t new_in_period = 0;  // findings first seen (or back) in the period
  uint64_t resolved_in_period = 0;
  uint64_t acknowledged = 0;
  uint64_t excepted = 0;
  uint64_t expiring_soon = 0;
  uint64_t not_fully_scanned = 0;  // skipped + partial items
  // Left out on purpose by the latest scan of each root (ScanTotals).
  uint64_t excluded = 0;            // entries pruned by an exclude glob
  uint64_t links_not_followed = 0;  // symbolic links
  uint64_t other_filesystems = 0;   // mount points not entered
  uint64_t scans_in_period = 0;
  int64_t last_complete_scan = 0;  // judgement time of the latest complete scan; 0: none
};

// One finding as the report shows it.
struct FindingRow {
  inventory::Finding finding;   // detections: masked samples only
  std::string description;      // the policy's description
  std::string plain_reason;     // the reason in words (policies::PlainReason)
  int64_t age_days = 0;         // since first seen, as of the report's now
  bool reopened = false;        // came back after having been resolved, in the period
  bool expiring_soon = false;   // excepted, ending within ReportOptions::expiring_days
  inventory::Actor decided_by;  // the person of its latest decision (system: none yet)
  // Its file as a reader finds it: the root's name and the path below the root (raw
  // bytes; empty for a root that is the file itself). Root empty: under no known root.
  std::string root;
  std::string relative_path;
};

// Active findings of one policy, by status.
struct PolicyCount {
  std::string policy;
  std::string severity;
  std::string description;
  std::vector<std::string> references;
  uint64_t new_count = 0;
  uint64_t open = 0;
  uint64_t acknowledged = 0;
  uint64_t excepted = 0;
  uint64_t resolved_in_period = 0;
  uint64_t active() const { return new_count + open + acknowledged; }
};

struct WeekPoint {
  int64_t end = 0;      // the end of the week (inclusive), Unix seconds
  uint64_t active = 0;  // findings new, open or acknowledged at that moment
  uint64_t excepted = 0;
  uint64_t new_count = 0;  // findings that became new in the week (first seen or back)
  uint64_t resolved = 0;   // findings resolved in the week
};

struct ReportData {
  ReportOptions options;
  std::string version;  // custos version
  Summary summary;
  std::vector<PolicyCount> by_policy;  // by active count, then id
  // Active findings by severity: critical, high, medium, low (and any other).
  std::vector<std::pair<std::string, uint64_t>> by_severity;
  std::vector<WeekPoint> weekly;         // oldest first; the last one ends at `now`
  std::vector<FindingRow> new_findings;  // first seen or back in the period, most severe first
  std::vector<FindingRow> still_open;    // active, first seen before the period, oldest first
  std::vector<FindingRow> resolved;      // resolved in the period, latest first
  std::vector<FindingRow> excepted;      // excepted now, soonest end first
  std::vector<FindingRow> expiring;      // excepted, ending within expiring_days (also in
                                         // `excepted`, marked expiring_soon; each format
                                         // shows each exception once)
  std::vector<inventory::CoverageRow> coverage;
  std::vector<inventory::ScanRecord> scans;  // scans in the period
  std::vector<RootRow> roots;                // configured ones first, then by node and path
};

// The roots a report names: the configured ones of `origin`, then those the scans name
// (by node and path), each with its latest scan; a root the configuration does not name
// is named after its last folder, or by its path when two of its paths have that name.
std::vector<RootRow> KnownRoots(const ReportOptions::Origin& origin,
                                const std::vector<inventory::ScanRecord>& scans);
// The deepest root of `roots` that holds `path` on `node` (a root of no node holds the
// path on every node); null when none does.
const RootRow* RootOf(const std::vector<RootRow>& roots, std::string_view node,
                      std::string_view path);

// Reads everything the report shows from the store. Expired exceptions are reopened
// first (the report is one of the moments they reopen).
Result<ReportData> BuildReport(inventory::ReportReader& store, const ReportOptions& options,
                               const std::string& version);

std::string RenderHtml(const ReportData& data);
std::string RenderCsv(const ReportData& data);
std::string RenderJson(const ReportData& data);
// The HTML page printed to PDF by a headless Chromium (chromium, chromium-browser or
// google-chrome in PATH), killed after `timeout_seconds`. The PDF's bytes; an error
// that says Chromium is needed when none is installed.
Result<std::string> RenderPdf(const std::string& html, int timeout_seconds = 180);
// The Chromium RenderPdf would run; empty when none is installed.
std::string FindChromium();

// This host's name (gethostname), for ReportOptions::origin; empty when unknown.
std::string HostName();

// "7d", "2w", "1mo", ... (the policy file's durations) or a date "YYYY-MM-DD": the
// start of the period as of `now`. nullopt when malformed.
std::optional<int64_t> ParseSince(std::string_view text, int64_t now);

}  // namespace custos::report
