// Evaluation of one item against the compiled policies.
//
// Skipped items (item.skipped non-empty: permission denied, size limit, ...) were not
// (fully) read, so what depends on content is unknown:
//   - access and location need only metadata: evaluated as usual;
//   - retention: judged on the content date when one was read anyway, else on mtime,
//     and the reason says " (content not read)" (a two-year-old CCTV clip we may not
//     read is still a retention breach);
//   - encryption: not evaluated (the category of an unread file is a guess);
//   - forbid: evaluated when the match holds (a match on detectors cannot hold
//     without detections; a match on paths alone can).
// Nothing here is mutable after construction: Evaluate runs on many threads at once.
#include <algorithm>
#include <cstdio>
#include <utility>

#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "policy_set_impl.h"

namespace custos::policies::internal {
namespace {

std::string Octal(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

std::string Rwx(uint32_t perms) {
  std::string s = "---";
  if (perms & 4) s[0] = 'r';
  if (perms & 2) s[1] = 'w';
  if (perms & 1) s[2] = 'x';
  return s;
}

std::string JoinEscaped(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ", ";
    out += EscapeBytes(parts[i], true);
  }
  return out;
}

std::string JoinGlobs(const std::vector<Glob>& globs) {
  std::vector<std::string> parts;
  for (const Glob& g : globs) parts.push_back(g.pattern());
  return JoinEscaped(parts);
}

std::string JoinReasons(const std::vector<std::string>& reasons) {
  std::string out;
  for (size_t i = 0; i < reasons.size(); ++i) {
    if (i) out += "; ";
    out += reasons[i];
  }
  return out;
}

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

bool IdAllowed(const IdList& list, const std::string& name, uint32_t id) {
  const std::string number = std::to_string(id);
  for (const std::string& w : list.written) {
    if ((!name.empty() && w == name) || w == number) return true;
  }
  return std::find(list.ids.begin(), list.ids.end(), id) != list.ids.end();
}

// The reason of a retention breach, and its steady form (without the age).
std::optional<std::pair<std::string, std::string>> RetentionReason(const Retention& r,
                                                                   const Item& item, int64_t now) {
  const bool skipped = !item.skipped.empty();
  int64_t base = 0;
  const char* verb = "modified";
  const char* note = "";
  if (r.age_from == AgeFrom::kContentDate && item.content_date) {
    base = *item.content_date;
    verb = "recorded";
  } else {
    if (!item.has_info) return std::nullopt;
    if (r.age_from == AgeFrom::kCtime) {
      base = item.info.ctime;
      verb = "changed";
    } else {
      base = item.info.mtime;
      if (r.age_from == AgeFrom::kContentDate) {
        note = skipped ? " (content not read)" : " (no content date)";
      }
    }
  }
  const int64_t age = now - base;
  if (age <= r.max_age) return std::nullopt;
  const int64_t days = age / 86400;  // age > 0: floor
  const std::string when = std::string(verb) + " " + FormatIso8601(base) + ", ";
  const std::string limit = "limit " + r.max_age_text + note;
  return std::make_pair(
      when + std::to_string(days) + (days == 1 ? " day old, " : " days old, ") + limit,
      when + limit);
}

std::vector<std::string> AccessReasons(const Access& a, const Item& item) {
  std::vector<std::string> reasons;
  if (item.has_info) {
    const uint32_t mode = item.info.mode & 07777;
    if (a.max_mode && (mode & ~*a.max_mode) != 0) {
      reasons.push_back("mode " + Octal(mode) + " exceeds " + Octal(*a.max_mode));
    }
    if (a.owners.given && !IdAllowed(a.owners, item.owner, item.info.uid)) {
      const std::string who = item.owner.empty() ? std::to_string(item.info.uid) : item.owner;
      reasons.push_back("owner '" + EscapeBytes(who, true) + "' not in [" +
                        JoinEscaped(a.owners.written) + "]");
    }
    if (a.groups.given && !IdAllowed(a.groups, item.group, item.info.gid)) {
      const std::string who = item.group.empty() ? std::to_string(item.info.gid) : item.group;
      reasons.push_back("group '" + EscapeBytes(who, true) + "' not in [" +
                        JoinEscaped(a.groups.written) + "]");
    }
  }
  if (a.no_acl_grants_to_others) {
    uint32_t mask = 7;
    for (const AclEntry& e : item.acl) {
      if (e.tag == AclEntry::Tag::kMask) mask = e.perms & 7;
    }
    for (const AclEntry& e : item.acl) {
      if (e.tag == AclEntry::Tag::kMask) continue;
      const uint32_t effective = e.perms & mask;
      if (effective == 0) continue;
      const bool user = e.tag == AclEntry::Tag::kUser;
      const IdList& list = user ? a.owners : a.groups;
      // Without an owners/groups list, only the file's own owner/group is not "others".
      bool allowed;
      if (list.given) {
        allowed = std::find(list.ids.begin(), list.ids.end(), e.id) != list.ids.end();
      } else {
        allowed = item.has_info && e.id == (user ? item.info.uid : item.info.gid);
      }
      if (!allowed) {
        reasons.push_back("ACL grants " + Rwx(effective) + (user ? " to user " : " to group ") +
                          std::to_string(e.id));
      }
    }
  }
  return reasons;
}

std::string ForbidReason(const Policy& p, const Item& item) {
  if (p.match.detectors.empty()) return "forbidden item";
  std::string found;
  std::vector<std::string> seen;
  for (const std::string& d : p.match.detectors) {
    if (std::find(seen.begin(), seen.end(), d) != seen.end()) continue;
    seen.push_back(d);
    const uint64_t n = DetectionCount(item, d);
    if (n == 0) continue;
    if (!found.empty()) found += ", ";
    found += d + " x" + std::to_string(n);
  }
  return "forbidden content present (" + found + ")";
}

class PolicySetImpl final : public PolicySet {
 public:
  explicit PolicySetImpl(Compiled c) : c_(std::move(c)) {
    needs_acl_ = std::any_of(c_.policies.begin(), c_.policies.end(), [](const Policy& p) {
      return p.access && p.access->no_acl_grants_to_others;
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
    // The location reason names the policy's allowed paths: the same text every time.
    for (const Policy& p : c_.policies) {
      location_reasons_.push_back(p.location ? "outside allowed paths [" +
                                                   JoinGlobs(p.location->allowed_paths) + "]"
                                             : std::string());
    }
  }

  void Evaluate(Item& item, int64_t now) const override {
    const bool skipped = !item.skipped.empty();
    bool held = false;
    for (const LegalHold& h : c_.holds) {
      if (h.until_end && now >= *h.until_end) continue;  // expired
      if (AnyMatches(h.paths, item.path)) {
        item.legal_hold = h.reason;
        held = true;
        break;
      }
    }
    thread_local std::vector<int8_t> paths_match;
    paths_match.assign(c_.policies.size(), -1);
    for (size_t i = 0; i < c_.policies.size(); ++i) {
      const Policy& p = c_.policies[i];
      if (!Matches(p, item, &paths_match[path_list_[i]])) continue;
      auto add = [&](const char* kind, std::string reason) {
        item.violations.push_back({p.info.id, kind, p.info.severity, std::move(reason)});
      };
      if (p.retention && !held) {
        if (auto r = RetentionReason(*p.retention, item, now)) {
          add("retention", std::move(r->first));
          item.violations.back().steady_reason = std::move(r->second);
        }
      }
      if (p.access) {
        auto reasons = AccessReasons(*p.access, item);
        if (!reasons.empty()) add("access", JoinReasons(reasons));
      }
      if (p.location && !AnyMatches(p.location->allowed_paths, item.path)) {
        add("location", location_reasons_[i]);
      }
      if (p.encryption_required && !skipped && item.category != Category::kEncrypted) {
        add("encryption",
            "stored unencrypted (category " + std::string(CategoryName(item.category)) + ")");
      }
      if (p.forbid) add("forbidden", ForbidReason(p, item));
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
  std::vector<std::string> location_reasons_;  // by policy
  std::vector<size_t> path_list_;              // by policy: the first policy with the same paths
};

}  // namespace

std::unique_ptr<PolicySet> MakePolicySet(Compiled compiled) {
  return std::make_unique<PolicySetImpl>(std::move(compiled));
}

}  // namespace custos::policies::internal
