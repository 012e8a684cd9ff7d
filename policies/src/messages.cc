#include "messages.h"

#include <algorithm>

#include "custos/base/escape.h"
#include "custos/base/item.h"
#include "custos/policies/policy.h"
#include "kinds/kinds.h"

namespace custos::policies::msg {

using yaml::Code;
using yaml::Quote;

Problem BadDuration(std::string_view key, std::string_view value) {
  return yaml::msg::Bad("duration", key, value, "a number and a unit: s, min, h, d, w, mo, y");
}
Problem BadDate(std::string_view key, std::string_view value) {
  return yaml::msg::Bad("date", key, value, "YYYY-MM-DD");
}
Problem BadGlob(std::string_view pattern, std::string_view problem) {
  return {Code::kBadValue, "bad glob " + Quote(pattern) + ": " + std::string(problem)};
}
Problem BadPattern(std::string_view re2_error) {
  return {Code::kBadValue, "bad pattern: " + EscapeBytes(re2_error, true)};
}
Problem UnknownCategory(std::string_view name) {
  yaml::Names names;
  for (int c = 0; c <= static_cast<int>(Category::kOther); ++c) {
    names.push_back(CategoryName(static_cast<Category>(c)));
  }
  return yaml::msg::UnknownName("category", name, names);
}
Problem UnknownDetector(std::string_view id, const yaml::Names& custom) {
  // The built-in ones in the order of their names (the registry's order is priority).
  yaml::Names names;
  for (const detect::DetectorDef& d : detect::BuiltinDetectors()) names.push_back(d.id);
  std::sort(names.begin(), names.end());
  names.insert(names.end(), custom.begin(), custom.end());
  return yaml::msg::UnknownName("detector", id, names);
}
Problem MinCountWithoutDetectors() {
  return {Code::kMissingKey, "'min_count' needs 'detectors' in the same match"};
}
Problem NoRule(std::string_view policy_id) {
  std::string who = policy_id.empty() ? "policy" : "policy " + Quote(policy_id);
  yaml::Names kinds;
  for (const internal::PolicyKind& k : internal::PolicyKinds()) kinds.push_back(k.as_rule);
  return {Code::kMissingKey,
          who + " has no rule (expected at least one of " + yaml::JoinNames(kinds) + ")"};
}
Problem NoAccessCheck() {
  return {Code::kMissingKey,
          "access checks nothing (expected max_mode, owners, groups or "
          "no_acl_grants_to_others: true)"};
}

Problem BadPolicyId(std::string_view id) {
  return {Code::kBadValue,
          "bad policy id " + Quote(id) + " (expected lowercase letters, digits and '-')"};
}
Problem BadDetectorId(std::string_view id) {
  return {Code::kBadValue,
          "bad detector id " + Quote(id) + " (expected lowercase letters, digits, '_' and '-')"};
}
Problem BuiltinDetectorClash(std::string_view id) {
  return {Code::kDuplicate, "detector id " + Quote(id) + " is already a built-in detector"};
}
Problem DuplicatePolicyId(std::string_view id, std::string_view first_at) {
  return {Code::kDuplicate,
          "duplicate policy id " + Quote(id) + " (first defined at " + std::string(first_at) + ")"};
}
Problem DuplicateDetectorId(std::string_view id, std::string_view first_at) {
  return {Code::kDuplicate, "duplicate detector id " + Quote(id) + " (first defined at " +
                                std::string(first_at) + ")"};
}

}  // namespace custos::policies::msg
