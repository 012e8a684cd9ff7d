// The YAML reading shared by policy files and custos.yaml (policies/yaml): stable codes,
// one wording, syntax errors that say what to fix.
#include <catch2/catch.hpp>

#include "custos/yaml/reader.h"

using custos::yaml::Code;
using custos::yaml::CodeName;
using custos::yaml::Diagnostic;
using custos::yaml::Reader;
using custos::yaml::Severity;

namespace {

// The diagnostics of parsing `text` as f.yaml, one a line.
std::string ParseErrors(const std::string& text) {
  std::vector<Diagnostic> diags;
  Reader reader("f.yaml", &diags);
  auto node = reader.Parse(text, "a test file");
  CHECK(node.has_value() == diags.empty());
  std::string out;
  for (const Diagnostic& d : diags) {
    CHECK(d.code == Code::kYamlSyntax);
    out += d.ToString() + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("yaml: the codes are an interface") {
  CHECK(CodeName(Code::kYamlSyntax) == "yaml-syntax");
  CHECK(CodeName(Code::kCannotRead) == "cannot-read");
  CHECK(CodeName(Code::kMissingFile) == "missing-file");
  CHECK(CodeName(Code::kUnknownKey) == "unknown-key");
  CHECK(CodeName(Code::kDuplicate) == "duplicate");
  CHECK(CodeName(Code::kBadType) == "bad-type");
  CHECK(CodeName(Code::kBadValue) == "bad-value");
  CHECK(CodeName(Code::kUnknownName) == "unknown-name");
  CHECK(CodeName(Code::kMissingKey) == "missing-key");
  CHECK(CodeName(Code::kMissingValue) == "missing-value");
  CHECK(CodeName(Code::kNoRoots) == "no-roots");
  Diagnostic w{"c.yaml", 0, 0, "no roots", Code::kNoRoots, Severity::kWarning};
  CHECK(w.ToString() == "c.yaml: warning: no roots");
}

TEST_CASE("yaml: syntax errors say what to fix") {
  CHECK(ParseErrors("a: 1\n") == "");
  CHECK(ParseErrors("") == "");
  CHECK(ParseErrors("a:\n\tb: 1\n") ==
        "f.yaml:2:1: YAML does not allow tabs for indentation; use spaces\n");
  CHECK(ParseErrors("a:\n  b: 1\n c: 2\n") ==
        "f.yaml:3:2: bad indentation: 'c' starts in column 2, the key above it in column 3 (the "
        "keys of one map, and the entries of one list, start in the same column)\n");
  CHECK(ParseErrors("a:\n  b: 1\n   c: 2\n") ==
        "f.yaml:3:4: bad indentation: 'c' starts in column 4, the key above it in column 3 (the "
        "keys of one map, and the entries of one list, start in the same column)\n");
  // A list entry's keys line up with the first key after "- ".
  CHECK(ParseErrors("roots:\n  - path: /x\n\n    # a comment\n     name: y\n") ==
        "f.yaml:5:6: bad indentation: 'name' starts in column 6, the key above it in column 5 "
        "(the keys of one map, and the entries of one list, start in the same column)\n");
  CHECK(ParseErrors("a: {b: 1\n") ==
        "f.yaml:2:1: YAML syntax error: end of map flow not found (a '{' without its '}')\n");
  CHECK(ParseErrors("a: &x 1\nb: *y\n") ==
        "f.yaml:2:4: YAML syntax error: the referenced anchor is not defined\n");
  CHECK(ParseErrors("a: 1\n---\nb: 2\n") ==
        "f.yaml:3:1: unexpected second YAML document (a test file holds one map)\n");
  // A tab after a key is only a separator.
  CHECK(ParseErrors("a:\tb\n") == "");
}

TEST_CASE("yaml: maps, scalars, lists and their messages") {
  std::vector<Diagnostic> diags;
  Reader reader("f.yaml", &diags);
  auto doc = reader.Parse("k: [a, [b], ~]\nm:\nn: x\nn: y\nz: 1\nb: maybe\n", "a test file");
  REQUIRE(doc);
  auto fields = reader.ReadMap(*doc, {"k", "m", "n", "b"}, "in test");
  CHECK(fields.size() == 4);
  CHECK_FALSE(reader.ScalarList(fields.at("k"), "k", true, true));
  CHECK_FALSE(reader.IsMap(fields.at("m"), "m", true));  // null allowed: no report
  CHECK_FALSE(reader.IsMap(fields.at("m"), "m", false));
  CHECK(reader.ScalarList(fields.at("m"), "m", true, true)->empty());
  CHECK_FALSE(reader.Bool(fields.at("b"), "b", true));
  std::vector<std::string> texts;
  std::vector<Code> codes;
  for (const Diagnostic& d : diags) {
    texts.push_back(d.ToString());
    codes.push_back(d.code);
  }
  CHECK(texts ==
        std::vector<std::string>{"f.yaml:4:1: duplicate key 'n' in test (first at f.yaml:3:1)",
                                 "f.yaml:5:1: unknown key 'z' in test (expected k, m, n, b)",
                                 "f.yaml:1:8: expected a string in 'k', got a list",
                                 "f.yaml:1:4: expected a string in 'k', got nothing",
                                 "f.yaml:2:1: missing value for 'm'",
                                 "f.yaml:6:4: bad value 'maybe' for 'b' (expected true or false)"});
  CHECK(codes == std::vector<Code>{Code::kDuplicate, Code::kUnknownKey, Code::kBadType,
                                   Code::kBadType, Code::kMissingValue, Code::kBadValue});
}
