#include "custos/yaml/diagnostic.h"

#include "custos/base/escape.h"

namespace custos::yaml {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kYamlSyntax:
      return "yaml-syntax";
    case Code::kCannotRead:
      return "cannot-read";
    case Code::kMissingFile:
      return "missing-file";
    case Code::kUnknownKey:
      return "unknown-key";
    case Code::kDuplicate:
      return "duplicate";
    case Code::kBadType:
      return "bad-type";
    case Code::kBadValue:
      return "bad-value";
    case Code::kUnknownName:
      return "unknown-name";
    case Code::kMissingKey:
      return "missing-key";
    case Code::kMissingValue:
      return "missing-value";
    case Code::kNoRoots:
      return "no-roots";
  }
  return "bad-value";
}

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kWarning ? "warning" : "error";
}

std::string Diagnostic::ToString() const {
  std::string s = EscapeBytes(file, true);
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (column > 0) s += ':' + std::to_string(column);
  }
  s += ": ";
  if (severity == Severity::kWarning) s += "warning: ";
  s += message;
  return s;
}

}  // namespace custos::yaml
