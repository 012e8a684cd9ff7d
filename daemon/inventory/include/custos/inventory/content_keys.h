// The content keys of a scan: what the stored results of an item depend on (see
// ContentKeys in custos/inventory/recorder.h). One definition for `custos scan --db`
// and custosd, so that the two reuse each other's records.
#pragma once

#include <memory>
#include <string>

#include "custos/inventory/recorder.h"
#include "custos/policies/policy.h"
#include "custos/scan/scan.h"

namespace custos::inventory {

// The keys for a scan with `options` (detectors, limits, read_acl, magic database set
// as the scan will run), the custom detectors of `policies` (may be null) and the id
// of the HMAC key in use (empty without content search).
// The versions are those of the modules themselves: identify::kVersion,
// extract::kVersion and detect::Engine::kVersion.
//   identified: identification version, ACLs read or not, magic database;
//   searched:   identified + extraction and detector versions, a fingerprint of the
//               custom detectors and of the extraction limits, and the key id; or
//               "no-content" when the scan does not search content.
ContentKeys KeysForScan(const scan::ScanOptions& options,
                        const std::shared_ptr<const policies::PolicySet>& policies,
                        const std::string& key_id);

}  // namespace custos::inventory
