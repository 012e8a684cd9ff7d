// The kinds of policy rules (retention, access, location, encryption, forbid): the key
// that declares one in a policy, how its value is read and how an item is judged by
// it. kinds.cc holds the table; each kind has a file of its own in this folder.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../reader.h"
#include "custos/base/item.h"

namespace custos::policies::internal {

struct Policy;  // compiled.h

// What a rule judges: an item, as of `now`, for `policy` (whose match holds).
struct Judged {
  const Item& item;
  int64_t now;
  bool held;     // a legal hold in force covers the item
  bool skipped;  // the item was not (fully) read (item.skipped is set)
  const Policy& policy;
};

// A breach of a rule.
struct Breach {
  std::string reason;
  // The reason without what grows by itself as time passes (Violation::steady_reason);
  // empty: the same as `reason`.
  std::string steady_reason = {};
};

// One rule of a policy, compiled. Immutable: judged on many threads at once.
class Rule {
 public:
  virtual ~Rule() = default;
  virtual std::optional<Breach> Judge(const Judged& j) const = 0;
  // True when judging needs the item's POSIX ACL (the scanner then reads ACLs).
  virtual bool NeedsAcl() const { return false; }
};

// What reading the value of a kind's key gave.
struct ReadRule {
  // The policy has a rule of this kind, or tried to (an error was reported): false only
  // for a value that declares nothing ("encryption: optional", "forbid: false").
  bool declares = false;
  std::unique_ptr<const Rule> rule;  // null when there is nothing to judge
};

struct PolicyKind {
  std::string_view key;      // the policy's key: "retention"
  std::string_view as_rule;  // as "has no rule" names it: "encryption: required"
  ViolationKind violation;   // the kind of the violations it reports
  // Reads the key's value, reporting problems through `r`.
  ReadRule (*read)(PolicyReader& r, const yaml::Field& value);
  // The breach in words a data-protection officer reads, from the reason this kind's
  // rule gave (Breach::reason or steady_reason, as stored): "mode 0644 exceeds 0770"
  // -> "readable by everyone; the policy allows owner and group only". A reason it
  // cannot read comes back as it is.
  std::string (*plain)(std::string_view reason);
};

// Every kind, in the order a policy's rules are judged (and its violations listed).
const std::vector<PolicyKind>& PolicyKinds();

}  // namespace custos::policies::internal
