// Reading a policy file's values: the shared YAML reader (custos/yaml/reader.h) with
// the policy file's rules (null is a missing value, lists are not empty unless said,
// globs compiled), for the loader and the policy kinds.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/glob.h"
#include "custos/yaml/reader.h"

namespace custos::policies::internal {

class PolicyReader {
 public:
  explicit PolicyReader(yaml::Reader& reader) : r_(reader) {}

  void Error(yaml::Pos pos, yaml::Problem problem) { r_.Report(pos, std::move(problem)); }
  void Error(const YAML::Node& node, yaml::Problem problem) { r_.Report(node, std::move(problem)); }

  yaml::Fields ReadMap(const YAML::Node& map, const yaml::Names& allowed, std::string_view where) {
    return r_.ReadMap(map, allowed, where);
  }
  std::optional<std::string> Scalar(const yaml::Field& f, std::string_view key) {
    return r_.Scalar(f, key);
  }
  // A list of scalars: null is "missing value", an empty list is reported unless allowed.
  std::optional<yaml::Scalars> ScalarList(const yaml::Field& f, std::string_view key,
                                          bool allow_empty) {
    return r_.ScalarList(f, key, false, allow_empty);
  }
  // True when the field is a map; reports null and other types.
  bool IsMap(const yaml::Field& f, std::string_view key) { return r_.IsMap(f, key, false); }
  std::optional<bool> Bool(const yaml::Field& f, std::string_view key) {
    return r_.Bool(f, key, false);
  }
  // A non-empty list of globs; bad ones are reported and left out.
  std::vector<Glob> Globs(const yaml::Field& f, std::string_view key);

 private:
  yaml::Reader& r_;
};

}  // namespace custos::policies::internal
