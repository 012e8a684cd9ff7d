// The keys of custos.yaml, one table: each key's path, type, default, check, one-line
// description and whether a reload applies it. The table drives the loader (which keys
// a map has, how a value is read and checked, the defaults), `custos check-config`, the
// restart-on-reload decision of custosd, and the tests that hold the sample config
// (packaging/config/custos.yaml) and custos.yaml(5) to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "custos/base/glob.h"
#include "custos/config/cron.h"
#include "custos/config/values.h"

namespace custos::config {

struct DaemonConfig;
struct RootConfig;

// What a value is written as, and read into.
enum class ValueType {
  kString,    // any text
  kPath,      // an absolute path; trailing slashes dropped
  kStore,     // an inventory: an absolute path, sqlite:PATH, or a postgresql:// URI
  kBool,      // true or false (also yes, no)
  kCount,     // a whole number within [min, max]
  kSize,      // bytes: 4096, 64KiB, 1GiB; within [min, max] (max 0: no upper limit)
  kDuration,  // 30s, 10min, 2h, 1d; at least min seconds
  kChoice,    // one of `choices` (any case)
  kName,      // a root name: [a-z0-9_-]+, at most 64
  kNode,      // a node name: letters, digits, '.', '-', '_'; at most 64 (custos/base/host.h)
  kSchedule,  // five cron fields or a @shortcut
  kListen,    // ADDRESS:PORT, [IPV6]:PORT, or off
  kGlobs,     // a list of globs
  kWindows,   // a list of HH:MM-HH:MM
  kFiles,     // a list of file names, relative to the config file's folder
};

// How a changed key takes effect on `systemctl reload custosd`.
enum class OnReload {
  kApplied,  // the new value is used from the reload on (by the next run for scan settings)
  kRestart,  // custosd keeps the old value and logs that a restart is needed
};

// A checked value, as the loader hands it to a key's setter.
using Value = std::variant<bool, uint64_t, double, std::string, std::vector<std::string>,
                           CronSchedule, std::vector<Glob>, std::vector<ScanWindow>>;

struct Key {
  std::string_view path = {};  // "scan.threads"; the keys of each root: "roots[].max_depth"
  ValueType type = ValueType::kString;
  // The default as written in custos.yaml. Empty with `required`; with `derived`, how
  // the default is made from other keys ("state_directory/inventory.db", "rootN").
  std::string_view default_value = {};
  std::string_view doc = {};  // one line, as custos.yaml(5) and the sample describe it
  OnReload on_reload = OnReload::kApplied;
  uint64_t min = 0;  // kCount, kSize, kDuration (seconds); kPath: unused
  uint64_t max = 0;  // kCount, kSize (0: none); kPath: the longest accepted, in bytes
  std::vector<std::string_view> choices = {};  // kChoice
  bool required = false;
  bool derived = false;
  // Stores a checked value into the config (a root's key: into `root`).
  void (*set)(DaemonConfig& config, RootConfig& root, const Value& value) = nullptr;
  // The effective value, for the restart decision and the tests of the defaults.
  Value (*get)(const DaemonConfig& config, const RootConfig& root) = nullptr;

  bool in_root() const { return path.substr(0, 8) == "roots[]."; }
  // The last part of the path: "threads".
  std::string_view name() const { return path.substr(path.rfind('.') + 1); }
  // The section ("scan"; "roots" for a root's keys); empty at top level.
  std::string_view section() const;
};

// Every key, in the order of custos.yaml(5): top level, then each section.
const std::vector<Key>& ConfigKeys();
const Key* FindKey(std::string_view path);

// What `key` accepts, for messages: "a whole number 1-256", "trace, debug, ...".
std::string Expected(const Key& key);
// `value` as written in custos.yaml: "10min", "64KiB", "true", "[]". Compared with
// Key::default_value by the tests.
std::string FormatValue(const Key& key, const Value& value);

// The keys whose value differs between two configs and that need a restart to take
// effect (in table order): "control.socket", "scan.parallel_roots", ...
std::vector<std::string> ChangedRestartKeys(const DaemonConfig& before, const DaemonConfig& after);

// The built-in settings: every key at its default, no roots, no policies.
DaemonConfig DefaultConfig();

}  // namespace custos::config
