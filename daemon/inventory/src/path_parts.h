// Folder and entry name of a path, as the inventory stores them (internal).
#pragma once

#include <string_view>
#include <utility>

namespace custos::inventory {

// "/a/b/c" -> ("/a/b", "c"); "/c" -> ("/", "c"); "c" -> ("", "c").
inline std::pair<std::string_view, std::string_view> SplitPath(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), path};
  if (slash == 0) return {path.substr(0, 1), path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace custos::inventory
