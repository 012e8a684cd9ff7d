// The config as a whole: what kind of file a text is, and its settings for the log.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

#include "custos/base/escape.h"
#include "custos/config/config.h"

namespace custos::config {
namespace {

FileKind KindOfTop(const YAML::Node& top) {
  if (!top.IsMap()) return FileKind::kUnknown;
  // The top-level keys of custos.yaml, but `policies`.
  static const std::set<std::string, std::less<>> kDaemonKeys = [] {
    std::set<std::string, std::less<>> keys;
    for (const Key& k : ConfigKeys()) {
      const std::string_view section = k.section();
      keys.emplace(section.empty() ? k.path : section);
    }
    keys.erase("policies");
    return keys;
  }();
  static const std::set<std::string, std::less<>> kPolicyKeys = {"detectors", "legal_holds"};
  for (auto it = top.begin(); it != top.end(); ++it) {
    // Copies, not references: `it->` hands out a proxy that dies with the statement.
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    if (!key_node.IsScalar()) continue;
    const std::string key = key_node.Scalar();
    if (kDaemonKeys.count(key)) return FileKind::kDaemonConfig;
    if (kPolicyKeys.count(key)) return FileKind::kPolicyFile;
    if (key != "policies" || !value.IsSequence()) continue;
    for (const YAML::Node& e : value) {
      if (e.IsScalar()) return FileKind::kDaemonConfig;
      if (e.IsMap()) return FileKind::kPolicyFile;
    }
  }
  return FileKind::kUnknown;
}

}  // namespace

FileKind GuessFileKind(const std::string& yaml) {
  try {
    return KindOfTop(YAML::Load(yaml));
  } catch (const YAML::Exception&) {
    return FileKind::kUnknown;
  }
}

std::string HumanSeconds(double seconds) {
  char buf[48];
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) {
    std::snprintf(buf, sizeof buf, "%.0f h", seconds / 3600);
  } else if (seconds >= 60 && std::fmod(seconds, 60) == 0) {
    std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%g s", seconds);
  }
  return buf;
}

std::vector<std::string> DescribeConfig(const DaemonConfig& c) {
  std::vector<std::string> lines;
  auto rate = [](double v, const char* unit) {
    if (v <= 0) return std::string("unlimited");
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.0f %s", v, unit);
    return std::string(buf);
  };
  for (const RootConfig& r : c.roots) {
    std::string excludes;
    for (const Glob& g : r.excludes) excludes += (excludes.empty() ? "" : " ") + g.pattern();
    lines.push_back("root " + r.name + ": " + EscapeBytes(r.path, true) + " schedule '" +
                    EscapeBytes(r.schedule.text(), true) + "' excludes [" +
                    EscapeBytes(excludes, true) + "] max_depth " + std::to_string(r.max_depth) +
                    " max_path " + std::to_string(r.max_path) + " max_file_size " +
                    std::to_string(r.max_file_bytes) + " B max_item_time " +
                    HumanSeconds(r.max_item_seconds) +
                    (r.cross_filesystems ? " cross_filesystems" : " one file system"));
  }
  if (c.roots.empty()) lines.push_back("no roots configured: nothing will be scanned");
  std::string pols;
  for (const std::string& p : c.policies) pols += (pols.empty() ? "" : " ") + p;
  lines.push_back("policies: " + (pols.empty() ? std::string("(none)") : EscapeBytes(pols, true)));
  lines.push_back("state_directory " + EscapeBytes(c.state_directory, true) + ", inventory " +
                  EscapeBytes(c.inventory, true) + ", node " + EscapeBytes(c.node, true));
  lines.push_back("scan: threads " + std::to_string(c.threads) + ", parallel_roots " +
                  std::to_string(c.parallel_roots) + ", splay " + HumanSeconds(c.splay) +
                  ", timezone " + (c.zone == TimeZone::kUtc ? "utc" : "local") + ", content " +
                  (c.content ? "on" : "off"));
  std::string windows;
  for (const ScanWindow& w : c.throttle.windows)
    windows += (windows.empty() ? "" : " ") + w.ToString();
  lines.push_back(
      "throttle: bytes/s " + rate(c.throttle.bytes_per_second, "B/s") + ", files/s " +
      rate(c.throttle.files_per_second, "files/s") + ", nice " + std::to_string(c.nice) +
      ", io_class " + c.io_class + ", windows " +
      (windows.empty() ? std::string("any time") : windows) + ", backoff " +
      (c.throttle.backoff
           ? "on (threshold " +
                 std::to_string(static_cast<int>(c.throttle.backoff_options.threshold)) + "x)"
           : std::string("off")));
  lines.push_back("control: socket " + EscapeBytes(c.control.socket, true) + " mode 0666, " +
                  "operators group " + EscapeBytes(c.control.group, true) + ", reviewers group " +
                  EscapeBytes(c.control.review_group, true) + ", max_request_size " +
                  std::to_string(c.control.max_request_bytes) + " B, request_timeout " +
                  HumanSeconds(c.control.request_timeout) + ", max_connections " +
                  std::to_string(c.control.max_connections));
  lines.push_back(c.metrics.enabled ? "metrics: listen " + c.metrics.address + ":" +
                                          std::to_string(c.metrics.port)
                                    : std::string("metrics: off"));
  lines.push_back(c.console.enabled ? "console: listen " + c.console.address + ":" +
                                          std::to_string(c.console.port) + " (HTTPS), group " +
                                          EscapeBytes(c.console.group, true) + ", idle_timeout " +
                                          HumanSeconds(c.console.idle_timeout)
                                    : std::string("console: off"));
  return lines;
}

}  // namespace custos::config
