// The daemon's configuration file (/etc/custos/custos.yaml): roots with their
// schedules, excludes and limits; policy files; where state, inventory and the control
// socket live; the metrics endpoint; logging; throttling. Read by custosd and by the
// custos tool (check-config), so this library holds no service machinery.
//
// Loading reads through the shared YAML reader (custos/yaml/reader.h): every problem is
// a Diagnostic with FILE:LINE:COL pointing at the offending node (an unknown key: the
// key; a bad value: the value; a missing key: the map holding it), and a file with any
// error is rejected as a whole. Which keys exist, their types, checks and defaults come
// from one table (custos/config/keys.h); the fields below carry no defaults of their own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/glob.h"
#include "custos/base/status.h"
#include "custos/config/cron.h"
#include "custos/config/keys.h"
#include "custos/config/values.h"
#include "custos/yaml/diagnostic.h"

namespace custos::config {

using Diagnostic = yaml::Diagnostic;

// One scanned share (the roots[] keys).
struct RootConfig {
  std::string name;  // [a-z0-9_-]+, unique; default "root1", "root2", ... in file order
  std::string path;  // absolute
  CronSchedule schedule;
  std::vector<Glob> excludes;
  bool cross_filesystems = false;
  size_t max_depth = 0;         // folders below the root
  size_t max_path = 0;          // bytes in an absolute path
  uint64_t max_file_bytes = 0;  // bytes read from one file
  double max_item_seconds = 0;  // wall time spent on one file
  int line = 0;                 // where it was defined, for messages
};

struct ControlConfig {
  std::string socket;
  std::string group;         // operators: status, scan-now, reload
  std::string review_group;  // reviewers: findings and reports, decisions
  size_t max_request_bytes = 0;
  double request_timeout = 0;  // seconds to send a request or take a response
  size_t max_connections = 0;
};

struct MetricsConfig {
  bool enabled = false;
  std::string address;  // IPv4 or IPv6 literal
  uint16_t port = 0;    // 0: any free port (reported in the log and status)
};

// The review console (HTTPS, daemon/console): off unless `console.listen` is set.
struct ConsoleConfig {
  bool enabled = false;
  std::string address;      // IPv4 or IPv6 literal
  uint16_t port = 0;        // 0: any free port (reported in the log)
  std::string cert;         // PEM certificate chain
  std::string key;          // PEM private key
  std::string group;        // members may log in
  double idle_timeout = 0;  // seconds a session lives without a request
};

// A policy file as the config names it, for messages about it.
struct PolicyFileRef {
  std::string written;  // as in the config ("policies/site.yaml")
  int line = 0;
  int column = 0;
};

struct DaemonConfig {
  std::string file;  // where it was loaded from
  std::string site;  // the site's name for reports; empty: none
  // This server's name in a fleet inventory (its folders, items and scans are its own);
  // the host name unless set.
  std::string node;
  std::vector<RootConfig> roots;
  std::vector<std::string> policies;       // policy files, in order, relative ones resolved
  std::vector<PolicyFileRef> policy_refs;  // the same as written, with their positions
  std::string state_directory;
  std::string inventory;
  ControlConfig control;
  MetricsConfig metrics;
  ConsoleConfig console;
  std::string log_level;  // trace | debug | info | warn | error
  // Scanning.
  unsigned threads = 0;              // workers of one run
  unsigned parallel_roots = 0;       // runs at once (never two of the same root)
  double splay = 0;                  // seconds; each scheduled run starts up to this much later
  TimeZone zone = TimeZone::kLocal;  // schedules and windows are read in this zone
  bool content = false;              // read content and run the detectors
  std::string magic_database;        // empty: custos' own, then the system's
  // Resource governance.
  ThrottleOptions throttle;  // zone is copied from `zone`
  int nice = 0;              // scan threads' nice value (0..19)
  std::string io_class;      // idle | best-effort | none
};

// Loads the config file at `path`. On any error returns non-OK and appends every
// diagnostic to `diagnostics` (when given); the status message holds them one a line.
// Relative policy paths are taken relative to the config file's folder.
Result<std::shared_ptr<const DaemonConfig>> LoadConfigFile(const std::string& path,
                                                           std::vector<Diagnostic>* diagnostics);
// Same from text; `name` stands for the file name in diagnostics and its folder for
// relative paths.
Result<std::shared_ptr<const DaemonConfig>> LoadConfigString(const std::string& yaml,
                                                             const std::string& name,
                                                             std::vector<Diagnostic>* diagnostics);

// A root with every roots[] key at its default; `index` (0-based) makes its name.
RootConfig DefaultRoot(size_t index);

// The inventory file in a state directory (the `inventory` key's default).
std::string InventoryIn(std::string_view state_directory);
// The default config's inventory: where `custos findings` and `custos report` look
// without --db (/var/lib/custos/inventory.db).
std::string DefaultInventoryPath();

// Which of custos' two YAML files a text is, told by its top-level keys in file order:
// the first key that belongs to one kind only decides (roots, state_directory,
// inventory, control, metrics, logging, scan, throttle: a daemon config; detectors,
// legal_holds: a policy file). `policies` is in both: a list of file names in a daemon
// config, of maps in a policy file. kUnknown when nothing tells (no such key, empty or
// unreadable YAML).
enum class FileKind { kUnknown, kDaemonConfig, kPolicyFile };
FileKind GuessFileKind(const std::string& yaml);

// "10 min", "1.5 s", "2 h" style durations for logs.
std::string HumanSeconds(double seconds);

// The effective settings, one line each, for the start-up log.
std::vector<std::string> DescribeConfig(const DaemonConfig& config);

}  // namespace custos::config
