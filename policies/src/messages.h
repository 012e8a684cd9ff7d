// Every diagnostic text of the policy loader, in one place; the wording shared with the
// daemon config (unknown keys, types, missing values, bad values) comes from
// custos/yaml/reader.h. Values taken from the file are escaped before they are put into
// a message. tests/policies/policy_errors_test.cc checks the exact texts.
#pragma once

#include <string>
#include <string_view>

#include "custos/yaml/reader.h"

namespace custos::policies::msg {

using yaml::Problem;
// The shared wording.
using yaml::msg::BadValue;
using yaml::msg::EmptyList;
using yaml::msg::EmptyValue;
using yaml::msg::Missing;
using yaml::msg::MissingValue;
using yaml::msg::TopLevelNotMap;
using yaml::msg::WrongElementType;
using yaml::msg::WrongType;

// Values. "bad duration '30 days' for 'max_age' (expected ...)".
Problem BadDuration(std::string_view key, std::string_view value);
Problem BadDate(std::string_view key, std::string_view value);
Problem BadGlob(std::string_view pattern, std::string_view problem);
Problem BadPattern(std::string_view re2_error);
// "unknown category 'videos' (expected video, image, ...)": every category.
Problem UnknownCategory(std::string_view name);
// "unknown detector 'x' (expected email, ...)": the built-in detectors, then `custom`.
Problem UnknownDetector(std::string_view id, const yaml::Names& custom);
Problem MinCountWithoutDetectors();
Problem NoRule(std::string_view policy_id);
Problem NoAccessCheck();

// Identifiers.
Problem BadPolicyId(std::string_view id);
Problem BadDetectorId(std::string_view id);
Problem BuiltinDetectorClash(std::string_view id);
Problem DuplicatePolicyId(std::string_view id, std::string_view first_at);
Problem DuplicateDetectorId(std::string_view id, std::string_view first_at);

}  // namespace custos::policies::msg
