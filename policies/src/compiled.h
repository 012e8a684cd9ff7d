// The compiled form of policy files: what the loader produces and Evaluate reads.
// Built once, never changed afterwards (Evaluate runs on many threads).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "custos/base/glob.h"
#include "custos/base/item.h"
#include "custos/policies/policy.h"
#include "kinds/kinds.h"

namespace custos::policies::internal {

struct Match {
  // An empty list means "no condition" (the loader rejects empty lists as written).
  std::vector<Glob> paths;
  std::vector<Category> categories;
  std::vector<std::string> detectors;
  uint64_t min_count = 1;
};

// One rule of a policy and the kind it is of (kinds/kinds.h).
struct PolicyRule {
  const PolicyKind* kind = nullptr;
  std::unique_ptr<const Rule> rule;
};

struct Policy {
  PolicyInfo info;
  bool has_match = false;
  Match match;
  std::vector<PolicyRule> rules;  // in the order of the kinds table
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
