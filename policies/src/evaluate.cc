// Evaluation of one item against the compiled policies: the legal holds, then each
// policy whose match holds, rule by rule (kinds/: retention, access, location,
// encryption, forbid).
//
// Skipped items (item.skipped set: permission denied, size limit, ...) were not
// (fully) read, so what depends on content is unknown; each kind says what it judges
// of them (access and location need only metadata; retention falls back to the mtime;
// encryption is not judged; forbid holds when the match does: a match on detectors
// cannot hold without detections, a match on paths alone can).
// Nothing here is mutable after construction: Evaluate runs on many threads at once.
#include <algorithm>
#include <utility>

#include "policy_set_impl.h"

namespace custos::policies::internal {
namespace {

bool SamePatterns(const std::vector<Glob>& a, const std::vector<Glob>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const Glob& x, const Glob& y) { return x.pattern() == y.pattern(); });
}

bool AnyMatches(const std::vector<Glob>& globs, const std::string& path) {
  return std::any_of(globs.begin(), globs.end(), [&](const Glob& g) { return g.Matches(path); });
}

uint64_t DetectionCount(const Item& item, const std::string& detector) {
  uint64_t n = 0;
  for (const Detection& d : item.detections) {
    if (d.detector == detector) n += d.count;
  }
  return n;
}

// `paths_match`: whether the item's path matches p.match.paths, when another policy
// with the same list has found out already (-1: not known yet); set here otherwise.
bool Matches(const Policy& p, const Item& item, int8_t* paths_match) {
  // Cheapest conditions first: path globs run a regular expression over the path.
  const Match& m = p.match;
  if (!m.categories.empty() &&
      std::find(m.categories.begin(), m.categories.end(), item.category) == m.categories.end()) {
    return false;
  }
  if (!m.detectors.empty()) {
    uint64_t total = 0;
    for (const std::string& d : m.detectors) total += DetectionCount(item, d);
    if (total < m.min_count) return false;
  }
  if (m.paths.empty()) return true;
  if (*paths_match < 0) *paths_match = AnyMatches(m.paths, item.path) ? 1 : 0;
  return *paths_match == 1;
}

class PolicySetImpl final : public PolicySet {
 public:
  explicit PolicySetImpl(Compiled c) : c_(std::move(c)) {
    needs_acl_ = std::any_of(c_.policies.begin(), c_.policies.end(), [](const Policy& p) {
      return std::any_of(p.rules.begin(), p.rules.end(),
                         [](const PolicyRule& r) { return r.rule->NeedsAcl(); });
    });
    // Policies often share a list of paths (a YAML anchor): each list is matched once
    // per item.
    for (size_t i = 0; i < c_.policies.size(); ++i) {
      size_t same = i;
      for (size_t j = 0; j < i && same == i; ++j) {
        if (SamePatterns(c_.policies[j].match.paths, c_.policies[i].match.paths)) same = j;
      }
      path_list_.push_back(same == i ? i : path_list_[same]);
    }
  }

  void Evaluate(Item& item, int64_t now) const override {
    bool held = false;
    for (const LegalHold& h : c_.holds) {
      if (h.until_end && now >= *h.until_end) continue;  // expired
      if (AnyMatches(h.paths, item.path)) {
        item.legal_hold = h.reason;
        held = true;
        break;
      }
    }
    const bool skipped = !item.skipped.empty();
    thread_local std::vector<int8_t> paths_match;
    paths_match.assign(c_.policies.size(), -1);
    for (size_t i = 0; i < c_.policies.size(); ++i) {
      const Policy& p = c_.policies[i];
      if (!Matches(p, item, &paths_match[path_list_[i]])) continue;
      const Judged judged{item, now, held, skipped, p};
      for (const PolicyRule& r : p.rules) {
        std::optional<Breach> breach = r.rule->Judge(judged);
        if (!breach) continue;
        item.violations.push_back({p.info.id, r.kind->violation, p.info.severity,
                                   std::move(breach->reason), std::move(breach->steady_reason)});
      }
    }
  }

  bool NeedsAcl() const override { return needs_acl_; }
  size_t policy_count() const override { return c_.policies.size(); }
  const std::vector<CustomDetector>& custom_detectors() const override { return c_.detectors; }
  const std::vector<PolicyInfo>& policies() const override { return c_.infos; }
  const std::vector<LegalHoldInfo>& legal_holds() const override { return c_.hold_infos; }

 private:
  Compiled c_;
  bool needs_acl_ = false;
  std::vector<size_t> path_list_;  // by policy: the first policy with the same paths
};

}  // namespace

std::unique_ptr<PolicySet> MakePolicySet(Compiled compiled) {
  return std::make_unique<PolicySetImpl>(std::move(compiled));
}

}  // namespace custos::policies::internal
