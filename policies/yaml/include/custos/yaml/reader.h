// Reading custos' YAML files: the helpers and messages shared by the policy loader
// (policies/src/load.cc) and the daemon config loader (daemon/config), so that both
// files read alike in `custos check-config`, custosd's log and tools.
//
// Every problem is a Diagnostic pointing at the offending node: an unknown key at the
// key, a bad value at the value, a missing key at the map holding it. Values taken from
// the file are escaped (control characters and invalid UTF-8 as \xNN) before they go
// into a message, and every "unknown X" or "bad X" message lists what is allowed.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custos/yaml/diagnostic.h"

namespace custos::yaml {

struct Pos {
  int line = 0;  // 1-based, 0: unknown
  int column = 0;
};
Pos PosOf(const YAML::Mark& mark);
inline Pos PosOf(const YAML::Node& node) { return PosOf(node.Mark()); }

// A message and its code, made by the functions of `msg` below.
struct Problem {
  Code code;
  std::string text;
};

// One key of a map as written: the key node (for its position) and the value.
struct Field {
  YAML::Node key;
  YAML::Node value;
};
using Fields = std::map<std::string, Field, std::less<>>;
using Names = std::vector<std::string_view>;
// The scalars of a list, each with its node (for positions).
using Scalars = std::vector<std::pair<std::string, YAML::Node>>;

// Reads one file: reports to the diagnostics vector it was given.
class Reader {
 public:
  Reader(std::string file, std::vector<Diagnostic>* out) : file_(std::move(file)), out_(out) {}

  const std::string& file() const { return file_; }
  void Report(Pos pos, Problem problem, Severity severity = Severity::kError);
  void Report(const YAML::Node& node, Problem problem) { Report(PosOf(node), std::move(problem)); }
  // "FILE:LINE:COL" of a position in this file, for "first at ..." messages.
  std::string At(Pos pos) const;

  // The one document of `text`: a null node for an empty text (or only comments);
  // nullopt after reporting a syntax error or a second document. `what` names the file
  // in that message: "a policy file".
  std::optional<YAML::Node> Parse(const std::string& text, std::string_view what);

  // The keys of `map`, each checked against `allowed` (unknown keys, duplicates and
  // non-string keys are reported and left out). `where` completes messages: "in root".
  Fields ReadMap(const YAML::Node& map, const Names& allowed, std::string_view where);

  // The scalar text of a field; reports null ("missing value") and non-scalars.
  std::optional<std::string> Scalar(const Field& f, std::string_view key);
  // A list of scalars. A null value is an empty list when `null_is_empty`, else
  // "missing value"; an empty list is reported unless `empty_ok`.
  std::optional<Scalars> ScalarList(const Field& f, std::string_view key, bool null_is_empty,
                                    bool empty_ok);
  // True when the field is a map; reports other types, and null unless `null_ok`
  // (then false without a report: "metrics:" alone keeps the defaults).
  bool IsMap(const Field& f, std::string_view key, bool null_ok);
  // true/True/TRUE, false/False/FALSE; with `yes_no` also yes and no.
  std::optional<bool> Bool(const Field& f, std::string_view key, bool yes_no);

 private:
  std::string file_;
  std::vector<Diagnostic>* out_;
};

// Reads a whole file of at most `max_bytes`; nullopt with `problem` set when it cannot
// (missing-file when it does not exist, cannot-read otherwise).
std::optional<std::string> ReadFile(const std::string& path, uint64_t max_bytes, Problem* problem);

// true/True/TRUE, false/False/FALSE; with `yes_no` also yes and no. nullopt otherwise.
std::optional<bool> ParseBool(std::string_view text, bool yes_no);

// A value from a file, quoted and made safe for a terminal or a log line: 'a\x09b'.
std::string Quote(std::string_view value);
// "a, b, c"
std::string JoinNames(const Names& names);
// Node kinds as named in messages: "a map", "a list", "a string", "nothing".
std::string_view KindName(const YAML::Node& node);

// The wording of every message shared by the two files. `where` is "at top level",
// "in policy", "in root", ...; `key` is a key as written in the file's documentation.
namespace msg {
Problem CannotRead(int error_number);  // cannot read: Permission denied (ENOENT: missing-file)
Problem TooLarge(uint64_t limit);      // cannot read: larger than N bytes
Problem SecondDocument(std::string_view what);
Problem UnknownKey(std::string_view key, std::string_view where, const Names& expected);
Problem DuplicateKey(std::string_view key, std::string_view where, std::string_view first_at);
Problem NonScalarKey(std::string_view where, std::string_view got);
Problem Missing(std::string_view key, std::string_view where);
Problem MissingValue(std::string_view key);
Problem EmptyValue(std::string_view key);
Problem EmptyList(std::string_view key);
// "expected a list for 'paths', got a map"
Problem WrongType(std::string_view expected, std::string_view key, std::string_view got);
// "expected a string in 'paths', got a map"
Problem WrongElementType(std::string_view expected, std::string_view key, std::string_view got);
Problem TopLevelNotMap(std::string_view got);
// "bad value 'urgent' for 'severity' (expected low, medium, high, critical)"
Problem BadValue(std::string_view key, std::string_view value, std::string_view expected);
// "bad duration '30 days' for 'max_age' (expected ...)": a value of a kind with a syntax.
Problem Bad(std::string_view kind, std::string_view key, std::string_view value,
            std::string_view expected);
// "unknown category 'videos' (expected video, image, ...)"
Problem UnknownName(std::string_view kind, std::string_view name, const Names& expected);
}  // namespace msg

}  // namespace custos::yaml
