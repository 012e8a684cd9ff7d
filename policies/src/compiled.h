// The compiled form of policy files: what the loader produces and Evaluate reads.
// Built once, never changed afterwards (Evaluate runs on many threads).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "custos/base/glob.h"
#include "custos/base/item.h"
#include "custos/policies/policy.h"

namespace custos::policies::internal {

enum class AgeFrom { kContentDate, kMtime, kCtime };

struct Match {
  // An empty list means "no condition" (the loader rejects empty lists as written).
  std::vector<Glob> paths;
  std::vector<Category> categories;
  std::vector<std::string> detectors;
  uint64_t min_count = 1;
};

struct Retention {
  int64_t max_age = 0;       // seconds
  std::string max_age_text;  // as written, printed in reasons
  AgeFrom age_from = AgeFrom::kContentDate;
};

// Allowed owners or groups: names and numbers as written, plus the numbers they
// stand for on this host (names resolved at load; unknown names keep no number).
struct IdList {
  bool given = false;
  std::vector<std::string> written;
  std::vector<uint32_t> ids;
};

struct Access {
  std::optional<uint32_t> max_mode;  // permission bits (07777 mask)
  IdList owners;
  IdList groups;
  bool no_acl_grants_to_others = false;
};

struct Location {
  std::vector<Glob> allowed_paths;
};

struct Policy {
  PolicyInfo info;
  bool has_match = false;
  Match match;
  std::optional<Retention> retention;
  std::optional<Access> access;
  std::optional<Location> location;
  bool encryption_required = false;
  bool forbid = false;
};

struct LegalHold {
  std::vector<Glob> paths;
  std::string reason;
  std::optional<int64_t> until_end;  // exclusive: 00:00 UTC of the day after `until`
};

struct Compiled {
  std::vector<Policy> policies;
  std::vector<PolicyInfo> infos;
  std::vector<CustomDetector> detectors;
  std::vector<LegalHold> holds;
  std::vector<LegalHoldInfo> hold_infos;
};

}  // namespace custos::policies::internal
