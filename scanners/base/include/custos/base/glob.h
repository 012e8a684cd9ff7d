// Path globs, used by exclude lists, policy `paths`, `allowed_paths` and legal holds.
//
// Syntax: `*` any run of characters except '/', `?` one character except '/',
// `**` any run including '/', `/**/` zero or more whole folders, `[abc]`, `[a-z]`,
// `[!abc]` character classes, `\c` a literal c. A pattern holding no '/' is matched
// against the file's base name (as in .gitignore); any other pattern against the whole
// absolute path. Matching works on raw bytes.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/status.h"

namespace re2 {
class RE2;
}

namespace custos {

class Glob {
 public:
  // Compiles `pattern`; an unclosed '[', a trailing '\' or an empty pattern is an
  // error whose message names the problem (without file position).
  static Result<Glob> Compile(std::string_view pattern);

  // True when `path` (absolute) matches. Thread-safe.
  bool Matches(std::string_view path) const;
  // True when `dir` (absolute, no trailing '/') or anything below it could only ever
  // match: used to prune whole folders from a walk ("/srv/x/**" prunes "/srv/x").
  bool MatchesDirTree(std::string_view dir) const;

  const std::string& pattern() const { return pattern_; }

 private:
  bool MatchesName(std::string_view name) const;

  std::string pattern_;
  bool basename_only_ = false;
  // Fast paths that settle most paths without running the regular expression: the
  // literal text every match starts with and ends with, and whether the pattern is
  // exactly that prefix followed by "**" (any path below) or is all literal.
  std::string prefix_;
  std::string suffix_;
  enum class Shape { kRegex, kLiteral, kPrefixAnything } shape_ = Shape::kRegex;
  // Ends in "/**": whether a path matches depends only on its folder, so the answer
  // is remembered per thread for the folder last seen (files come folder by folder).
  bool folder_only_ = false;
  // The bytes every match ends with, as one set of allowed bytes per position: literal
  // characters and simple classes after the last '*' ("*.[Dd][Aa][Vv]" ends in 4). A
  // name whose end falls outside is no match, without the regular expression. When the
  // base-name pattern is a single '*' before them, they decide alone.
  std::vector<std::array<uint64_t, 4>> tail_;
  bool star_then_tail_ = false;
  uint64_t id_ = 0;  // tells compiled globs apart in that memory
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace custos
