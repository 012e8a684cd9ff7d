// `custos scan`: scan files and folders in-process, optionally recording in the inventory.
#include <limits.h>
#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/base/glob.h"
#include "custos/base/time.h"
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

}  // namespace

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
}  // namespace custos::cli
