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

// Whether `path` is `root` or below it ("/srv/a" holds "/srv/a/b", not "/srv/ab"); a
// root may end in '/'. An empty root holds nothing.
inline bool AtOrBelow(std::string_view root, std::string_view path) {
  if (root.empty() || path.substr(0, root.size()) != root) return false;
  return path.size() == root.size() || root.back() == '/' || path[root.size()] == '/';
}

}  // namespace custos
