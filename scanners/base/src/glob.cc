#include "custos/base/glob.h"

#include <re2/re2.h>

#include <atomic>

namespace custos {
namespace {

void AppendLiteral(std::string& re, char c) {
  if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) re += '\\';
  if (c == '\0') {
    re += "\\x00";
    return;
  }
  re += c;
}

// One position of a pattern, for the tail fast path: a byte, a set of bytes (a simple
// class), a single '*', or anything else ("**", '?', negated or escaped classes).
// Compile records one per position as it translates the pattern.
struct Unit {
  enum Kind { kSet, kStar, kOther } kind = kOther;
  std::array<uint64_t, 4> set{};
  void Add(unsigned char c) { set[c >> 6] |= uint64_t{1} << (c & 63); }
};

// A class "[...]" (its body, without the brackets and the negation) as a set of
// bytes; negated classes and classes with escapes are left to the regex (kOther).
Unit ClassUnit(std::string_view body, bool negated) {
  Unit u;
  if (negated || body.find('\\') != std::string_view::npos) return u;
  u.kind = Unit::kSet;
  for (size_t k = 0; k < body.size(); ++k) {
    const auto lo = static_cast<unsigned char>(body[k]);
    if (k + 2 < body.size() && body[k + 1] == '-') {
      const auto hi = static_cast<unsigned char>(body[k + 2]);
      for (unsigned b = lo; b <= hi; ++b) u.Add(static_cast<unsigned char>(b));
      k += 2;
    } else {
      u.Add(lo);
    }
  }
  return u;
}

Unit ByteUnit(char c) {
  Unit u;
  u.kind = Unit::kSet;
  u.Add(static_cast<unsigned char>(c));
  return u;
}

bool InSet(const std::array<uint64_t, 4>& set, char c) {
  const auto b = static_cast<unsigned char>(c);
  return (set[b >> 6] >> (b & 63)) & 1;
}

}  // namespace

Result<Glob> Glob::Compile(std::string_view pattern) {
  if (pattern.empty()) return Status::Invalid("empty glob");
  std::string re = "(?s)";  // '.' must match newline bytes in file names too
  std::vector<Unit> units;  // the same pattern, position by position (tail fast path)
  const size_t n = pattern.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = pattern[i];
    units.emplace_back();
    if (c == '*') {
      if (i + 1 >= n || pattern[i + 1] != '*') units.back().kind = Unit::kStar;
      if (i + 1 < n && pattern[i + 1] == '*') {
        const bool slash_before = i == 0 || pattern[i - 1] == '/';
        const bool slash_after = i + 2 < n && pattern[i + 2] == '/';
        if (slash_before && slash_after) {
          re += "(?:.*/)?";  // "/**/": zero or more folders
          i += 2;
        } else {
          re += ".*";
          i += 1;
        }
      } else {
        re += "[^/]*";
      }
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '\\') {
      if (i + 1 >= n) return Status::Invalid("glob '" + std::string(pattern) + "' ends in '\\'");
      AppendLiteral(re, pattern[++i]);
      units.back() = ByteUnit(pattern[i]);
    } else if (c == '[') {
      size_t j = i + 1;
      std::string cls = "[";
      if (j < n && (pattern[j] == '!' || pattern[j] == '^')) {
        cls += '^';
        ++j;
      }
      const size_t first = j;
      bool closed = false;
      for (; j < n; ++j) {
        const char d = pattern[j];
        if (d == ']' && j > first) {
          closed = true;
          break;
        }
        if (d == '\\' && j + 1 < n) {
          cls += '\\';
          cls += pattern[++j];
        } else if (d == '[' || d == '\\' || d == '^') {
          cls += '\\';
          cls += d;
        } else {
          cls += d;
        }
      }
      if (!closed)
        return Status::Invalid("glob '" + std::string(pattern) + "' has an unclosed '['");
      const bool negated = cls.size() > 1 && cls[1] == '^';
      if (negated) cls += "/";  // negated classes never match '/'
      cls += ']';
      re += cls;
      units.back() = ClassUnit(pattern.substr(first, j - first), negated);
      i = j;
    } else {
      AppendLiteral(re, c);
      units.back() = ByteUnit(c);
    }
  }
  RE2::Options opts;
  opts.set_encoding(RE2::Options::EncodingLatin1);  // raw bytes
  opts.set_log_errors(false);
  auto compiled = std::make_shared<const re2::RE2>(re, opts);
  if (!compiled->ok()) {
    return Status::Invalid("glob '" + std::string(pattern) +
                           "' is not valid: " + compiled->error());
  }
  Glob g;
  g.pattern_ = std::string(pattern);
  g.basename_only_ = pattern.find('/') == std::string_view::npos;
  g.re_ = std::move(compiled);
  // The literal text before the first and after the last special character ('\\'
  // escapes are left to the regular expression: the fast paths stop at them).
  const size_t first = pattern.find_first_of("*?[\\");
  const size_t last = pattern.find_last_of("*?[]\\");
  if (first == std::string_view::npos) {
    g.shape_ = Shape::kLiteral;
    g.prefix_ = g.pattern_;
  } else {
    g.prefix_ = std::string(pattern.substr(0, first));
    g.suffix_ = std::string(pattern.substr(last + 1));
    // In "/**/" the slash after the stars belongs to them (zero folders match).
    if (g.suffix_.starts_with('/') && last >= 1 && pattern.substr(last - 1, 2) == "**")
      g.suffix_.erase(0, 1);
    if (pattern.substr(first) == "**") g.shape_ = Shape::kPrefixAnything;
  }
  static std::atomic<uint64_t> next_id{1};
  g.id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  g.folder_only_ = g.shape_ == Shape::kRegex && pattern.ends_with("/**");
  if (g.shape_ == Shape::kRegex) {
    size_t t = units.size();
    while (t > 0 && units[t - 1].kind == Unit::kSet) --t;
    for (size_t k = t; k < units.size(); ++k) g.tail_.push_back(units[k].set);
    g.star_then_tail_ = g.basename_only_ && t == 1 && units[0].kind == Unit::kStar;
  }
  return g;
}

bool Glob::MatchesName(std::string_view name) const {
  switch (shape_) {
    case Shape::kLiteral:
      return name == prefix_;
    case Shape::kPrefixAnything:
      return name.starts_with(prefix_);
    case Shape::kRegex:
      break;
  }
  if (name.size() < prefix_.size() + suffix_.size() || !name.starts_with(prefix_) ||
      !name.ends_with(suffix_) || name.size() < tail_.size()) {
    return false;
  }
  const size_t tail_at = name.size() - tail_.size();
  for (size_t k = 0; k < tail_.size(); ++k) {
    if (!InSet(tail_[k], name[tail_at + k])) return false;
  }
  if (star_then_tail_) return name.find('/') >= tail_at;  // '*' takes any but '/'
  return RE2::FullMatch(re2::StringPiece(name.data(), name.size()), *re_);
}

bool Glob::Matches(std::string_view path) const {
  if (basename_only_) {
    const size_t slash = path.rfind('/');
    if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  }
  if (!folder_only_) return MatchesName(path);
  // The final "/**" can take whatever follows any '/' of the path, so "DIR/NAME"
  // matches exactly when "DIR/" does.
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return MatchesName(path);
  const std::string_view folder = path.substr(0, slash + 1);
  struct Remembered {
    uint64_t glob = 0;
    std::string folder;
    bool matches = false;
  };
  // One slot per glob for the first kSlots globs compiled (ids are sequential), so that
  // the folder globs of a policy set do not push each other out.
  constexpr size_t kSlots = 256;
  thread_local Remembered memory[kSlots];
  Remembered& m = memory[id_ % kSlots];
  if (m.glob != id_ || m.folder != folder) {
    m.glob = id_;
    m.folder.assign(folder);
    m.matches = MatchesName(folder);
  }
  return m.matches;
}

bool Glob::MatchesDirTree(std::string_view dir) const {
  if (Matches(dir)) return true;
  if (basename_only_) return false;
  std::string with_slash(dir);
  with_slash += '/';
  return MatchesName(with_slash);
}

}  // namespace custos
