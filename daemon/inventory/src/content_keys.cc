#include "custos/inventory/content_keys.h"

#include <cstdio>

#include "custos/detect/detect.h"
#include "custos/extract/extract.h"
#include "custos/extract/version.h"
#include "custos/identify/version.h"

namespace custos::inventory {
namespace {

// FNV-1a, 64 bits: a stable fingerprint that tells "changed" from "same" (not a
// security measure).
class Fnv {
 public:
  void Add(std::string_view s) {
    for (unsigned char c : s) h_ = (h_ ^ c) * 0x100000001b3ull;
    h_ = (h_ ^ 0xff) * 0x100000001b3ull;  // a separator no content can imitate
  }
  std::string Hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

}  // namespace

ContentKeys KeysForScan(const scan::ScanOptions& options,
                        const std::shared_ptr<const policies::PolicySet>& policies,
                        const std::string& key_id) {
  ContentKeys keys;
  // ACLs are stored only when the policies needed them at the time.
  keys.identified = "i" + std::to_string(identify::kVersion) + (options.read_acl ? ";acl" : "") +
                    (options.magic_database.empty() ? "" : ";m" + options.magic_database);
  if (!options.detectors) {
    keys.searched = keys.identified + ";no-content";
  } else {
    Fnv custom;
    if (policies) {
      for (const policies::CustomDetector& d : policies->custom_detectors()) {
        custom.Add(d.id);
        custom.Add(d.pattern);
        for (const std::string& w : d.context) custom.Add(w);
        custom.Add(d.validate);
      }
    }
    Fnv limits;
    limits.Add(extract::FormatLimits(options.limits));
    keys.searched = keys.identified + ";x" + std::to_string(extract::kVersion) + ";d" +
                    std::to_string(detect::Engine::kVersion) + ";c" + custom.Hex() + ";l" +
                    limits.Hex() + ";k" + key_id;
  }
  keys.is_searched = [](const Item& item) { return extract::IsSearchable(item); };
  return keys;
}

}  // namespace custos::inventory
