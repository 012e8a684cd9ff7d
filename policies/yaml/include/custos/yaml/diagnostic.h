// A problem found in one of custos' YAML files (a policy file, custos.yaml), with its
// place and a stable code for tools (`custos check-config --format json`).
#pragma once

#include <string>
#include <string_view>

namespace custos::yaml {

// What kind of problem it is. The names (CodeName) are an interface: tools match on
// them, so a code is never renamed or reused; new kinds get new codes.
enum class Code {
  kYamlSyntax,    // yaml-syntax: the text is not YAML (tabs, indentation, brackets)
  kCannotRead,    // cannot-read: the file exists but cannot be read (or is too large)
  kMissingFile,   // missing-file: a file (the one checked or one it names) does not exist
  kUnknownKey,    // unknown-key: a key the map does not have
  kDuplicate,     // duplicate: a key, id or name given twice
  kBadType,       // bad-type: a map, list or string where another is expected
  kBadValue,      // bad-value: a value its key does not accept
  kUnknownName,   // unknown-name: a name that refers to nothing known (category, detector)
  kMissingKey,    // missing-key: a required key (or one of a required set) is absent
  kMissingValue,  // missing-value: a key with nothing after it, an empty value or list
  kNoRoots,       // no-roots: a daemon config without roots (warning: it scans nothing)
};
std::string_view CodeName(Code code);

enum class Severity { kError, kWarning };
std::string_view SeverityName(Severity severity);  // "error", "warning"

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem concerns the whole file
  int column = 0;  // 1-based; 0 when unknown
  std::string message;
  Code code = Code::kBadValue;
  Severity severity = Severity::kError;
  // "FILE:LINE:COL: message"; "FILE: message" when line is 0 (e.g. cannot read); a
  // warning says so: "FILE:LINE:COL: warning: message". The file name is escaped.
  std::string ToString() const;
};

}  // namespace custos::yaml
