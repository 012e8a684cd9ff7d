// Paths as text.
#pragma once

#include <string>
#include <string_view>

namespace custos {

// The folder a path names a file in: "/a/b/c" -> "/a/b", "/c" -> "/", "c" -> ".".
inline std::string FolderOf(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace custos
