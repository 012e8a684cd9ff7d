// `custos classify`: type, category, content date and detections of single files.
#include <limits.h>
#include <stdlib.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "command_line.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/policies/policy.h"
#include "custos/scan/output.h"
#include "custos/scan/scan.h"

namespace custos::cli {

namespace {

struct ClassifyArgs {
  std::vector<std::string> files, policies;
  std::string magic, format = "text";
};

int RunClassify(const ClassifyArgs& a) {
  const std::vector<std::string>& files = a.files;
  const std::vector<std::string>& policy_files = a.policies;
  const std::string& magic = a.magic;
  const bool jsonl = a.format == "jsonl";
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
    if (!item->skipped.empty()) std::printf("  skipped:      %s\n", item->skipped.Text().c_str());
    for (const Detection& d : item->detections) {
      std::string masked;
      for (const std::string& m : d.masked) masked += "  " + EscapeBytes(m, true);
      std::printf("  detection:    %s x%llu%s\n", d.detector.c_str(),
                  static_cast<unsigned long long>(d.count), masked.c_str());
    }
    for (const Violation& v : item->violations) {
      std::printf("  violation:    %s [%s, %s] %s\n", v.policy.c_str(),
                  std::string(ViolationKindName(v.kind)).c_str(),
                  std::string(SeverityName(v.severity)).c_str(),
                  EscapeBytes(v.reason, true).c_str());
    }
  }
  return rc;
}

}  // namespace

void AddClassify(CommandLine& cl) {
  auto a = std::make_shared<ClassifyArgs>();
  CLI::App* app = cl.Add(nullptr, "classify",
                         "print type, category, content date, detections and (with --policy) "
                         "violations of single files, to debug a detector or the magic database",
                         [a] { return RunClassify(*a); });
  cl.Repeated(app, "--policy", &a->policies, "FILE", "judge the files by this policy file");
  cl.Choice(app, "--format", &a->format, {"text", "jsonl"},
            "text for people, or one JSON record a line as custos scan prints");
  cl.Value(app, "--magic", &a->magic, "PATH", "magic database list",
           "custos' own, then the system's");
  cl.Rest(app, "FILE", &a->files, "files to classify", true);
}

}  // namespace custos::cli
