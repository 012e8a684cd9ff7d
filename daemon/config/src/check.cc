#include "custos/config/check.h"

#include <cstdio>

#include "custos/base/escape.h"
#include "custos/config/snapshot.h"
#include "custos/policies/policy.h"
#include "custos/yaml/reader.h"

namespace custos::config {
namespace {

constexpr uint64_t kMaxGuessBytes = 1 << 20;

FileCheck CheckDaemonConfig(const std::string& file) {
  FileCheck check;
  check.file = file;
  check.kind = FileKind::kDaemonConfig;
  auto snapshot = LoadSnapshot(file, &check.diagnostics);
  if (!snapshot.ok()) {
    // Every failure comes with its diagnostics; keep the status should one not.
    if (check.diagnostics.empty()) {
      check.diagnostics.push_back({file, 0, 0, snapshot.status().message()});
    }
    return check;
  }
  const Snapshot& snap = *snapshot.value();
  check.roots = snap.config->roots.size();
  check.policy_files = snap.config->policies.size();
  check.policies = snap.policies ? snap.policies->policy_count() : 0;
  if (snap.config->roots.empty()) {
    check.diagnostics.push_back({file, 0, 0, "no roots: custosd will scan nothing",
                                 yaml::Code::kNoRoots, yaml::Severity::kWarning});
  }
  return check;
}

FileCheck CheckPolicyFile(const std::string& file) {
  FileCheck check;
  check.file = file;
  check.kind = FileKind::kPolicyFile;
  auto set = policies::PolicySet::LoadFiles({file}, &check.diagnostics);
  if (!set.ok()) {
    if (check.diagnostics.empty())
      check.diagnostics.push_back({file, 0, 0, set.status().message()});
    return check;
  }
  check.policies = set.value()->policy_count();
  check.custom_detectors = set.value()->custom_detectors().size();
  return check;
}

void AppendDiagnostic(std::string& out, const Diagnostic& d) {
  out += "{\"file\":";
  AppendJsonString(out, EscapeBytes(d.file, true));
  out += ",\"line\":" + std::to_string(d.line) + ",\"column\":" + std::to_string(d.column);
  out += ",\"severity\":";
  AppendJsonString(out, yaml::SeverityName(d.severity));
  out += ",\"code\":";
  AppendJsonString(out, yaml::CodeName(d.code));
  out += ",\"message\":";
  AppendJsonString(out, EscapeBytes(d.message, false));
  out += '}';
}

}  // namespace

FileKind KindOfFile(const std::string& path) {
  yaml::Problem problem;
  auto text = yaml::ReadFile(path, kMaxGuessBytes, &problem);
  const FileKind kind = text ? GuessFileKind(*text) : FileKind::kUnknown;
  if (kind != FileKind::kUnknown) return kind;
  const size_t slash = path.find_last_of('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return base == "custos.yaml" || base == "custos.yml" ? FileKind::kDaemonConfig
                                                       : FileKind::kPolicyFile;
}

bool FileCheck::ok() const {
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == yaml::Severity::kError) return false;
  }
  return true;
}

std::string FileCheck::Summary() const {
  char buf[160];
  if (kind == FileKind::kDaemonConfig) {
    std::snprintf(buf, sizeof buf, "daemon config: %zu roots, %zu policy files with %zu policies",
                  roots, policy_files, policies);
  } else {
    std::snprintf(buf, sizeof buf, "policy file: %zu policies, %zu custom detectors", policies,
                  custom_detectors);
  }
  return buf;
}

std::vector<FileCheck> CheckFiles(const std::vector<std::string>& files,
                                  std::optional<FileKind> kind) {
  std::vector<FileCheck> checks;
  for (const std::string& file : files) {
    checks.push_back(kind.value_or(KindOfFile(file)) == FileKind::kDaemonConfig
                         ? CheckDaemonConfig(file)
                         : CheckPolicyFile(file));
  }
  return checks;
}

std::string CheckJson(const std::vector<FileCheck>& checks) {
  std::string files, errors, warnings;
  for (const FileCheck& c : checks) {
    if (!files.empty()) files += ',';
    files += "{\"file\":";
    AppendJsonString(files, EscapeBytes(c.file, true));
    files += ",\"kind\":";
    AppendJsonString(files, c.kind == FileKind::kDaemonConfig ? "daemon-config" : "policy-file");
    files += ",\"ok\":";
    files += c.ok() ? "true" : "false";
    files += ",\"summary\":";
    if (c.ok()) {
      AppendJsonString(files, c.Summary());
    } else {
      files += "null";
    }
    files += '}';
    for (const Diagnostic& d : c.diagnostics) {
      std::string& list = d.severity == yaml::Severity::kError ? errors : warnings;
      if (!list.empty()) list += ',';
      AppendDiagnostic(list, d);
    }
  }
  return "{\"files\":[" + files + "],\"errors\":[" + errors + "],\"warnings\":[" + warnings +
         "]}\n";
}

}  // namespace custos::config
