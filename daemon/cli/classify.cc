// `custos classify`: type, category, content date and detections of single files.
#include <limits.h>
#include <stdlib.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/policies/policy.h"
#include "custos/scan/output.h"
#include "custos/scan/scan.h"

namespace custos::cli {

int ClassifyCommand(const Args& args) {
  std::vector<std::string> files, policy_files;
  std::string magic;
  bool jsonl = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::optional<std::string> v;
    if (args[i] == "--help" || args[i] == "-h") {
      std::fputs(
          "usage: custos classify [--policy FILE]... [--format text|jsonl] [--magic PATH] "
          "FILE...\n",
          stdout);
      return kExitClean;
    } else if (args[i] == "--policy") {
      if (!(v = TakeValue(args, i))) return kExitError;
      policy_files.push_back(*v);
    } else if (args[i] == "--magic") {
      if (!(v = TakeValue(args, i))) return kExitError;
      magic = *v;
    } else if (args[i] == "--format") {
      if (!(v = TakeValue(args, i))) return kExitError;
      if (*v != "text" && *v != "jsonl") {
        PrintError("classify: unknown format '" + EscapeBytes(*v, true) + "' (text or jsonl)");
        return kExitError;
      }
      jsonl = *v == "jsonl";
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) {
    PrintError("classify: no file given");
    return kExitError;
  }
  auto policies = LoadPolicies(policy_files);
  if (!policies) return kExitError;
  std::shared_ptr<const policies::PolicySet> set = *policies;
  const int64_t now = NowUnix();
  scan::ScanOptions options;
  options.magic_database = magic;
  if (set) options.evaluate = [set, now](Item& item) { set->Evaluate(item, now); };
  auto detectors = MakeDetectors(set);
  if (!detectors) return kExitError;
  options.detectors = *detectors;
  int rc = kExitClean;
  for (const std::string& f : files) {
    char resolved[PATH_MAX];
    std::string path = ::realpath(f.c_str(), resolved) ? resolved : f;
    auto item = scan::ClassifyFile(path, options);
    if (!item.ok()) {
      PrintError(EscapeBytes(item.status().message(), true));
      rc = kExitError;
      continue;
    }
    if (jsonl) {
      std::printf("%s\n", scan::ItemToJson(*item).c_str());
      continue;
    }
    std::printf("%s\n", EscapeBytes(item->path, true).c_str());
    std::printf("  mime:         %s\n", item->mime.empty() ? "-" : item->mime.c_str());
    // libmagic descriptions may quote file content (comments, titles, authors): only
    // the format name, before the first comma, is shown.
    std::string description = item->description.substr(0, item->description.find(','));
    if (description.size() > 80) description.resize(80);
    std::printf("  description:  %s\n",
                description.empty() ? "-" : EscapeBytes(description, true).c_str());
    std::printf("  category:     %s\n", std::string(CategoryName(item->category)).c_str());
    std::printf("  content_date: %s\n",
                item->content_date ? FormatIso8601(*item->content_date).c_str() : "-");
    if (!item->skipped.empty()) std::printf("  skipped:      %s\n", item->skipped.c_str());
    for (const Detection& d : item->detections) {
      std::string masked;
      for (const std::string& m : d.masked) masked += "  " + EscapeBytes(m, true);
      std::printf("  detection:    %s x%llu%s\n", d.detector.c_str(),
                  static_cast<unsigned long long>(d.count), masked.c_str());
    }
    for (const Violation& v : item->violations) {
      std::printf("  violation:    %s [%s, %s] %s\n", v.policy.c_str(), v.kind.c_str(),
                  v.severity.c_str(), EscapeBytes(v.reason, true).c_str());
    }
  }
  return rc;
}
}  // namespace custos::cli
