#include "custos/yaml/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "custos/base/escape.h"
#include "custos/base/fd.h"

namespace custos::yaml {
namespace {

// The lines of `text` without their line ends.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

size_t Indent(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

bool IsContent(std::string_view line) {
  const size_t i = line.find_first_not_of(" \t");
  return i != std::string_view::npos && line[i] != '#';
}

// Where the key of a block line starts: after its indentation and any "- " entries.
size_t KeyColumn(std::string_view line) {
  size_t i = Indent(line);
  while (i + 1 < line.size() && line[i] == '-' && line[i + 1] == ' ') {
    i += 2;
    while (i < line.size() && line[i] == ' ') ++i;
  }
  return i;
}

// A YAML syntax error as something to fix: tabs used for indentation and lines that
// do not line up are told as such; otherwise yaml-cpp's message, with a hint.
std::pair<Pos, Problem> SyntaxProblem(std::string_view text, const YAML::Exception& e) {
  Pos pos = PosOf(e.mark);
  const std::vector<std::string_view> lines = Lines(text);
  const size_t last = pos.line > 0 ? std::min<size_t>(pos.line, lines.size()) : lines.size();
  for (size_t i = 0; i < last; ++i) {
    const std::string_view line = lines[i];
    const size_t j = line.find_first_not_of(' ');
    if (j != std::string_view::npos && line[j] == '\t' && IsContent(line)) {
      return {Pos{static_cast<int>(i + 1), static_cast<int>(j + 1)},
              {Code::kYamlSyntax, "YAML does not allow tabs for indentation; use spaces"}};
    }
  }
  const std::string& m = e.msg;
  const bool block = m == "end of map not found" || m == "end of sequence not found" ||
                     m == "illegal map value" || m == "illegal block entry";
  if (block && pos.line > 0 && static_cast<size_t>(pos.line) <= lines.size()) {
    const std::string_view line = lines[pos.line - 1];
    std::optional<std::string_view> above;
    for (size_t i = pos.line - 1; i-- > 0;) {
      if (IsContent(lines[i])) {
        above = lines[i];
        break;
      }
    }
    const size_t indent = Indent(line);
    if (above && IsContent(line) && indent != KeyColumn(*above) && indent != Indent(*above)) {
      std::string_view token = line.substr(indent);
      token = token.substr(0, std::min(token.find_first_of(": "), size_t{40}));
      return {
          Pos{pos.line, static_cast<int>(indent + 1)},
          {Code::kYamlSyntax,
           "bad indentation: " + Quote(token) + " starts in column " + std::to_string(indent + 1) +
               ", the key above it in column " + std::to_string(KeyColumn(*above) + 1) +
               " (the keys of one map, and the entries of one list, start in the same "
               "column)"}};
    }
  }
  std::string hint;
  if (m == "illegal map value") hint = " (a value that holds ': ' needs quotes)";
  if (m == "end of sequence flow not found") hint = " (a '[' without its ']')";
  if (m == "end of map flow not found") hint = " (a '{' without its '}')";
  return {pos, {Code::kYamlSyntax, "YAML syntax error: " + m + hint}};
}

}  // namespace

Pos PosOf(const YAML::Mark& m) {
  if (m.line < 0) return {};
  return {m.line + 1, m.column < 0 ? 0 : m.column + 1};
}

void Reader::Report(Pos pos, Problem problem, Severity severity) {
  if (out_ == nullptr) return;
  out_->push_back({file_, pos.line, pos.column, std::move(problem.text), problem.code, severity});
}

std::string Reader::At(Pos pos) const {
  Diagnostic tmp{file_, pos.line, pos.column, ""};
  std::string s = tmp.ToString();
  return s.substr(0, s.size() - 2);  // drop ": "
}

std::optional<YAML::Node> Reader::Parse(const std::string& text, std::string_view what) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    auto [pos, problem] = SyntaxProblem(text, e);
    Report(pos, std::move(problem));
    return std::nullopt;
  }
  if (docs.empty()) return YAML::Node();
  if (docs.size() > 1) {
    Report(docs[1], msg::SecondDocument(what));
    return std::nullopt;
  }
  return docs[0];
}

Fields Reader::ReadMap(const YAML::Node& map, const Names& allowed, std::string_view where) {
  Fields fields;
  for (auto it = map.begin(); it != map.end(); ++it) {
    // Copies, not references: `it->` hands out a proxy that dies with the statement.
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      Report(key, msg::NonScalarKey(where, KindName(key)));
      continue;
    }
    const std::string& name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      Report(key, msg::UnknownKey(name, where, allowed));
      continue;
    }
    if (auto prev = fields.find(name); prev != fields.end()) {
      Report(key, msg::DuplicateKey(name, where, At(PosOf(prev->second.key))));
      continue;
    }
    fields.emplace(name, Field{key, it->second});
  }
  return fields;
}

std::optional<std::string> Reader::Scalar(const Field& f, std::string_view key) {
  if (f.value.IsNull()) {
    Report(f.key, msg::MissingValue(key));
    return std::nullopt;
  }
  if (!f.value.IsScalar()) {
    Report(f.value, msg::WrongType("a string", key, KindName(f.value)));
    return std::nullopt;
  }
  return f.value.Scalar();
}

std::optional<Scalars> Reader::ScalarList(const Field& f, std::string_view key, bool null_is_empty,
                                          bool empty_ok) {
  if (f.value.IsNull()) {
    if (null_is_empty && empty_ok) return Scalars();
    Report(f.key, msg::MissingValue(key));
    return std::nullopt;
  }
  if (!f.value.IsSequence()) {
    Report(f.value, msg::WrongType("a list", key, KindName(f.value)));
    return std::nullopt;
  }
  if (f.value.size() == 0 && !empty_ok) {
    Report(f.value, msg::EmptyList(key));
    return std::nullopt;
  }
  Scalars out;
  bool ok = true;
  for (const YAML::Node& e : f.value) {
    if (!e.IsScalar()) {
      // A null entry ("- " alone) sits where yaml-cpp puts it; still the best we have.
      Report(e.IsNull() ? f.value : e, msg::WrongElementType("a string", key, KindName(e)));
      ok = false;
      continue;
    }
    out.emplace_back(e.Scalar(), e);
  }
  if (!ok) return std::nullopt;
  return out;
}

bool Reader::IsMap(const Field& f, std::string_view key, bool null_ok) {
  if (f.value.IsNull()) {
    if (!null_ok) Report(f.key, msg::MissingValue(key));
    return false;
  }
  if (!f.value.IsMap()) {
    Report(f.value, msg::WrongType("a map", key, KindName(f.value)));
    return false;
  }
  return true;
}

std::optional<bool> Reader::Bool(const Field& f, std::string_view key, bool yes_no) {
  auto s = Scalar(f, key);
  if (!s) return std::nullopt;
  if (auto b = ParseBool(*s, yes_no)) return b;
  Report(f.value, msg::BadValue(key, *s, "true or false"));
  return std::nullopt;
}

std::optional<bool> ParseBool(std::string_view s, bool yes_no) {
  if (s == "true" || s == "True" || s == "TRUE" || (yes_no && s == "yes")) return true;
  if (s == "false" || s == "False" || s == "FALSE" || (yes_no && s == "no")) return false;
  return std::nullopt;
}

std::optional<std::string> ReadFile(const std::string& path, uint64_t max_bytes, Problem* problem) {
  auto fail = [&](Problem p) {
    *problem = std::move(p);
    return std::nullopt;
  };
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return fail(msg::CannotRead(errno));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return fail(msg::CannotRead(errno));
  if (S_ISDIR(st.st_mode)) return fail(msg::CannotRead(EISDIR));
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(msg::CannotRead(errno));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_bytes) return fail(msg::TooLarge(max_bytes));
  }
  return text;
}

std::string Quote(std::string_view v) { return "'" + EscapeBytes(v, true) + "'"; }

std::string JoinNames(const Names& names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string_view KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a string";
    default:
      return "nothing";
  }
}

namespace msg {

Problem CannotRead(int error_number) {
  return {error_number == ENOENT ? Code::kMissingFile : Code::kCannotRead,
          "cannot read: " + std::string(std::strerror(error_number))};
}
Problem TooLarge(uint64_t limit) {
  return {Code::kCannotRead, "cannot read: larger than " + std::to_string(limit) + " bytes"};
}
Problem SecondDocument(std::string_view what) {
  return {Code::kYamlSyntax,
          "unexpected second YAML document (" + std::string(what) + " holds one map)"};
}
Problem UnknownKey(std::string_view key, std::string_view where, const Names& expected) {
  return {Code::kUnknownKey, "unknown key " + Quote(key) + " " + std::string(where) +
                                 " (expected " + JoinNames(expected) + ")"};
}
Problem DuplicateKey(std::string_view key, std::string_view where, std::string_view first_at) {
  return {Code::kDuplicate, "duplicate key " + Quote(key) + " " + std::string(where) +
                                " (first at " + std::string(first_at) + ")"};
}
Problem NonScalarKey(std::string_view where, std::string_view got) {
  return {Code::kBadType,
          "expected a string key " + std::string(where) + ", got " + std::string(got)};
}
Problem Missing(std::string_view key, std::string_view where) {
  return {Code::kMissingKey, "missing '" + std::string(key) + "' " + std::string(where)};
}
Problem MissingValue(std::string_view key) {
  return {Code::kMissingValue, "missing value for '" + std::string(key) + "'"};
}
Problem EmptyValue(std::string_view key) {
  return {Code::kMissingValue, "empty value for '" + std::string(key) + "'"};
}
Problem EmptyList(std::string_view key) {
  return {Code::kMissingValue, "empty list for '" + std::string(key) + "'"};
}
Problem WrongType(std::string_view expected, std::string_view key, std::string_view got) {
  return {Code::kBadType, "expected " + std::string(expected) + " for '" + std::string(key) +
                              "', got " + std::string(got)};
}
Problem WrongElementType(std::string_view expected, std::string_view key, std::string_view got) {
  return {Code::kBadType, "expected " + std::string(expected) + " in '" + std::string(key) +
                              "', got " + std::string(got)};
}
Problem TopLevelNotMap(std::string_view got) {
  return {Code::kBadType, "expected a map at top level, got " + std::string(got)};
}
Problem BadValue(std::string_view key, std::string_view value, std::string_view expected) {
  return Bad("value", key, value, expected);
}
Problem Bad(std::string_view kind, std::string_view key, std::string_view value,
            std::string_view expected) {
  return {Code::kBadValue, "bad " + std::string(kind) + " " + Quote(value) + " for '" +
                               std::string(key) + "' (expected " + std::string(expected) + ")"};
}
Problem UnknownName(std::string_view kind, std::string_view name, const Names& expected) {
  return {Code::kUnknownName, "unknown " + std::string(kind) + " " + Quote(name) + " (expected " +
                                  JoinNames(expected) + ")"};
}

}  // namespace msg
}  // namespace custos::yaml
