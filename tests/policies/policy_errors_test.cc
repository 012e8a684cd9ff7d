// Every loader diagnostic, with its exact "FILE:LINE:COL: message" text.
#include <algorithm>
#include <catch2/catch.hpp>

#include "custos/policies/policy.h"

using namespace custos;
using custos::policies::Diagnostic;
using custos::policies::PolicySet;

namespace {

using Strings = std::vector<std::string>;

// The built-in detector ids, as "unknown detector" lists them: every id of the detector
// registry (a new detector is a row there, and no change here), by name.
const std::string kBuiltinDetectors = [] {
  std::vector<std::string> ids;
  for (const custos::detect::DetectorDef& d : custos::detect::BuiltinDetectors()) {
    ids.push_back(d.id);
  }
  std::sort(ids.begin(), ids.end());
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "" : ", ") + id;
  return list;
}();

Strings Errors(const std::string& yaml) {
  std::vector<Diagnostic> diags;
  auto set = PolicySet::LoadString(yaml, "policies.yaml", &diags);
  REQUIRE_FALSE(set.ok());
  Strings out;
  std::string joined;
  for (const Diagnostic& d : diags) {
    out.push_back(d.ToString());
    joined += (joined.empty() ? "" : "\n") + d.ToString();
  }
  CHECK(set.status().code() == StatusCode::kInvalidArgument);
  CHECK(set.status().message() == joined);
  return out;
}

}  // namespace

TEST_CASE("errors: unknown keys point at the key and list the expected ones") {
  CHECK(Errors(R"(policies:
  - id: cctv-30d
    match:
      paths: ["/srv/cctv/**"]
    retention:
      max_age: 30d
      max_agee: 30d
)") == Strings{"policies.yaml:7:7: unknown key 'max_agee' in retention (expected max_age, "
               "age_from)"});
  CHECK(Errors("policy:\n  - id: a\n") ==
        Strings{"policies.yaml:1:1: unknown key 'policy' at top level (expected policies, "
                "detectors, legal_holds)"});
  CHECK(Errors(R"(policies:
  - id: a
    forbid: true
    sevrity: high
    match: {path: ["/x"]}
)") == Strings{"policies.yaml:4:5: unknown key 'sevrity' in policy (expected id, description, "
               "references, severity, match, retention, access, location, encryption, forbid)",
               "policies.yaml:5:13: unknown key 'path' in match (expected paths, categories, "
               "detectors, min_count)"});
  CHECK(Errors(R"(policies:
  - id: a
    access: {mode: "0640"}
    location: {allowed: ["/x"]}
detectors:
  - id: d
    pattern: x
    regex: y
legal_holds:
  - paths: ["/x"]
    reason: r
    till: 2030-01-01
)") == Strings{
           "policies.yaml:3:13: access checks nothing (expected max_mode, owners, groups or "
           "no_acl_grants_to_others: true)",
           "policies.yaml:3:14: unknown key 'mode' in access (expected max_mode, owners, groups, "
           "no_acl_grants_to_others)",
           "policies.yaml:4:15: missing 'allowed_paths' in location",
           "policies.yaml:4:16: unknown key 'allowed' in location (expected allowed_paths)",
           "policies.yaml:8:5: unknown key 'regex' in detector (expected id, pattern, context, "
           "validate)",
           "policies.yaml:12:5: unknown key 'till' in legal hold (expected paths, reason, until)"});
}

TEST_CASE("errors: duplicate keys in one map") {
  CHECK(Errors(R"(policies:
  - id: a
    forbid: true
    id: b
)") == Strings{"policies.yaml:4:5: duplicate key 'id' in policy (first at policies.yaml:2:5)"});
}

TEST_CASE("errors: bad values point at the value") {
  CHECK(Errors(R"(policies:
  - id: a
    retention: {max_age: 30 days}
  - id: b
    retention: {max_age: 30D, age_from: birth}
  - id: c
    severity: urgent
    encryption: yes
  - id: d
    access: {max_mode: "0980", no_acl_grants_to_others: yes}
  - id: e
    match: {detectors: [email], min_count: 0}
    forbid: maybe
)") == Strings{
           "policies.yaml:3:26: bad duration '30 days' for 'max_age' (expected a number and a "
           "unit: s, min, h, d, w, mo, y)",
           "policies.yaml:5:26: bad duration '30D' for 'max_age' (expected a number and a unit: "
           "s, min, h, d, w, mo, y)",
           "policies.yaml:5:41: bad value 'birth' for 'age_from' (expected content_date, mtime, "
           "ctime)",
           "policies.yaml:7:15: bad value 'urgent' for 'severity' (expected low, medium, high, "
           "critical)",
           "policies.yaml:8:17: bad value 'yes' for 'encryption' (expected required, optional)",
           "policies.yaml:10:24: bad value '0980' for 'max_mode' (expected an octal mode such as "
           "\"0640\")",
           "policies.yaml:10:57: bad value 'yes' for 'no_acl_grants_to_others' (expected true or "
           "false)",
           "policies.yaml:12:44: bad value '0' for 'min_count' (expected an integer of at least "
           "1)",
           "policies.yaml:13:13: bad value 'maybe' for 'forbid' (expected true or false)"});
}

TEST_CASE("errors: duplicate policy ids and bad ids") {
  CHECK(Errors(R"(policies:
  - id: cctv-30d
    forbid: true
  - id: cctv-30d
    forbid: true
  - id: CCTV_30d
    forbid: true
)") == Strings{"policies.yaml:4:9: duplicate policy id 'cctv-30d' (first defined at "
               "policies.yaml:2:9)",
               "policies.yaml:6:9: bad policy id 'CCTV_30d' (expected lowercase letters, digits "
               "and '-')"});
}

TEST_CASE("errors: unknown categories and detectors list the known ones") {
  // Those of the interface spec among them.
  for (const char* id :
       {"email",           "phone",         "payment_card", "iban",   "us_ssn",
        "uk_nino",         "uk_nhs",        "passport_mrz", "ipv4",   "ipv6",
        "gps_coordinates", "date_of_birth", "za_id",        "nl_bsn", "es_dni",
        "it_fiscal_code",  "ch_ahv",        "in_aadhaar",   "br_cpf", "private_key",
        "aws_access_key"}) {
    CHECK((", " + kBuiltinDetectors + ", ").find(", " + std::string(id) + ", ") !=
          std::string::npos);
  }
  CHECK(Errors(R"(policies:
  - id: a
    match:
      categories: [video, videos]
    forbid: true
  - id: b
    match: {detectors: [credit_card, payment_card, my-det, sia]}
    forbid: true
detectors:
  - {id: sia, pattern: 'SIA[0-9]{8}'}
)") == Strings{"policies.yaml:4:27: unknown category 'videos' (expected video, image, audio, "
               "biometric, document, email, archive, database, encrypted, text, executable, "
               "other)",
               "policies.yaml:7:25: unknown detector 'credit_card' (expected " + kBuiltinDetectors +
                   ", sia)",
               "policies.yaml:7:52: unknown detector 'my-det' (expected " + kBuiltinDetectors +
                   ", sia)"});
}

TEST_CASE("errors: bad globs") {
  CHECK(Errors(R"(policies:
  - id: a
    match: {paths: ["/srv/[ab"]}
    location: {allowed_paths: ['/srv/x\', ""]}
legal_holds:
  - paths: ["[", "/ok/**"]
    reason: r
)") == Strings{"policies.yaml:3:21: bad glob '/srv/[ab': unclosed '['",
               "policies.yaml:4:32: bad glob '/srv/x\\': ends in '\\'",
               "policies.yaml:4:43: bad glob '': empty",
               "policies.yaml:6:13: bad glob '[': unclosed '['"});
}

TEST_CASE("errors: YAML syntax errors carry their position and say what to fix") {
  CHECK(Errors("policies:\n  - id: a\n    forbid: [true\n") ==
        Strings{"policies.yaml:4:1: YAML syntax error: end of sequence flow not found (a '[' "
                "without its ']')"});
  CHECK(Errors("policies:\n  - id: a\n   forbid: true\n") ==
        Strings{"policies.yaml:3:4: bad indentation: 'forbid' starts in column 4, the key above "
                "it in column 5 (the keys of one map, and the entries of one list, start in the "
                "same column)"});
  CHECK(Errors("policies:\n  - id: a\n    forbid: true: false\n") ==
        Strings{"policies.yaml:3:17: YAML syntax error: illegal map value (a value that holds "
                "': ' needs quotes)"});
  // Tabs: yaml-cpp says "illegal tab when looking for indentation", "illegal block
  // entry" or "illegal map value" depending on where the tab is; all are one problem.
  for (const char* text : {"policies:\n  - id: a\n\tforbid: true\n", "policies:\n\t- id: a\n",
                           "policies:\n  - id: a\n    match:\n\t  paths: [x]\n"}) {
    INFO(text);
    const Strings errors = Errors(text);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find(": YAML does not allow tabs for indentation; use spaces") !=
          std::string::npos);
  }
  CHECK(Errors("policies:\n  - id: a\n\tforbid: true\n") ==
        Strings{"policies.yaml:3:1: YAML does not allow tabs for indentation; use spaces"});
  CHECK(Errors("policies:\n  - id: a\n    forbid: true\n    match:\n  \t  paths: [x]\n") ==
        Strings{"policies.yaml:5:3: YAML does not allow tabs for indentation; use spaces"});
  CHECK(
      Errors("policies: []\n---\ndetectors: []\n") ==
      Strings{"policies.yaml:3:1: unexpected second YAML document (a policy file holds one map)"});
}

TEST_CASE("errors: wrong node types") {
  CHECK(Errors("- policies\n") ==
        Strings{"policies.yaml:1:1: expected a map at top level, got a list"});
  CHECK(Errors("policies: {id: a}\n") ==
        Strings{"policies.yaml:1:11: expected a list for 'policies', got a map"});
  CHECK(Errors("policies: [cctv]\n") ==
        Strings{"policies.yaml:1:12: expected a map in 'policies', got a string"});
  CHECK(Errors(R"(policies:
  - id: [a]
    description: {x: y}
    references: "GDPR"
    match: [paths]
    retention: 30d
    forbid: true
  - id: b
    match:
      paths: {a: b}
      categories: [[video]]
    access: {owners: root}
)") == Strings{"policies.yaml:2:9: expected a string for 'id', got a list",
               "policies.yaml:3:18: expected a string for 'description', got a map",
               "policies.yaml:4:17: expected a list for 'references', got a string",
               "policies.yaml:5:12: expected a map for 'match', got a list",
               "policies.yaml:6:16: expected a map for 'retention', got a string",
               "policies.yaml:10:14: expected a list for 'paths', got a map",
               "policies.yaml:11:20: expected a string in 'categories', got a list",
               "policies.yaml:12:22: expected a list for 'owners', got a string"});
}

TEST_CASE("errors: missing keys, values and rules") {
  CHECK(Errors(R"(policies:
  - description: no id
    forbid: true
  - id: no-rule
    match: {categories: [video]}
  - id: no-effective-rule
    encryption: optional
    forbid: false
  - id: empty
    retention: {age_from: mtime}
    match:
      paths: []
      min_count: 2
    location:
  - id:
    forbid: true
)") == Strings{"policies.yaml:2:5: missing 'id' in policy",
               "policies.yaml:4:5: policy 'no-rule' has no rule (expected at least one of "
               "retention, access, location, encryption: required, forbid: true)",
               "policies.yaml:6:5: policy 'no-effective-rule' has no rule (expected at least one "
               "of retention, access, location, encryption: required, forbid: true)",
               "policies.yaml:10:16: missing 'max_age' in retention",
               "policies.yaml:12:14: empty list for 'paths'",
               "policies.yaml:13:7: 'min_count' needs 'detectors' in the same match",
               "policies.yaml:14:5: missing value for 'location'",
               "policies.yaml:15:5: missing value for 'id'"});
}

TEST_CASE("errors: custom detectors") {
  CHECK(Errors(R"(detectors:
  - id: sia-licence
    pattern: '\b[0-9]{16}\b'
  - id: sia-licence
    pattern: '(abc'
    validate: crc
  - id: email
    pattern: x
  - id: Bad.Id
    pattern: x
    context: SIA
  - id: no-pattern
)") == Strings{"policies.yaml:4:9: duplicate detector id 'sia-licence' (first defined at "
               "policies.yaml:2:9)",
               "policies.yaml:5:14: bad pattern: missing ): (abc",
               "policies.yaml:6:15: bad value 'crc' for 'validate' (expected luhn, mod97, none)",
               "policies.yaml:7:9: detector id 'email' is already a built-in detector",
               "policies.yaml:9:9: bad detector id 'Bad.Id' (expected lowercase letters, digits, "
               "'_' and '-')",
               "policies.yaml:11:14: expected a list for 'context', got a string",
               "policies.yaml:12:5: missing 'pattern' in detector"});
}

TEST_CASE("errors: legal holds") {
  CHECK(Errors(R"(legal_holds:
  - paths: ["/x/**"]
    until: 2027-02-30
  - reason: ""
    until: 30.6.2027
)") == Strings{"policies.yaml:2:5: missing 'reason' in legal hold",
               "policies.yaml:3:12: bad date '2027-02-30' for 'until' (expected YYYY-MM-DD)",
               "policies.yaml:4:5: missing 'paths' in legal hold",
               "policies.yaml:4:13: empty value for 'reason'",
               "policies.yaml:5:12: bad date '30.6.2027' for 'until' (expected YYYY-MM-DD)"});
}

TEST_CASE("errors: values are escaped in messages") {
  CHECK(Errors("policies:\n  - id: \"a\\tb\"\n    forbid: true\n") ==
        Strings{"policies.yaml:2:9: bad policy id 'a\\x09b' (expected lowercase letters, digits "
                "and '-')"});
}

TEST_CASE("errors: all problems of a file are reported, nothing is loaded") {
  std::vector<Diagnostic> diags;
  auto set = PolicySet::LoadString(R"(policies:
  - id: good
    forbid: true
  - id: bad
    severity: extreme
    retention: {max_age: forever}
)",
                                   "p.yaml", &diags);
  REQUIRE_FALSE(set.ok());
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].file == "p.yaml");
  CHECK(diags[0].line == 5);
  CHECK(diags[0].column == 15);
  CHECK(diags[0].message ==
        "bad value 'extreme' for 'severity' (expected low, medium, high, critical)");
  CHECK(diags[0].code == custos::yaml::Code::kBadValue);
  CHECK(diags[0].severity == custos::yaml::Severity::kError);
  CHECK(diags[1].ToString() ==
        "p.yaml:6:26: bad duration 'forever' for 'max_age' (expected a number and a "
        "unit: s, min, h, d, w, mo, y)");
  // Without a diagnostics vector the status still carries everything.
  auto again = PolicySet::LoadString("policies: [{id: x}]\n", "q.yaml", nullptr);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().message() ==
        "q.yaml:1:12: policy 'x' has no rule (expected at least one of retention, access, "
        "location, encryption: required, forbid: true)");
}

TEST_CASE("diagnostic: formatting") {
  CHECK(Diagnostic{"p.yaml", 3, 7, "m"}.ToString() == "p.yaml:3:7: m");
  CHECK(Diagnostic{"p.yaml", 0, 0, "cannot read: x"}.ToString() == "p.yaml: cannot read: x");
  CHECK(Diagnostic{"p.yaml", 3, 0, "m"}.ToString() == "p.yaml:3: m");
  CHECK(Diagnostic{"bad\nname.yaml", 1, 1, "m"}.ToString() == "bad\\x0aname.yaml:1:1: m");
}
