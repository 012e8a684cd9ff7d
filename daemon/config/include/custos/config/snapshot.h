// A loaded configuration with what it implies: the daemon config, its policy files and
// the detectors. custosd swaps it whole on reload; `custosd --check` and `custos
// check-config` load it to validate a config file and the policy files it names.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "custos/base/status.h"
#include "custos/config/config.h"
#include "custos/detect/detect.h"
#include "custos/policies/policy.h"

namespace custos::config {

struct Snapshot {
  std::shared_ptr<const DaemonConfig> config;
  std::shared_ptr<const policies::PolicySet> policies;  // null without policy files
  std::shared_ptr<const detect::Engine> detectors;      // null when content is off
  int64_t loaded = 0;                                   // Unix seconds
};

// Loads the config file at `path`, its policy files and the detectors. On error every
// diagnostic (of the config or a policy file) is appended to `diagnostics` and the
// status message holds them, one a line.
Result<std::shared_ptr<const Snapshot>> LoadSnapshot(const std::string& path,
                                                     std::vector<Diagnostic>* diagnostics);

}  // namespace custos::config
