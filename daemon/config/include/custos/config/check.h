// `custos check-config`: checking custosd configs (with the policy files they name) and
// policy files, and the result for people (FILE:LINE:COL lines) and for tools (one JSON
// document of files, errors and warnings, each diagnostic with a stable code).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "custos/config/config.h"

namespace custos::config {

// How a file is told: by its top-level keys (GuessFileKind); when they do not tell, a
// file named custos.yaml or custos.yml is a daemon config, any other a policy file.
FileKind KindOfFile(const std::string& path);

// The check of one file.
struct FileCheck {
  std::string file;
  FileKind kind = FileKind::kPolicyFile;  // what it was checked as
  // Errors and warnings, in order: the file's own, then those of the policy files a
  // daemon config names (each with its own file name).
  std::vector<Diagnostic> diagnostics;
  // What was loaded, when it loaded.
  size_t roots = 0;
  size_t policy_files = 0;
  size_t policies = 0;
  size_t custom_detectors = 0;

  bool ok() const;  // no error (warnings allowed)
  // "daemon config: 1 roots, 1 policy files with 2 policies", "policy file: 2
  // policies, 1 custom detectors".
  std::string Summary() const;
};

// Checks each file as `kind`, or as KindOfFile tells. A daemon config is loaded as
// custosd loads it (config, policy files, detectors); a config without roots gets the
// warning no-roots.
std::vector<FileCheck> CheckFiles(const std::vector<std::string>& files,
                                  std::optional<FileKind> kind);

// The checks as one JSON document (one line):
//   {"files":[{"file":F,"kind":"daemon-config"|"policy-file","ok":B,"summary":S}],
//    "errors":[D...],"warnings":[D...]}
// with D = {"file":F,"line":N,"column":N,"severity":"error"|"warning","code":C,
// "message":M}; line and column are 0 when the problem concerns the whole file.
std::string CheckJson(const std::vector<FileCheck>& checks);

}  // namespace custos::config
