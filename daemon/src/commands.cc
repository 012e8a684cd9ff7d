#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/config/snapshot.h"
#include "custos/detect/detect.h"
#include "custos/identify/identifier.h"
#include "custos/policies/policy.h"
#include "custos/scan/output.h"
#include "custos/scan/scan.h"
#include "scan_inventory.h"

namespace custos::cli {
namespace {

constexpr const char* kScanHelp =
    "usage: custos scan [OPTIONS] PATH...\n"
    "  --policy FILE       policy file (repeatable); without one, items are only inventoried\n"
    "  --format FMT        jsonl (default), json, csv or table\n"
    "  --all               print every item, not only those with detections, violations,\n"
    "                      legal holds or skip reasons\n"
    "  -o, --output FILE   write the records to FILE (created with mode 0600)\n"
    "  --exclude GLOB      leave out matching files and folders (repeatable)\n"
    "  --threads N         worker threads (default: number of cores)\n"
    "  --cross-filesystems descend into other mounted file systems (default: stay on the root's)\n"
    "  --max-depth N       folders below a root (default 256)\n"
    "  --max-path N        bytes in an absolute path (default 4096)\n"
    "  --now TIME          judge retention as of TIME (YYYY-MM-DD[THH:MM:SSZ]; default: now)\n"
    "  --magic PATH        magic database list (default: custos' own, then the system's)\n"
    "  --no-content        identify and judge files without reading their content\n"
    "  --db PATH           record the scan in the inventory at PATH and reuse what it holds\n"
    "                      for unchanged files (incremental scan)\n"
    "  --state-dir DIR     where the inventory's HMAC key lives (default: the folder of --db)\n"
    "  --no-db             do not use an inventory (the default without --db)\n"
    "  -q, --quiet         no summary line on stderr\n";

// Takes the value of option `name` at args[i+1]; prints an error when missing.
std::optional<std::string> TakeValue(const Args& args, size_t& i) {
  if (i + 1 >= args.size()) {
    PrintError("option " + args[i] + " needs a value");
    return std::nullopt;
  }
  return args[++i];
}

std::optional<size_t> ParseCount(const std::string& opt, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n == 0 || v[0] == '-') {
    PrintError("option " + opt + ": '" + EscapeBytes(v, true) + "' is not a positive number");
    return std::nullopt;
  }
  return static_cast<size_t>(n);
}

// Loads policy files, printing every diagnostic. nullopt on error.
std::optional<std::shared_ptr<const policies::PolicySet>> LoadPolicies(
    const std::vector<std::string>& files) {
  if (files.empty()) return std::shared_ptr<const policies::PolicySet>();
  std::vector<policies::Diagnostic> diags;
  auto set = policies::PolicySet::LoadFiles(files, &diags);
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", EscapeBytes(d.ToString(), true).c_str());
  if (!set.ok()) {
    if (diags.empty()) PrintError(set.status().message());
    return std::nullopt;
  }
  return set.value();
}

// The detectors: the built-in ones plus the custom ones of the policies.
std::optional<std::shared_ptr<const detect::Engine>> MakeDetectors(
    const std::shared_ptr<const policies::PolicySet>& set) {
  std::vector<detect::CustomDetectorSpec> custom;
  if (set) {
    for (const auto& d : set->custom_detectors()) {
      custom.push_back({d.id, d.pattern, d.context, d.validate});
    }
  }
  auto engine = detect::Engine::Create(custom);
  if (!engine.ok()) {
    PrintError(engine.status().message());
    return std::nullopt;
  }
  return engine.value();
}

std::FILE* OpenOutput(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    PrintError(EscapeBytes(path, true) + ": " + std::strerror(errno));
    return nullptr;
  }
  return ::fdopen(fd, "w");
}

}  // namespace

void PrintError(const std::string& message) {
  std::fprintf(stderr, "custos: %s\n", message.c_str());
}

int ScanCommand(const Args& args) {
  std::vector<std::string> policy_files, roots;
  scan::ScanOptions options;
  scan::Format format = scan::Format::kJsonl;
  bool all = false, quiet = false, content = true;
  std::string output;
  int64_t now = NowUnix();
  InventoryScanOptions inventory;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::optional<std::string> v;
    if (a == "--help" || a == "-h") {
      std::fputs(kScanHelp, stdout);
      return kExitClean;
    } else if (a == "--policy") {
      if (!(v = TakeValue(args, i))) return kExitError;
      policy_files.push_back(*v);
    } else if (a == "--format") {
      if (!(v = TakeValue(args, i))) return kExitError;
      auto f = scan::ParseFormat(*v);
      if (!f.ok()) {
        PrintError(f.status().message());
        return kExitError;
      }
      format = *f;
    } else if (a == "--all") {
      all = true;
    } else if (a == "-q" || a == "--quiet") {
      quiet = true;
    } else if (a == "-o" || a == "--output") {
      if (!(v = TakeValue(args, i))) return kExitError;
      output = *v;
    } else if (a == "--exclude") {
      if (!(v = TakeValue(args, i))) return kExitError;
      auto g = Glob::Compile(*v);
      if (!g.ok()) {
        PrintError("--exclude: " + g.status().message());
        return kExitError;
      }
      options.walk.excludes.push_back(std::move(g.value()));
    } else if (a == "--threads") {
      if (!(v = TakeValue(args, i))) return kExitError;
      auto n = ParseCount(a, *v);
      if (!n) return kExitError;
      options.threads = static_cast<unsigned>(*n);
    } else if (a == "--cross-filesystems") {
      options.walk.one_file_system = false;
    } else if (a == "--max-depth" || a == "--max-path") {
      if (!(v = TakeValue(args, i))) return kExitError;
      auto n = ParseCount(a, *v);
      if (!n) return kExitError;
      (a == "--max-depth" ? options.walk.max_depth : options.walk.max_path) = *n;
    } else if (a == "--now") {
      if (!(v = TakeValue(args, i))) return kExitError;
      auto t = ParseIso8601(*v);
      if (!t) {
        PrintError("--now: '" + EscapeBytes(*v, true) + "' is not YYYY-MM-DD[THH:MM:SSZ]");
        return kExitError;
      }
      now = *t;
    } else if (a == "--magic") {
      if (!(v = TakeValue(args, i))) return kExitError;
      options.magic_database = *v;
    } else if (a == "--no-content") {
      content = false;
    } else if (a == "--db") {
      if (!(v = TakeValue(args, i))) return kExitError;
      inventory.db_path = *v;
    } else if (a == "--state-dir") {
      if (!(v = TakeValue(args, i))) return kExitError;
      inventory.state_dir = *v;
    } else if (a == "--no-db") {
      inventory.db_path.clear();
    } else if (a == "--config") {
      PrintError(a + " is not supported yet (the daemon config is planned)");
      return kExitError;
    } else if (a == "--") {
      roots.insert(roots.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    } else if (!a.empty() && a[0] == '-') {
      PrintError("unknown option '" + EscapeBytes(a, true) + "' (see custos help scan)");
      return kExitError;
    } else {
      roots.push_back(a);
    }
  }
  if (roots.empty()) {
    PrintError("scan: no path given (see custos help scan)");
    return kExitError;
  }
  for (std::string& root : roots) {
    char resolved[PATH_MAX];
    if (::realpath(root.c_str(), resolved) == nullptr) {
      PrintError(EscapeBytes(root, true) + ": " + std::strerror(errno));
      return kExitError;
    }
    root = resolved;
  }
  options.roots = roots;

  auto policies = LoadPolicies(policy_files);
  if (!policies) return kExitError;
  std::shared_ptr<const policies::PolicySet> set = *policies;
  if (set) {
    options.read_acl = set->NeedsAcl();
    options.evaluate = [set, now](Item& item) { set->Evaluate(item, now); };
  }
  if (content) {
    auto detectors = MakeDetectors(set);
    if (!detectors) return kExitError;
    options.detectors = *detectors;
  }

  std::unique_ptr<InventoryScan> recorded;
  if (!inventory.db_path.empty()) {
    inventory.now = now;
    options.cancel = InstallStopSignals();
    recorded = InventoryScan::Start(inventory, options, set);
    if (!recorded) return kExitError;
  }

  std::FILE* out = stdout;
  if (!output.empty() && !(out = OpenOutput(output))) return kExitError;
  auto writer = scan::ItemWriter::Create(format, out);
  scan::PrintingSink printing(*writer, all);
  scan::Sink& sink = recorded ? recorded->Wrap(printing) : printing;
  scan::ScanStats stats;
  writer->Begin();
  Status s = scan::RunScan(options, sink, &stats);
  writer->End();
  const bool write_failed = std::fflush(out) != 0 || std::ferror(out);
  if (out != stdout) std::fclose(out);
  if (recorded && !recorded->Finish(s, stats)) return kExitError;
  if (!s.ok()) {
    PrintError(EscapeBytes(s.message(), true));
    return kExitError;
  }
  if (write_failed) {
    PrintError("writing the output failed");
    return kExitError;
  }
  if (!quiet) std::fprintf(stderr, "%s\n", scan::SummaryLine(stats).c_str());
  if (stats.cancelled) {
    PrintError("scan interrupted; the inventory keeps what was recorded");
    return kExitError;
  }
  return stats.violations ? kExitViolations : kExitClean;
}

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

int DetectorsCommand(const Args& args) {
  const bool patterns = !args.empty() && args[0] == "--patterns";
  if (!args.empty() && !patterns) {
    std::fputs("usage: custos detectors [--patterns]\n", args[0] == "--help" ? stdout : stderr);
    return args[0] == "--help" ? kExitClean : kExitError;
  }
  for (const detect::DetectorDef& d : detect::BuiltinDetectors()) {
    if (patterns) {
      // One RE2 pattern per line: every variant, as the prefilter would see it.
      for (const detect::Variant& v : d.variants) std::printf("%s\n", v.pattern.c_str());
      continue;
    }
    std::string context;
    for (const std::string& w : d.context) context += (context.empty() ? "" : ", ") + w;
    std::printf("%-16s %zu pattern%s%s%s\n", d.id.c_str(), d.variants.size(),
                d.variants.size() == 1 ? "" : "s",
                context.empty() ? "" : "; context: ", EscapeBytes(context, true).c_str());
  }
  return kExitClean;
}

namespace {

constexpr const char* kCheckConfigHelp =
    "usage: custos check-config [--kind daemon|policy] FILE...\n"
    "  Validates custosd configs (custos.yaml; with the policy files they name) and\n"
    "  policy files. The kind is told by the top-level keys (roots, inventory, control,\n"
    "  metrics, ...: a daemon config; policies, detectors, legal_holds: a policy file);\n"
    "  a file whose keys do not tell is a policy file unless it is named custos.yaml.\n"
    "  --kind daemon|policy   check every FILE as that kind\n"
    "  Problems: FILE:LINE:COL: message on stderr, exit 2.\n";

// Reads at most `max` bytes of `path`; nullopt when it cannot be read (the loader then
// says why).
std::optional<std::string> ReadSmallFile(const std::string& path, size_t max) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return std::nullopt;
  std::string text;
  char buf[65536];
  size_t n;
  while (text.size() <= max && (n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return std::nullopt;
  return text;
}

config::FileKind KindOf(const std::string& file) {
  auto text = ReadSmallFile(file, 1 << 20);
  const config::FileKind kind = text ? config::GuessFileKind(*text) : config::FileKind::kUnknown;
  if (kind != config::FileKind::kUnknown) return kind;
  const size_t slash = file.find_last_of('/');
  const std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  return base == "custos.yaml" || base == "custos.yml" ? config::FileKind::kDaemonConfig
                                                       : config::FileKind::kPolicyFile;
}

void PrintDiagnostics(const std::vector<policies::Diagnostic>& diags, const Status& status) {
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", EscapeBytes(d.ToString(), true).c_str());
  if (diags.empty()) PrintError(EscapeBytes(status.message(), true));
}

}  // namespace

int CheckConfigCommand(const Args& args) {
  std::optional<config::FileKind> forced;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    std::optional<std::string> v;
    if (args[i] == "--help" || args[i] == "-h") {
      std::fputs(kCheckConfigHelp, stdout);
      return kExitClean;
    } else if (args[i] == "--kind") {
      if (!(v = TakeValue(args, i))) return kExitError;
      if (*v != "daemon" && *v != "policy") {
        PrintError("check-config: unknown kind '" + EscapeBytes(*v, true) + "' (daemon or policy)");
        return kExitError;
      }
      forced = *v == "daemon" ? config::FileKind::kDaemonConfig : config::FileKind::kPolicyFile;
    } else if (args[i] == "--") {
      files.insert(files.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    } else if (!args[i].empty() && args[i][0] == '-') {
      PrintError("check-config: unknown option '" + EscapeBytes(args[i], true) + "'");
      return kExitError;
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) {
    PrintError("check-config: no file given");
    return kExitError;
  }
  int rc = kExitClean;
  for (const std::string& file : files) {
    std::vector<policies::Diagnostic> diags;
    const std::string shown = EscapeBytes(file, true);
    if (forced.value_or(KindOf(file)) == config::FileKind::kDaemonConfig) {
      auto snapshot = config::LoadSnapshot(file, &diags);
      if (!snapshot.ok()) {
        PrintDiagnostics(diags, snapshot.status());
        rc = kExitError;
        continue;
      }
      const config::Snapshot& snap = *snapshot.value();
      std::printf("%s: ok (daemon config: %zu roots, %zu policy files with %zu policies)\n",
                  shown.c_str(), snap.config->roots.size(), snap.config->policies.size(),
                  snap.policies ? snap.policies->policy_count() : 0);
      continue;
    }
    auto set = policies::PolicySet::LoadFiles({file}, &diags);
    if (!set.ok()) {
      PrintDiagnostics(diags, set.status());
      rc = kExitError;
      continue;
    }
    std::printf("%s: ok (policy file: %zu policies, %zu custom detectors)\n", shown.c_str(),
                set.value()->policy_count(), set.value()->custom_detectors().size());
  }
  return rc;
}

}  // namespace custos::cli
