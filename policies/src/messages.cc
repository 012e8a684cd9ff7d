#include "messages.h"

#include <yaml-cpp/yaml.h>

#include "custos/base/escape.h"

namespace custos::policies::msg {
namespace {

// A value from the file, quoted and made safe for a terminal or a log line.
std::string Q(std::string_view v) { return "'" + EscapeBytes(v, true) + "'"; }

}  // namespace

std::string CannotRead(std::string_view e) { return "cannot read: " + std::string(e); }
std::string TooLarge(uint64_t limit) {
  return "cannot read: larger than " + std::to_string(limit) + " bytes";
}
std::string Syntax(std::string_view m) { return "YAML syntax error: " + std::string(m); }
std::string SecondDocument() {
  return "unexpected second YAML document (a policy file holds one map)";
}

std::string UnknownKey(std::string_view key, std::string_view where, std::string_view expected) {
  return "unknown key " + Q(key) + " " + std::string(where) + " (expected " +
         std::string(expected) + ")";
}
std::string DuplicateKey(std::string_view key, std::string_view where, std::string_view first_at) {
  return "duplicate key " + Q(key) + " " + std::string(where) + " (first at " +
         std::string(first_at) + ")";
}
std::string NonScalarKey(std::string_view where, std::string_view got) {
  return "expected a string key " + std::string(where) + ", got " + std::string(got);
}
std::string Missing(std::string_view key, std::string_view where) {
  return "missing '" + std::string(key) + "' " + std::string(where);
}
std::string MissingValue(std::string_view key) {
  return "missing value for '" + std::string(key) + "'";
}
std::string EmptyValue(std::string_view key) {
  return "empty value for '" + std::string(key) + "'";
}
std::string EmptyList(std::string_view key) { return "empty list for '" + std::string(key) + "'"; }
std::string WrongType(std::string_view expected, std::string_view key, std::string_view got) {
  return "expected " + std::string(expected) + " for '" + std::string(key) + "', got " +
         std::string(got);
}
std::string WrongElementType(std::string_view expected, std::string_view key,
                             std::string_view got) {
  return "expected " + std::string(expected) + " in '" + std::string(key) + "', got " +
         std::string(got);
}
std::string TopLevelNotMap(std::string_view got) {
  return "expected a map at top level, got " + std::string(got);
}

std::string BadValue(std::string_view what, std::string_view value, std::string_view expected) {
  return "bad " + std::string(what) + " " + Q(value) + " (expected " + std::string(expected) + ")";
}
std::string BadDuration(std::string_view value) {
  return BadValue("duration", value, "a number and a unit: s, min, h, d, w, mo, y");
}
std::string BadGlob(std::string_view pattern, std::string_view problem) {
  return "bad glob " + Q(pattern) + ": " + std::string(problem);
}
std::string BadPattern(std::string_view re2_error) {
  return "bad pattern: " + EscapeBytes(re2_error, true);
}
std::string UnknownCategory(std::string_view name) { return "unknown category " + Q(name); }
std::string UnknownDetector(std::string_view id) { return "unknown detector " + Q(id); }
std::string MinCountWithoutDetectors() { return "'min_count' needs 'detectors' in the same match"; }
std::string NoRule(std::string_view policy_id) {
  std::string who = policy_id.empty() ? "policy" : "policy " + Q(policy_id);
  return who +
         " has no rule (expected at least one of retention, access, location, "
         "encryption: required, forbid: true)";
}
std::string NoAccessCheck() {
  return "access checks nothing (expected max_mode, owners, groups or "
         "no_acl_grants_to_others: true)";
}

std::string BadPolicyId(std::string_view id) {
  return BadValue("policy id", id, "lowercase letters, digits and '-'");
}
std::string BadDetectorId(std::string_view id) {
  return BadValue("detector id", id, "lowercase letters, digits, '_' and '-'");
}
std::string BuiltinDetectorClash(std::string_view id) {
  return "detector id " + Q(id) + " is already a built-in detector";
}
std::string DuplicatePolicyId(std::string_view id, std::string_view first_at) {
  return "duplicate policy id " + Q(id) + " (first defined at " + std::string(first_at) + ")";
}
std::string DuplicateDetectorId(std::string_view id, std::string_view first_at) {
  return "duplicate detector id " + Q(id) + " (first defined at " + std::string(first_at) + ")";
}

std::string_view KindName(int t) {
  switch (t) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a string";
    default:
      return "null";
  }
}

}  // namespace custos::policies::msg
