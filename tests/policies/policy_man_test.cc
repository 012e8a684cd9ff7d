// custos-policies(5) describes the policy file as the loader reads it: every rule kind
// (its key and the kind of its violations), every built-in detector, category and
// custom-detector validator, and every key of a policy, a detector and a legal hold.
#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "../../policies/src/kinds/kinds.h"
#include "custos/detect/detect.h"
#include "custos/policies/policy.h"
#include "support/support.h"

using namespace custos;

namespace {

std::string Page() {
  return custos::test::ReadFile(custos::test::SourceDir() + "/packaging/man/custos-policies.5");
}

// A word of the page's source as a whole word (troff escapes its hyphens: "\-").
bool Names(const std::string& page, std::string word) {
  word = std::regex_replace(word, std::regex("-"), "\\\\-");
  return std::regex_search(page, std::regex("(^|[^a-z0-9_\\\\])" + word + "($|[^a-z0-9_])"));
}

}  // namespace

TEST_CASE("policies: custos-policies(5) names every rule kind, detector, category and key") {
  const std::string page = Page();
  REQUIRE(page.find(".TH CUSTOS\\-POLICIES 5") == 0);
  for (const auto& kind : policies::internal::PolicyKinds()) {
    INFO(kind.key);
    // The rule is a tag of its own, and its violations' kind is named after "Kind".
    CHECK(page.find("\n.TP\n.B " + std::string(kind.key) + ": ") != std::string::npos);
    CHECK(page.find("Kind\n.BR " + std::string(ViolationKindName(kind.violation)) + " ") !=
          std::string::npos);
  }
  for (const auto& d : detect::BuiltinDetectors()) {
    INFO(d.id);
    CHECK(Names(page, std::string(d.id)));
  }
  for (int c = static_cast<int>(Category::kVideo); c <= static_cast<int>(Category::kOther); ++c) {
    const std::string name(CategoryName(static_cast<Category>(c)));
    INFO(name);
    CHECK(Names(page, name));
  }
  for (const auto& v : detect::CustomValidators()) {
    INFO(v.name);
    CHECK(Names(page, std::string(v.name)));
  }
  for (const char* key : {"id", "description", "references", "severity", "match", "paths",
                          "categories", "detectors", "min_count", "pattern", "context", "validate",
                          "reason", "until", "policies", "legal_holds"}) {
    INFO(key);
    CHECK(std::regex_search(page, std::regex("\n\\.BR? " + std::string(key) + "(\n| )")));
  }
  for (const char* sev : {"low", "medium", "high", "critical"}) CHECK(Names(page, sev));
}
