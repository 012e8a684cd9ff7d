// The table of policy kinds. Adding a kind: a row here, its reader and rule in a file
// of its own in this folder (declared below), its violation kind in ViolationKind
// (custos/base/item.h, named in item.cc: the kind is part of the output record), and
// its tests in tests/policies.
#include "kinds.h"

namespace custos::policies::internal {

// Defined in this folder, one file each.
ReadRule ReadRetention(PolicyReader& r, const yaml::Field& value);
ReadRule ReadAccess(PolicyReader& r, const yaml::Field& value);
ReadRule ReadLocation(PolicyReader& r, const yaml::Field& value);
ReadRule ReadEncryption(PolicyReader& r, const yaml::Field& value);
ReadRule ReadForbid(PolicyReader& r, const yaml::Field& value);

const std::vector<PolicyKind>& PolicyKinds() {
  static const std::vector<PolicyKind> kKinds = {
      {"retention", "retention", ViolationKind::kRetention, ReadRetention},
      {"access", "access", ViolationKind::kAccess, ReadAccess},
      {"location", "location", ViolationKind::kLocation, ReadLocation},
      {"encryption", "encryption: required", ViolationKind::kEncryption, ReadEncryption},
      {"forbid", "forbid: true", ViolationKind::kForbidden, ReadForbid},
  };
  return kKinds;
}

}  // namespace custos::policies::internal
