#include "reader.h"

#include "messages.h"

namespace custos::policies::internal {
namespace {

// "glob 'X' has an unclosed '['" (base's wording) -> "unclosed '['".
std::string GlobProblem(std::string_view pattern, std::string_view message) {
  const std::string prefix = "glob '" + std::string(pattern) + "' ";
  std::string_view rest = message;
  if (rest.substr(0, prefix.size()) == prefix) rest.remove_prefix(prefix.size());
  for (std::string_view filler : {"has an ", "has a ", "is "}) {
    if (rest.substr(0, filler.size()) == filler) {
      rest.remove_prefix(filler.size());
      break;
    }
  }
  if (rest == "empty glob") return "empty";
  return std::string(rest);
}

}  // namespace

std::vector<Glob> PolicyReader::Globs(const yaml::Field& f, std::string_view key) {
  std::vector<Glob> globs;
  auto list = ScalarList(f, key, false);
  if (!list) return globs;
  for (const auto& [text, node] : *list) {
    auto g = Glob::Compile(text);
    if (!g.ok()) {
      Error(node, msg::BadGlob(text, GlobProblem(text, g.status().message())));
      continue;
    }
    globs.push_back(std::move(g).value());
  }
  return globs;
}

}  // namespace custos::policies::internal
