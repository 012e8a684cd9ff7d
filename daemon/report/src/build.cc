// ReportData from the inventory.
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "custos/base/path.h"
#include "custos/base/time.h"
#include "custos/policies/policy.h"
#include "custos/report/report.h"

namespace custos::report {
namespace {

using inventory::Finding;
using inventory::FindingEvent;
using inventory::FindingStatus;

constexpr int64_t kDay = 86400;
constexpr int64_t kWeek = 7 * kDay;

int SeverityRank(const std::string& s) {
  if (s == "critical") return 0;
  if (s == "high") return 1;
  if (s == "medium") return 2;
  if (s == "low") return 3;
  return 4;
}

// Findings at each week's end: replays the events in time order.
std::vector<WeekPoint> Weekly(const std::vector<FindingEvent>& events, int64_t now, int weeks) {
  std::vector<WeekPoint> out;
  if (weeks <= 0) return out;
  for (int k = weeks - 1; k >= 0; --k) out.push_back({now - k * kWeek, 0, 0});
  std::unordered_map<int64_t, FindingStatus> status;
  uint64_t active = 0, excepted = 0;
  auto count = [&](FindingStatus s, int delta) {
    if (inventory::IsActive(s)) active += static_cast<uint64_t>(delta);
    if (s == FindingStatus::kExcepted) excepted += static_cast<uint64_t>(delta);
  };
  size_t e = 0;
  for (WeekPoint& w : out) {
    // Everything that happened up to the end of this week (inclusive of `now`).
    while (e < events.size() && events[e].at <= w.end) {
      const FindingEvent& ev = events[e++];
      if (ev.at > w.end - kWeek && ev.from != ev.to) {
        w.new_count += ev.to == FindingStatus::kNew;
        w.resolved += ev.to == FindingStatus::kResolved;
      }
      auto it = status.find(ev.finding_id);
      if (it != status.end()) {
        count(it->second, -1);
        it->second = ev.to;
      } else {
        status.emplace(ev.finding_id, ev.to);
      }
      count(ev.to, +1);
    }
    w.active = active;
    w.excepted = excepted;
  }
  return out;
}

// Whether a root of node `row` covers node `node` (either may be "any": empty).
bool SameNode(std::string_view row, std::string_view node) {
  return row.empty() || node.empty() || row == node;
}

// Whether `scan` is within the report's filters: of one of its nodes and with a root
// at, above or below one of its roots.
bool InScope(const ReportOptions& o, std::string_view node, const std::vector<std::string>& paths) {
  if (!o.nodes.empty() && !node.empty() &&
      std::find(o.nodes.begin(), o.nodes.end(), node) == o.nodes.end()) {
    return false;
  }
  if (o.roots.empty()) return true;
  for (const std::string& p : paths) {
    for (const std::string& r : o.roots) {
      if (AtOrBelow(r, p) || AtOrBelow(p, r)) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<RootRow> KnownRoots(const ReportOptions::Origin& origin,
                                const std::vector<inventory::ScanRecord>& all) {
  std::vector<RootRow> out;
  // The configured roots are of this node, in a fleet inventory (whose scans have nodes).
  const bool fleet = std::any_of(all.begin(), all.end(),
                                 [](const inventory::ScanRecord& s) { return !s.node.empty(); });
  for (const auto& [name, path] : origin.roots) {
    out.push_back({name, fleet ? origin.node : std::string(), path, true, 0, 0});
  }
  std::set<std::pair<std::string, std::string>> unnamed;  // node, path
  for (const inventory::ScanRecord& s : all) {
    for (const std::string& r : s.roots) {
      bool known = false;
      for (const RootRow& row : out) known = known || (row.path == r && SameNode(row.node, s.node));
      if (!known) unnamed.emplace(s.node, r);
    }
  }
  // Named after its last folder ("/srv/share/" -> "share"), or its path when another
  // root has that name (the same path on two nodes is one name).
  auto last_folder = [](std::string_view p) {
    while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
    const size_t slash = p.rfind('/');
    return std::string(slash == std::string_view::npos || p.size() == 1 ? p : p.substr(slash + 1));
  };
  std::map<std::string, std::set<std::string>> uses;  // name -> paths
  for (const RootRow& row : out) uses[row.name].insert(row.path);
  for (const auto& [node, path] : unnamed) uses[last_folder(path)].insert(path);
  for (const auto& [node, path] : unnamed) {
    const std::string name = last_folder(path);
    out.push_back({uses[name].size() > 1 ? path : name, node, path, false, 0, 0});
  }
  for (const inventory::ScanRecord& s : all) {  // oldest first: the latest one stays
    if (s.state == inventory::ScanState::kRunning) continue;
    for (const std::string& r : s.roots) {
      for (RootRow& row : out) {
        if (row.path != r || !SameNode(row.node, s.node)) continue;
        row.last_scan = std::max(row.last_scan, s.now);
        row.excluded = s.totals.excluded;
        row.links_not_followed = s.totals.links_not_followed;
        row.other_filesystems = s.totals.other_filesystems;
      }
    }
  }
  return out;
}

const RootRow* RootOf(const std::vector<RootRow>& roots, std::string_view node,
                      std::string_view path) {
  // The deepest; of two at the same path, the one of the node.
  auto depth = [](const RootRow& r) { return std::make_pair(r.path.size(), !r.node.empty()); };
  const RootRow* best = nullptr;
  for (const RootRow& r : roots) {
    if (SameNode(r.node, node) && AtOrBelow(r.path, path) && (!best || depth(r) > depth(*best))) {
      best = &r;
    }
  }
  return best;
}

std::string HostName() {
  char host[256] = {};
  return ::gethostname(host, sizeof host - 1) == 0 ? std::string(host) : std::string();
}

std::optional<int64_t> ParseSince(std::string_view text, int64_t now) {
  if (auto d = policies::ParseDuration(text)) return now - *d;
  return ParseIso8601(text);
}

Result<ReportData> BuildReport(inventory::ReportReader& store, const ReportOptions& options,
                               const std::string& version) {
  ReportData data;
  data.options = options;
  data.version = version;
  const int64_t now = options.now;
  const int64_t since = options.since;

  auto expired = store.ExpireExceptions(now);
  if (!expired.ok()) return expired.status();
  auto totals = store.Totals();
  if (!totals.ok()) return totals.status();
  inventory::FindingQuery all_query;
  all_query.with_detections = true;
  all_query.nodes = options.nodes;
  all_query.roots = options.roots;
  auto findings = store.ListFindings(all_query);
  if (!findings.ok()) return findings.status();
  auto policy_records = store.Policies();
  if (!policy_records.ok()) return policy_records.status();
  auto events = store.Events(0);
  if (!events.ok()) return events.status();
  auto coverage = store.Coverage(options.coverage_examples);
  if (!coverage.ok()) return coverage.status();
  auto scans = store.Scans(0);  // all of them, for the roots they name
  if (!scans.ok()) return scans.status();
  data.roots = KnownRoots(options.origin, scans.value());
  std::erase_if(data.roots, [&](const RootRow& r) { return !InScope(options, r.node, {r.path}); });
  std::erase_if(scans.value(),
                [&](const inventory::ScanRecord& s) { return !InScope(options, s.node, s.roots); });
  auto last = store.LastCompleteScan();
  if (!last.ok()) return last.status();

  // When each finding last became new (first seen, or back after a fix), in the period.
  std::unordered_map<int64_t, bool> new_in_period;  // id -> reopened
  for (const FindingEvent& e : events.value()) {
    if (e.at < since || e.at > now || e.to != FindingStatus::kNew) continue;
    new_in_period[e.finding_id] = e.from == FindingStatus::kResolved;
  }

  // Who made each finding's latest decision (events come oldest first).
  std::unordered_map<int64_t, inventory::Actor> decided_by;
  for (const FindingEvent& e : events.value()) {
    if (!e.by.IsSystem()) decided_by[e.finding_id] = e.by;
  }

  std::map<std::string, PolicyCount> policies;
  for (const inventory::PolicyRecord& p : policy_records.value()) {
    PolicyCount& c = policies[p.id];
    c.policy = p.id;
    c.severity = p.severity;
    c.description = p.description;
    c.references = p.references;
  }
  std::map<std::string, uint64_t> severity;
  Summary& sum = data.summary;
  for (Finding& f : findings.value()) {
    PolicyCount& pc = policies[f.policy];
    if (pc.policy.empty()) {
      pc.policy = f.policy;  // a policy no longer loaded
      pc.severity = f.severity;
    }
    FindingRow row;
    row.description = pc.description;
    row.plain_reason = policies::PlainReason(f.kind, f.reason);
    row.age_days = std::max<int64_t>(0, (now - f.first_seen) / kDay);
    auto fresh = new_in_period.find(f.id);
    const bool is_new = fresh != new_in_period.end();
    row.reopened = is_new && fresh->second;
    if (auto by = decided_by.find(f.id); by != decided_by.end()) row.decided_by = by->second;
    const FindingStatus st = f.status;
    if (const RootRow* root = RootOf(data.roots, f.node, f.path)) {
      row.root = root->name;
      const size_t cut = root->path.size() + (root->path.back() == '/' ? 0 : 1);
      row.relative_path = f.path.size() > cut ? f.path.substr(cut) : std::string();
      data.roots[static_cast<size_t>(root - data.roots.data())].active += inventory::IsActive(st);
    }
    switch (st) {
      case FindingStatus::kNew:
        ++pc.new_count;
        break;
      case FindingStatus::kOpen:
        ++pc.open;
        break;
      case FindingStatus::kAcknowledged:
        ++pc.acknowledged;
        ++sum.acknowledged;
        break;
      case FindingStatus::kExcepted:
        ++pc.excepted;
        ++sum.excepted;
        break;
      case FindingStatus::kResolved:
        break;
    }
    if (inventory::IsActive(st)) {
      ++sum.active;
      ++severity[f.severity];
    }
    const bool resolved_now = st == FindingStatus::kResolved && f.resolved_at >= since;
    if (resolved_now) {
      ++pc.resolved_in_period;
      ++sum.resolved_in_period;
    }
    const bool expiring = st == FindingStatus::kExcepted &&
                          f.exception_until + kDay <= now + options.expiring_days * kDay;
    row.finding = std::move(f);
    row.expiring_soon = expiring;
    if (is_new) {
      ++sum.new_in_period;
      data.new_findings.push_back(row);
    } else if (inventory::IsActive(st)) {
      data.still_open.push_back(row);
    }
    if (resolved_now) data.resolved.push_back(row);
    if (st == FindingStatus::kExcepted) {
      data.excepted.push_back(row);
      if (expiring) {
        ++sum.expiring_soon;
        data.expiring.push_back(row);
      }
    }
  }

  auto by_first_seen = [](const FindingRow& a, const FindingRow& b) {
    if (a.finding.first_seen != b.finding.first_seen)
      return a.finding.first_seen < b.finding.first_seen;
    return a.finding.id < b.finding.id;
  };
  auto by_severity_then_id = [](const FindingRow& a, const FindingRow& b) {
    const int ra = SeverityRank(a.finding.severity), rb = SeverityRank(b.finding.severity);
    if (ra != rb) return ra < rb;
    return a.finding.id < b.finding.id;
  };
  std::sort(data.new_findings.begin(), data.new_findings.end(), by_severity_then_id);
  std::sort(data.still_open.begin(), data.still_open.end(), by_first_seen);
  std::sort(data.resolved.begin(), data.resolved.end(),
            [](const FindingRow& a, const FindingRow& b) {
              if (a.finding.resolved_at != b.finding.resolved_at)
                return a.finding.resolved_at > b.finding.resolved_at;
              return a.finding.id < b.finding.id;
            });
  auto by_until = [](const FindingRow& a, const FindingRow& b) {
    if (a.finding.exception_until != b.finding.exception_until) {
      return a.finding.exception_until < b.finding.exception_until;
    }
    return a.finding.id < b.finding.id;
  };
  std::sort(data.excepted.begin(), data.excepted.end(), by_until);
  std::sort(data.expiring.begin(), data.expiring.end(), by_until);

  for (auto& [id, c] : policies) data.by_policy.push_back(c);
  std::sort(data.by_policy.begin(), data.by_policy.end(),
            [](const PolicyCount& a, const PolicyCount& b) {
              if (a.active() != b.active()) return a.active() > b.active();
              return a.policy < b.policy;
            });
  std::vector<std::pair<std::string, uint64_t>> sev(severity.begin(), severity.end());
  for (const char* s : {"critical", "high", "medium", "low"}) {
    if (!severity.count(s)) sev.emplace_back(s, 0);
  }
  std::sort(sev.begin(), sev.end(), [](const auto& a, const auto& b) {
    const int ra = SeverityRank(a.first), rb = SeverityRank(b.first);
    return ra != rb ? ra < rb : a.first < b.first;
  });
  data.by_severity = std::move(sev);

  if (!options.nodes.empty() || !options.roots.empty()) {
    // The chart of the findings the filters keep.
    std::set<int64_t> kept;
    for (const inventory::Finding& f : findings.value()) kept.insert(f.id);
    std::erase_if(events.value(),
                  [&](const FindingEvent& e) { return kept.count(e.finding_id) == 0; });
  }
  data.weekly = Weekly(events.value(), now, options.weeks);
  data.coverage = std::move(coverage.value());
  for (const inventory::CoverageRow& c : data.coverage) sum.not_fully_scanned += c.items;
  // What the latest scan of each root left out, each scan counted once.
  std::set<int64_t> latest;
  for (const RootRow& root : data.roots) {
    int64_t id = 0;
    for (const inventory::ScanRecord& s : scans.value()) {
      for (const std::string& r : s.roots) {
        if (r == root.path && s.state != inventory::ScanState::kRunning) id = s.id;
      }
    }
    latest.insert(id);
  }
  for (const inventory::ScanRecord& s : scans.value()) {
    if (!latest.count(s.id)) continue;
    sum.excluded += s.totals.excluded;
    sum.links_not_followed += s.totals.links_not_followed;
    sum.other_filesystems += s.totals.other_filesystems;
  }
  for (inventory::ScanRecord& r : scans.value()) {
    if (r.now >= since) data.scans.push_back(std::move(r));
  }
  sum.scans_in_period = data.scans.size();
  sum.items = totals->items;
  sum.bytes = totals->bytes;
  sum.items_with_detections = totals->with_detections;
  if (last->has_value()) sum.last_complete_scan = (*last)->now;
  return data;
}

}  // namespace custos::report
