#include "custos/config/snapshot.h"

#include "custos/base/time.h"

namespace custos::config {

Result<std::shared_ptr<const Snapshot>> LoadSnapshot(const std::string& path,
                                                     std::vector<Diagnostic>* diagnostics) {
  auto config = LoadConfigFile(path, diagnostics);
  if (!config.ok()) return config.status();
  auto snap = std::make_shared<Snapshot>();
  snap->config = config.value();
  snap->loaded = NowUnix();
  if (!snap->config->policies.empty()) {
    auto set = policies::PolicySet::LoadFiles(snap->config->policies, diagnostics);
    if (!set.ok()) return set.status();
    snap->policies = set.value();
  }
  if (snap->config->content) {
    std::vector<detect::CustomDetectorSpec> custom;
    if (snap->policies) {
      for (const auto& d : snap->policies->custom_detectors()) {
        custom.push_back({d.id, d.pattern, d.context, d.validate});
      }
    }
    auto engine = detect::Engine::Create(custom);
    if (!engine.ok()) return engine.status();
    snap->detectors = engine.value();
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

}  // namespace custos::config
