#include "custos/config/snapshot.h"

#include <sys/stat.h>

#include <cerrno>

#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/yaml/reader.h"

namespace custos::config {
namespace {

// The policy files of `config` that exist. A missing one is reported at the config line
// that names it ("custos.yaml:12:5: policy file 'x.yaml' not found"), not as a file of
// its own that cannot be read.
std::vector<std::string> ExistingPolicyFiles(const DaemonConfig& config,
                                             std::vector<Diagnostic>* missing) {
  std::vector<std::string> files;
  for (size_t i = 0; i < config.policies.size(); ++i) {
    const std::string& file = config.policies[i];
    struct stat st;
    if (::stat(file.c_str(), &st) != 0 && errno == ENOENT && i < config.policy_refs.size()) {
      const PolicyFileRef& ref = config.policy_refs[i];
      std::string message = "policy file " + yaml::Quote(ref.written) + " not found";
      if (ref.written != file) message += " (" + EscapeBytes(file, true) + ")";
      missing->push_back(
          {config.file, ref.line, ref.column, std::move(message), yaml::Code::kMissingFile});
      continue;
    }
    files.push_back(file);
  }
  return files;
}

}  // namespace

Result<std::shared_ptr<const Snapshot>> LoadSnapshot(const std::string& path,
                                                     std::vector<Diagnostic>* diagnostics) {
  auto config = LoadConfigFile(path, diagnostics);
  if (!config.ok()) return config.status();
  auto snap = std::make_shared<Snapshot>();
  snap->config = config.value();
  snap->loaded = NowUnix();
  if (!snap->config->policies.empty()) {
    std::vector<Diagnostic> missing;
    const std::vector<std::string> files = ExistingPolicyFiles(*snap->config, &missing);
    const size_t before = diagnostics ? diagnostics->size() : 0;
    auto set = policies::PolicySet::LoadFiles(files, diagnostics);
    if (!missing.empty()) {
      std::string message;
      for (const Diagnostic& d : missing) message += (message.empty() ? "" : "\n") + d.ToString();
      if (!set.ok()) message += "\n" + set.status().message();
      if (diagnostics)
        diagnostics->insert(diagnostics->begin() + before, missing.begin(), missing.end());
      return Status::Invalid(message);
    }
    if (!set.ok()) return set.status();
    snap->policies = set.value();
  }
  if (snap->config->content) {
    auto engine = detect::Engine::Create(snap->policies ? snap->policies->custom_detectors()
                                                        : std::vector<policies::CustomDetector>());
    if (!engine.ok()) return engine.status();
    snap->detectors = engine.value();
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

}  // namespace custos::config
