// Policies: the YAML policy file of the interface spec, compiled into an immutable
// PolicySet, and the evaluation of one item against it.
//
// Loading is reader -> checker -> compiler: every problem is a Diagnostic with
// FILE:LINE:COL; a file with any error is rejected as a whole.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"

namespace custos::policies {

struct Diagnostic {
  std::string file;
  int line = 0;  // 1-based
  int column = 0;  // 1-based
  std::string message;
  // "FILE:LINE:COL: message"
  std::string ToString() const;
};

// A custom detector declared in a policy file (matched once detection exists).
struct CustomDetector {
  std::string id;
  std::string pattern;  // RE2 syntax, validated at load
  std::vector<std::string> context;
  std::string validate;  // "none" | "luhn" | "mod97"
};

class PolicySet {
 public:
  // Loads and compiles policy files. On any error returns non-OK and appends every
  // diagnostic found to `diagnostics` (when given).
  static Result<std::shared_ptr<const PolicySet>> LoadFiles(
      const std::vector<std::string>& files, std::vector<Diagnostic>* diagnostics);
  // Same, from text (`name` stands for the file name in diagnostics).
  static Result<std::shared_ptr<const PolicySet>> LoadString(
      const std::string& yaml, const std::string& name, std::vector<Diagnostic>* diagnostics);

  virtual ~PolicySet() = default;

  // Appends the violations of `item` at time `now` (Unix seconds) to item.violations
  // and sets item.legal_hold when a hold in force covers it. Thread-safe.
  virtual void Evaluate(Item& item, int64_t now) const = 0;

  // True when some policy looks at POSIX ACLs (the scanner then reads them).
  virtual bool NeedsAcl() const = 0;
  virtual size_t policy_count() const = 0;
  virtual const std::vector<CustomDetector>& custom_detectors() const = 0;
};

// The built-in detector ids of the interface spec.
const std::vector<std::string>& BuiltinDetectorIds();

}  // namespace custos::policies
