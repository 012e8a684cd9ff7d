// Policies: the YAML policy file of the interface spec, compiled into an immutable
// PolicySet, and the evaluation of one item against it.
//
// Loading is reader -> checker -> compiler: every problem is a Diagnostic with
// FILE:LINE:COL; a file with any error is rejected as a whole.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"
#include "custos/detect/detect.h"
#include "custos/yaml/diagnostic.h"

namespace custos::policies {

// A problem of a policy file: FILE:LINE:COL, a message and a stable code (the shared
// YAML reader's, custos/yaml/diagnostic.h).
using Diagnostic = yaml::Diagnostic;

// A custom detector declared in a policy file: what detect::Engine::Create takes
// (pattern in RE2 syntax, validated at load; validate: a name of
// detect::CustomValidators()).
using CustomDetector = detect::CustomDetectorSpec;

// What a report shows about a policy.
struct PolicyInfo {
  std::string id;
  std::string description;
  std::vector<std::string> references;
  Severity severity = Severity::kMedium;
  std::string file;  // where it was defined
  int line = 0;
};

// A legal hold as declared.
struct LegalHoldInfo {
  std::vector<std::string> paths;  // globs as written
  std::string reason;
  std::optional<int64_t> until;  // Unix seconds of 00:00 UTC of the last day; none: indefinite
};

class PolicySet {
 public:
  // Loads and compiles policy files. On any error returns non-OK and appends every
  // diagnostic found to `diagnostics` (when given). Policy and detector ids must be
  // unique across all files; `match.detectors` may name custom detectors of any file.
  // The status message holds every diagnostic, one a line.
  static Result<std::shared_ptr<const PolicySet>> LoadFiles(const std::vector<std::string>& files,
                                                            std::vector<Diagnostic>* diagnostics);
  // Same, from text (`name` stands for the file name in diagnostics).
  static Result<std::shared_ptr<const PolicySet>> LoadString(const std::string& yaml,
                                                             const std::string& name,
                                                             std::vector<Diagnostic>* diagnostics);
  // Several texts at once, as (name, yaml) pairs: the cross-file checks of LoadFiles.
  static Result<std::shared_ptr<const PolicySet>> LoadStrings(
      const std::vector<std::pair<std::string, std::string>>& named_yaml,
      std::vector<Diagnostic>* diagnostics);

  virtual ~PolicySet() = default;

  // Appends the violations of `item` at time `now` (Unix seconds) to item.violations
  // and sets item.legal_hold when a hold in force covers it. Thread-safe.
  virtual void Evaluate(Item& item, int64_t now) const = 0;

  // True when some policy looks at POSIX ACLs (the scanner then reads them).
  virtual bool NeedsAcl() const = 0;
  virtual size_t policy_count() const = 0;
  virtual const std::vector<CustomDetector>& custom_detectors() const = 0;
  // Every policy in load order (files in the order given, then file order).
  virtual const std::vector<PolicyInfo>& policies() const = 0;
  virtual const std::vector<LegalHoldInfo>& legal_holds() const = 0;
};

// A violation's reason (as a scan gave it, or as the inventory keeps it) in words a
// data-protection officer reads, by the violation kind's own wording ("access": "mode
// 0644 exceeds 0770" -> "readable by everyone; the policy allows owner and group
// only"). A reason the kind cannot read, or an unknown kind, comes back unchanged.
std::string PlainReason(std::string_view kind, std::string_view reason);

// Parses a duration of the policy file: an integer and one of the units s, min, h,
// d, w, mo (30 days), y (365 days), without space ("30d", "6mo", "90min").
// Returns seconds, or nullopt when malformed or too large.
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace custos::policies
