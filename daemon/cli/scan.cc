// `custos scan`: scan files and folders in-process, or the roots of a custosd config,
// optionally recording in the inventory.
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
#include "command_line.h"
#include "custos/base/escape.h"
#include "custos/base/glob.h"
#include "custos/config/config.h"
#include "custos/policies/policy.h"
#include "custos/scan/output.h"
#include "custos/scan/scan.h"
#include "scan_inventory.h"

namespace custos::cli {
namespace {

struct ScanArgs {
  std::vector<std::string> policies, paths, excludes;
  std::string config, format = "jsonl", output, threads, max_depth, max_path, now, magic, db, node,
                      state_dir;
  bool all = false, quiet = false, no_content = false, cross = false, no_db = false;
  const CLI::App* app = nullptr;
  const CLI::Option* db_option = nullptr;
  const CLI::Option* no_db_option = nullptr;
};

// One scan: its roots with the walk and extraction limits they share.
struct Job {
  std::vector<std::string> roots;
  crawl::WalkOptions walk;
  extract::Limits limits;
};

// --db PATH or --no-db, whichever came last.
bool NoDbWins(const ScanArgs& a) {
  bool no_db = false;
  for (const CLI::Option* opt : a.app->parse_order()) {
    if (opt == a.db_option) no_db = false;
    if (opt == a.no_db_option) no_db = true;
  }
  return no_db;
}

std::optional<std::string> Resolve(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) {
    PrintError(EscapeBytes(path, true) + ": " + std::strerror(errno));
    return std::nullopt;
  }
  return std::string(resolved);
}

// The walk and limits of a configured root (command-line options win), or of a path
// given on the command line.
Job MakeJob(const ScanArgs& a, const std::string& root, const config::RootConfig* configured,
            const std::vector<Glob>& excludes, size_t max_depth, size_t max_path) {
  Job job;
  job.roots = {root};
  if (configured) {
    job.walk.excludes = configured->excludes;
    job.walk.one_file_system = !configured->cross_filesystems;
    job.walk.max_depth = configured->max_depth;
    job.walk.max_path = configured->max_path;
    job.limits.max_file_bytes = configured->max_file_bytes;
    job.limits.max_seconds = configured->max_item_seconds;
  }
  job.walk.excludes.insert(job.walk.excludes.end(), excludes.begin(), excludes.end());
  if (a.cross) job.walk.one_file_system = false;
  if (!a.max_depth.empty()) job.walk.max_depth = max_depth;
  if (!a.max_path.empty()) job.walk.max_path = max_path;
  return job;
}

// What to scan: every PATH (one scan, as without a config), or with --config each root
// of the config (or each PATH, with its root's settings when it is one) in a scan of
// its own.
std::optional<std::vector<Job>> MakeJobs(const ScanArgs& a, const config::DaemonConfig* cfg) {
  std::vector<Glob> excludes;
  for (const std::string& e : a.excludes) {
    auto g = Glob::Compile(e);
    if (!g.ok()) {
      PrintError("--exclude: " + g.status().message());
      return std::nullopt;
    }
    excludes.push_back(std::move(g.value()));
  }
  std::optional<size_t> max_depth = 256, max_path = 4096;
  if (!a.max_depth.empty() && !(max_depth = ParseCount("--max-depth", a.max_depth))) {
    return std::nullopt;
  }
  if (!a.max_path.empty() && !(max_path = ParseCount("--max-path", a.max_path))) {
    return std::nullopt;
  }
  std::vector<std::string> paths;
  for (const std::string& p : a.paths) {
    auto resolved = Resolve(p);
    if (!resolved) return std::nullopt;
    paths.push_back(*resolved);
  }
  std::vector<Job> jobs;
  if (!cfg) {
    jobs.push_back(MakeJob(a, "", nullptr, excludes, *max_depth, *max_path));
    jobs.back().roots = paths;
    return jobs;
  }
  if (a.paths.empty()) {
    for (const config::RootConfig& root : cfg->roots) {
      auto resolved = Resolve(root.path);
      if (!resolved) return std::nullopt;
      paths.push_back(*resolved);
    }
  }
  for (const std::string& path : paths) {
    const config::RootConfig* configured = nullptr;
    for (const config::RootConfig& root : cfg->roots) {
      if (Resolve(root.path).value_or("") == path) configured = &root;
    }
    jobs.push_back(MakeJob(a, path, configured, excludes, *max_depth, *max_path));
  }
  return jobs;
}

// The summary of one of several scans names its root.
std::string Summary(const scan::ScanStats& stats, const Job& job, bool several) {
  std::string line = scan::SummaryLine(stats);
  const std::string prefix = "custos: ";
  if (several && line.rfind(prefix, 0) == 0) {
    line.insert(prefix.size(), EscapeBytes(job.roots.front(), true) + ": ");
  }
  return line;
}

int RunScanCommand(const ScanArgs& a) {
  if (a.paths.empty() && a.config.empty()) {
    PrintError("scan: no path given (see custos help scan)");
    return kExitError;
  }
  std::shared_ptr<const config::DaemonConfig> cfg;
  if (!a.config.empty()) {
    std::vector<policies::Diagnostic> diags;
    auto loaded = config::LoadConfigFile(a.config, &diags);
    if (!loaded.ok()) {
      PrintDiagnostics(diags, loaded.status().message());
      return kExitError;
    }
    cfg = loaded.value();
  }
  auto format = scan::ParseFormat(a.format);
  if (!format.ok()) {
    PrintError(format.status().message());
    return kExitError;
  }
  const std::optional<int64_t> now = ParseNow(a.now);
  if (!now) return kExitError;
  auto jobs = MakeJobs(a, cfg.get());
  if (!jobs) return kExitError;
  if (jobs->empty()) {
    PrintError("scan: " + EscapeBytes(a.config, true) + " names no root and no PATH is given");
    return kExitError;
  }

  scan::ScanOptions options;
  options.threads = cfg ? cfg->threads : 0;
  if (!a.threads.empty()) {
    auto n = ParseCount("--threads", a.threads);
    if (!n) return kExitError;
    options.threads = static_cast<unsigned>(*n);
  }
  options.magic_database = !a.magic.empty() ? a.magic : cfg ? cfg->magic_database : "";
  std::vector<std::string> policy_files = cfg ? cfg->policies : std::vector<std::string>();
  policy_files.insert(policy_files.end(), a.policies.begin(), a.policies.end());
  auto policies = LoadPolicies(policy_files);
  if (!policies) return kExitError;
  std::shared_ptr<const policies::PolicySet> set = *policies;
  if (set) {
    options.read_acl = set->NeedsAcl();
    options.evaluate = [set, now = *now](Item& item) { set->Evaluate(item, now); };
  }
  if (!a.no_content && (!cfg || cfg->content)) {
    auto detectors = MakeDetectors(set);
    if (!detectors) return kExitError;
    options.detectors = *detectors;
  }

  // The inventory: --db, else the config's; --no-db: none.
  InventoryScanOptions inventory;
  inventory.now = *now;
  inventory.db_path = !a.db.empty() ? a.db : cfg ? cfg->inventory : "";
  inventory.node = !a.node.empty() ? a.node : cfg ? cfg->node : "";
  inventory.state_dir = !a.state_dir.empty()  ? a.state_dir
                        : cfg && a.db.empty() ? cfg->state_directory
                                              : "";
  if (NoDbWins(a)) inventory.db_path.clear();
  if (!inventory.db_path.empty()) options.cancel = InstallStopSignals();

  // The first scan's inventory is opened before the output, so that an unusable
  // inventory leaves no output file behind.
  auto options_of = [&options](const Job& job) {
    scan::ScanOptions o = options;
    o.roots = job.roots;
    o.walk = job.walk;
    o.limits = job.limits;
    return o;
  };
  scan::ScanOptions first = options_of(jobs->front());
  std::unique_ptr<InventoryScan> recorded;
  if (!inventory.db_path.empty() && !(recorded = InventoryScan::Start(inventory, first, set))) {
    return kExitError;
  }
  std::FILE* out = stdout;
  if (!a.output.empty() && !(out = OpenOutput(a.output))) return kExitError;
  auto writer = scan::ItemWriter::Create(*format, out);
  scan::PrintingSink printing(*writer, a.all);
  writer->Begin();
  bool failed = false, cancelled = false, violations = false;
  for (size_t i = 0; i < jobs->size() && !cancelled; ++i) {
    scan::ScanOptions o = i == 0 ? std::move(first) : options_of((*jobs)[i]);
    if (i > 0 && !inventory.db_path.empty() &&
        !(recorded = InventoryScan::Start(inventory, o, set))) {
      failed = true;
      break;
    }
    scan::Sink& sink = recorded ? recorded->Wrap(printing) : printing;
    scan::ScanStats stats;
    Status s = scan::RunScan(o, sink, &stats);
    const bool recorded_ok = !recorded || recorded->Finish(s, stats);
    recorded.reset();
    if (!s.ok()) PrintError(EscapeBytes(s.message(), true));
    if (!s.ok() || !recorded_ok) {
      failed = true;
      continue;
    }
    if (!a.quiet)
      std::fprintf(stderr, "%s\n", Summary(stats, (*jobs)[i], jobs->size() > 1).c_str());
    violations = violations || stats.violations > 0;
    cancelled = stats.cancelled;
  }
  writer->End();
  const bool write_failed = std::fflush(out) != 0 || std::ferror(out);
  if (out != stdout) std::fclose(out);
  if (failed) return kExitError;
  if (write_failed) {
    PrintError("writing the output failed");
    return kExitError;
  }
  if (cancelled) {
    PrintError("scan interrupted; the inventory keeps what was recorded");
    return kExitError;
  }
  return violations ? kExitViolations : kExitClean;
}

}  // namespace

void AddScan(CommandLine& cl) {
  auto a = std::make_shared<ScanArgs>();
  CLI::App* app =
      cl.Add(nullptr, "scan",
             "scan files and folders in-process; print one record per item that has a detection, "
             "a violation, a legal hold or a skip reason (--all: every item)",
             [a] { return RunScanCommand(*a); });
  a->app = app;
  cl.Repeated(app, "--policy", &a->policies, "FILE",
              "policy file; without one, items are only inventoried");
  cl.Value(app, "--config", &a->config, "FILE",
           "a custosd config (custos.yaml): without PATH, scan each of its roots with its "
           "excludes and limits; its policy files, threads, content and magic settings and "
           "its inventory apply (the options below win)");
  cl.Choice(app, "--format", &a->format, {"jsonl", "json", "csv", "table"}, "output format");
  cl.Flag(app, "--all", &a->all,
          "print every item, not only those with detections, violations, legal holds or skip "
          "reasons");
  cl.Value(app, "-o,--output", &a->output, "FILE", "write the records to FILE (mode 0600)",
           "stdout");
  cl.Repeated(app, "--exclude", &a->excludes, "GLOB", "leave out matching files and folders");
  cl.Value(app, "--threads", &a->threads, "N", "worker threads",
           "number of cores; with --config its threads");
  cl.Flag(app, "--cross-filesystems", &a->cross,
          "descend into other mounted file systems (default: stay on the root's)");
  cl.Value(app, "--max-depth", &a->max_depth, "N", "folders below a root", "256");
  cl.Value(app, "--max-path", &a->max_path, "N", "bytes in an absolute path", "4096");
  cl.Value(app, "--now", &a->now, "TIME", "judge retention as of TIME (YYYY-MM-DD[THH:MM:SSZ])",
           "now");
  cl.Value(app, "--magic", &a->magic, "PATH", "magic database list",
           "custos' own, then the system's");
  cl.Flag(app, "--no-content", &a->no_content,
          "identify and judge files without reading their content");
  a->db_option = cl.Value(app, "--db", &a->db, "PATH",
                          "record the scan in the inventory at PATH (or the PostgreSQL database "
                          "postgresql://...) and reuse what it holds for unchanged files "
                          "(incremental scan)",
                          "none; with --config its inventory");
  cl.Value(app, "--state-dir", &a->state_dir, "DIR", "where the inventory's HMAC key lives",
           "the folder of --db (/var/lib/custos for a database); with --config its "
           "state_directory");
  cl.Value(app, "--node", &a->node, "NAME",
           "this server's name in a fleet inventory (PostgreSQL): the scan's folders, items "
           "and findings are recorded as NAME's",
           "with --config its node, else the host name");
  a->no_db_option = cl.Flag(app, "--no-db", &a->no_db, "do not use an inventory");
  cl.Flag(app, "-q,--quiet", &a->quiet, "no summary line on stderr");
  cl.Rest(app, "PATH", &a->paths, "files and folders to scan (absolute or relative)", true);
  app->footer(
      "exit codes: 0 no violation, 1 violations found, 2 error (bad arguments, config or "
      "policy, unreadable root, inventory unusable, scan interrupted by SIGINT/SIGTERM)");
}

}  // namespace custos::cli
