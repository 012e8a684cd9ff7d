// Every diagnostic text of the policy loader, in one place. Values taken from the
// file are escaped (control characters and invalid UTF-8 as \xNN) before they are
// put into a message. tests/policies/policy_errors_test.cc checks the exact texts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace custos::policies::msg {

// Reading and parsing.
std::string CannotRead(std::string_view strerror_text);  // cannot read: No such file...
std::string TooLarge(uint64_t limit);                    // cannot read: larger than N bytes
std::string Syntax(std::string_view yaml_message);       // YAML syntax error: ...
std::string SecondDocument();

// Structure. `where` is "at top level", "in policy", "in match", ...
std::string UnknownKey(std::string_view key, std::string_view where, std::string_view expected);
std::string DuplicateKey(std::string_view key, std::string_view where, std::string_view first_at);
std::string NonScalarKey(std::string_view where, std::string_view got);
std::string Missing(std::string_view key, std::string_view where);
std::string MissingValue(std::string_view key);
std::string EmptyValue(std::string_view key);
std::string EmptyList(std::string_view key);
// "expected a list for 'paths', got a map"
std::string WrongType(std::string_view expected, std::string_view key, std::string_view got);
// "expected a string in 'paths', got a map"
std::string WrongElementType(std::string_view expected, std::string_view key, std::string_view got);
std::string TopLevelNotMap(std::string_view got);

// Values. bad VALUE (expected ...): "bad severity 'urgent' (expected low, ...)".
std::string BadValue(std::string_view what, std::string_view value, std::string_view expected);
std::string BadDuration(std::string_view value);
std::string BadGlob(std::string_view pattern, std::string_view problem);
std::string BadPattern(std::string_view re2_error);
std::string UnknownCategory(std::string_view name);
std::string UnknownDetector(std::string_view id);
std::string MinCountWithoutDetectors();
std::string NoRule(std::string_view policy_id);
std::string NoAccessCheck();

// Identifiers.
std::string BadPolicyId(std::string_view id);
std::string BadDetectorId(std::string_view id);
std::string BuiltinDetectorClash(std::string_view id);
std::string DuplicatePolicyId(std::string_view id, std::string_view first_at);
std::string DuplicateDetectorId(std::string_view id, std::string_view first_at);

// Node kinds as named in messages: "a map", "a list", "a string", "null".
std::string_view KindName(int yaml_node_type);

}  // namespace custos::policies::msg
