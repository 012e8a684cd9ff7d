// The table of policy kinds. Adding a kind: a row here, its reader, rule and plain
// wording of its reasons in a file of its own in this folder (declared below), its violation kind
// in ViolationKind (custos/base/item.h, named in item.cc: the kind is part of the output record),
// and its tests in tests/policies.
#include "kinds.h"

namespace custos::policies::internal {

// Defined in this folder, one file each.
ReadRule ReadRetention(PolicyReader& r, const yaml::Field& value);
ReadRule ReadAccess(PolicyReader& r, const yaml::Field& value);
ReadRule ReadLocation(PolicyReader& r, const yaml::Field& value);
ReadRule ReadEncryption(PolicyReader& r, const yaml::Field& value);
ReadRule ReadForbid(PolicyReader& r, const yaml::Field& value);
std::string PlainRetention(std::string_view reason);
std::string PlainAccess(std::string_view reason);
std::string PlainLocation(std::string_view reason);
std::string PlainEncryption(std::string_view reason);
std::string PlainForbid(std::string_view reason);

const std::vector<PolicyKind>& PolicyKinds() {
  static const std::vector<PolicyKind> kKinds = {
      {"retention", "retention", ViolationKind::kRetention, ReadRetention, PlainRetention},
      {"access", "access", ViolationKind::kAccess, ReadAccess, PlainAccess},
      {"location", "location", ViolationKind::kLocation, ReadLocation, PlainLocation},
      {"encryption", "encryption: required", ViolationKind::kEncryption, ReadEncryption,
       PlainEncryption},
      {"forbid", "forbid: true", ViolationKind::kForbidden, ReadForbid, PlainForbid},
  };
  return kKinds;
}

}  // namespace custos::policies::internal

namespace custos::policies {

std::string PlainReason(std::string_view kind, std::string_view reason) {
  for (const internal::PolicyKind& k : internal::PolicyKinds()) {
    if (ViolationKindName(k.violation) == kind) return k.plain(reason);
  }
  return std::string(reason);
}

}  // namespace custos::policies
