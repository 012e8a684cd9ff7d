// Config loading: YAML text -> checked DaemonConfig. Messages follow the policy
// loader's wording so that both files read alike in `custos check-config` and logs.
#include "custos/config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "custos/base/escape.h"

namespace custos::config {
namespace {

constexpr uint64_t kMaxFileSize = 1 << 20;

struct Pos {
  int line = 0;
  int column = 0;
};

Pos PosOf(const YAML::Mark& m) {
  if (m.line < 0) return {};
  return {m.line + 1, m.column < 0 ? 0 : m.column + 1};
}

std::string Q(std::string_view v) { return "'" + EscapeBytes(v, true) + "'"; }

std::string KindName(YAML::NodeType::value t) {
  switch (t) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a string";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "an undefined node";
  }
}

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

struct Field {
  YAML::Node key;
  YAML::Node value;
};
using Fields = std::map<std::string, Field, std::less<>>;

// One key of the file: its name and a one-line description used in "expected" lists.
using Keys = std::initializer_list<std::string_view>;

class Loader {
 public:
  Loader(std::string name, std::vector<Diagnostic>* out) : file_(std::move(name)), out_(out) {}

  Result<std::shared_ptr<const DaemonConfig>> Load(const std::string& text);

 private:
  void Error(Pos pos, std::string message) {
    diags_.push_back({file_, pos.line, pos.column, std::move(message)});
  }
  void Error(const YAML::Node& node, std::string message) {
    Error(PosOf(node.Mark()), std::move(message));
  }
  std::string At(const YAML::Node& node) const {
    const Pos p = PosOf(node.Mark());
    return file_ + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
  }

  Fields ReadMap(const YAML::Node& map, Keys allowed, std::string_view where);
  // A map-valued section; false (and reported) when it is not a map. Null is allowed
  // ("metrics:" alone keeps the defaults).
  bool Section(const Fields& f, std::string_view key, YAML::Node* out);
  std::optional<std::string> Scalar(const Field& f, std::string_view key);
  std::optional<std::string> AbsolutePath(const Field& f, std::string_view key);
  std::optional<bool> Bool(const Field& f, std::string_view key);
  std::optional<uint64_t> Number(const Field& f, std::string_view key, uint64_t min, uint64_t max);
  std::optional<uint64_t> Size(const Field& f, std::string_view key, uint64_t min);
  std::optional<double> Seconds(const Field& f, std::string_view key, double min);
  std::optional<std::vector<std::pair<std::string, YAML::Node>>> List(const Field& f,
                                                                      std::string_view key);

  // Reads `key` of `f` with `read` when present.
  template <typename T, typename Fn>
  void Opt(const Fields& f, std::string_view key, T& target, Fn read) {
    auto it = f.find(key);
    if (it == f.end()) return;
    if (auto v = read(it->second, key)) target = static_cast<T>(*v);
  }

  void ReadRoot(const YAML::Node& node, size_t index);
  void ReadControl(const YAML::Node& node);
  void ReadMetrics(const YAML::Node& node);
  void ReadLogging(const YAML::Node& node);
  void ReadScan(const YAML::Node& node);
  void ReadThrottle(const YAML::Node& node);

  std::string file_;
  std::vector<Diagnostic>* out_;
  std::vector<Diagnostic> diags_;
  DaemonConfig config_;
  std::map<std::string, YAML::Node> root_names_;
};

Fields Loader::ReadMap(const YAML::Node& map, Keys allowed, std::string_view where) {
  Fields fields;
  std::string expected;
  for (std::string_view k : allowed) expected += (expected.empty() ? "" : ", ") + std::string(k);
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      Error(key, "expected a string key " + std::string(where) + ", got " + KindName(key.Type()));
      continue;
    }
    const std::string& name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      Error(key,
            "unknown key " + Q(name) + " " + std::string(where) + " (expected " + expected + ")");
      continue;
    }
    if (auto prev = fields.find(name); prev != fields.end()) {
      Error(key, "duplicate key " + Q(name) + " " + std::string(where) + " (first at " +
                     At(prev->second.key) + ")");
      continue;
    }
    fields.emplace(name, Field{key, it->second});
  }
  return fields;
}

bool Loader::Section(const Fields& f, std::string_view key, YAML::Node* out) {
  auto it = f.find(key);
  if (it == f.end() || it->second.value.IsNull()) return false;
  if (!it->second.value.IsMap()) {
    Error(it->second.value,
          "expected a map for " + Q(key) + ", got " + KindName(it->second.value.Type()));
    return false;
  }
  *out = it->second.value;
  return true;
}

std::optional<std::string> Loader::Scalar(const Field& f, std::string_view key) {
  if (f.value.IsNull()) {
    Error(f.key, "missing value for " + Q(key));
    return std::nullopt;
  }
  if (!f.value.IsScalar()) {
    Error(f.value, "expected a string for " + Q(key) + ", got " + KindName(f.value.Type()));
    return std::nullopt;
  }
  return f.value.Scalar();
}

std::optional<std::string> Loader::AbsolutePath(const Field& f, std::string_view key) {
  auto s = Scalar(f, key);
  if (!s) return std::nullopt;
  if (s->empty() || (*s)[0] != '/') {
    Error(f.value, "expected an absolute path for " + Q(key) + ", got " + Q(*s));
    return std::nullopt;
  }
  while (s->size() > 1 && s->back() == '/') s->pop_back();
  return s;
}

std::optional<bool> Loader::Bool(const Field& f, std::string_view key) {
  auto s = Scalar(f, key);
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "True" || *s == "TRUE" || *s == "yes") return true;
  if (*s == "false" || *s == "False" || *s == "FALSE" || *s == "no") return false;
  Error(f.value, "bad value " + Q(*s) + " for " + Q(key) + " (expected true or false)");
  return std::nullopt;
}

std::optional<uint64_t> Loader::Number(const Field& f, std::string_view key, uint64_t min,
                                       uint64_t max) {
  auto s = Scalar(f, key);
  if (!s) return std::nullopt;
  const std::string range = std::to_string(min) + "-" + std::to_string(max);
  uint64_t v = 0;
  bool ok = !s->empty() && s->size() <= 19;
  for (char c : *s) ok = ok && c >= '0' && c <= '9';
  if (ok) v = std::stoull(*s);
  if (!ok || v < min || v > max) {
    Error(f.value,
          "bad value " + Q(*s) + " for " + Q(key) + " (expected a whole number " + range + ")");
    return std::nullopt;
  }
  return v;
}

std::optional<uint64_t> Loader::Size(const Field& f, std::string_view key, uint64_t min) {
  auto s = Scalar(f, key);
  if (!s) return std::nullopt;
  auto v = ParseSize(*s);
  if (!v || *v < min) {
    Error(f.value, "bad size " + Q(*s) + " for " + Q(key) +
                       " (expected a number and a unit: B, KiB, MiB, GiB, TiB" +
                       (min ? ", at least " + std::to_string(min) + " B" : std::string()) + ")");
    return std::nullopt;
  }
  return v;
}

std::optional<double> Loader::Seconds(const Field& f, std::string_view key, double min) {
  auto s = Scalar(f, key);
  if (!s) return std::nullopt;
  auto v = policies::ParseDuration(*s);
  if (!v || static_cast<double>(*v) < min) {
    Error(f.value, "bad duration " + Q(*s) + " for " + Q(key) +
                       " (expected a number and a unit: s, min, h, d" +
                       (min > 0 ? ", at least " + HumanSeconds(min) : std::string()) + ")");
    return std::nullopt;
  }
  return static_cast<double>(*v);
}

std::optional<std::vector<std::pair<std::string, YAML::Node>>> Loader::List(const Field& f,
                                                                            std::string_view key) {
  if (f.value.IsNull()) return std::vector<std::pair<std::string, YAML::Node>>();
  if (!f.value.IsSequence()) {
    Error(f.value, "expected a list for " + Q(key) + ", got " + KindName(f.value.Type()));
    return std::nullopt;
  }
  std::vector<std::pair<std::string, YAML::Node>> out;
  bool ok = true;
  for (const YAML::Node& e : f.value) {
    if (!e.IsScalar()) {
      Error(e.IsNull() ? f.value : e,
            "expected a string in " + Q(key) + ", got " + KindName(e.Type()));
      ok = false;
      continue;
    }
    out.emplace_back(e.Scalar(), e);
  }
  if (!ok) return std::nullopt;
  return out;
}

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

void Loader::ReadRoot(const YAML::Node& node, size_t index) {
  Fields f = ReadMap(node,
                     {"path", "name", "schedule", "exclude", "cross_filesystems", "max_depth",
                      "max_path", "max_file_size", "max_item_time"},
                     "in root");
  RootConfig root;
  root.line = PosOf(node.Mark()).line;
  root.name = "root" + std::to_string(index + 1);
  root.schedule = CronSchedule::Parse("@daily").value();
  bool ok = true;
  if (auto it = f.find("path"); it == f.end()) {
    Error(node, "missing 'path' in root");
    ok = false;
  } else if (auto p = AbsolutePath(it->second, "path")) {
    root.path = *p;
  } else {
    ok = false;
  }
  YAML::Node name_node = node;
  if (auto it = f.find("name"); it != f.end()) {
    if (auto s = Scalar(it->second, "name")) {
      if (!ValidName(*s)) {
        Error(it->second.value, "bad root name " + Q(*s) + " (expected [a-z0-9_-]+, at most 64)");
        ok = false;
      } else {
        root.name = *s;
        name_node = it->second.value;
      }
    }
  }
  if (auto it = f.find("schedule"); it != f.end()) {
    if (auto s = Scalar(it->second, "schedule")) {
      auto c = CronSchedule::Parse(*s);
      if (!c.ok()) {
        Error(it->second.value, "bad schedule " + Q(*s) + ": " + c.status().message());
        ok = false;
      } else {
        root.schedule = std::move(c.value());
      }
    }
  }
  if (auto it = f.find("exclude"); it != f.end()) {
    if (auto list = List(it->second, "exclude")) {
      for (const auto& [text, n] : *list) {
        auto g = Glob::Compile(text);
        if (!g.ok()) {
          Error(n, "bad glob " + Q(text) + ": " + g.status().message());
          continue;
        }
        root.excludes.push_back(std::move(g.value()));
      }
    }
  }
  Opt(f, "cross_filesystems", root.cross_filesystems,
      [&](const Field& x, std::string_view k) { return Bool(x, k); });
  Opt(f, "max_depth", root.max_depth,
      [&](const Field& x, std::string_view k) { return Number(x, k, 1, 4096); });
  Opt(f, "max_path", root.max_path,
      [&](const Field& x, std::string_view k) { return Number(x, k, 256, 1 << 20); });
  Opt(f, "max_file_size", root.max_file_bytes,
      [&](const Field& x, std::string_view k) { return Size(x, k, 4096); });
  Opt(f, "max_item_time", root.max_item_seconds,
      [&](const Field& x, std::string_view k) { return Seconds(x, k, 1); });
  if (auto prev = root_names_.find(root.name); prev != root_names_.end()) {
    Error(name_node,
          "duplicate root name " + Q(root.name) + " (first at " + At(prev->second) + ")");
    ok = false;
  } else {
    root_names_.emplace(root.name, name_node);
  }
  if (ok) config_.roots.push_back(std::move(root));
}

void Loader::ReadControl(const YAML::Node& node) {
  Fields f =
      ReadMap(node, {"socket", "group", "max_request_size", "request_timeout", "max_connections"},
              "in control");
  ControlConfig& c = config_.control;
  Opt(f, "socket", c.socket, [&](const Field& x, std::string_view k) {
    auto p = AbsolutePath(x, k);
    // sun_path holds 108 bytes with the terminating NUL.
    if (p && p->size() > 107) {
      Error(x.value, "socket path " + Q(*p) + " is longer than 107 bytes");
      return std::optional<std::string>();
    }
    return p;
  });
  Opt(f, "group", c.group, [&](const Field& x, std::string_view k) { return Scalar(x, k); });
  Opt(f, "max_request_size", c.max_request_bytes, [&](const Field& x, std::string_view k) {
    auto v = Size(x, k, 1024);
    if (v && *v > (16u << 20)) {
      Error(x.value, "bad size " + Q(x.value.Scalar()) + " for " + Q(k) + " (at most 16MiB)");
      return std::optional<uint64_t>();
    }
    return v;
  });
  Opt(f, "request_timeout", c.request_timeout,
      [&](const Field& x, std::string_view k) { return Seconds(x, k, 1); });
  Opt(f, "max_connections", c.max_connections,
      [&](const Field& x, std::string_view k) { return Number(x, k, 1, 4096); });
}

void Loader::ReadMetrics(const YAML::Node& node) {
  Fields f = ReadMap(node, {"listen"}, "in metrics");
  auto it = f.find("listen");
  if (it == f.end()) return;
  auto s = Scalar(it->second, "listen");
  if (!s) return;
  if (*s == "off" || *s == "none" || *s == "false") {
    config_.metrics.enabled = false;
    return;
  }
  // ADDRESS:PORT, [IPV6]:PORT
  std::string host, port;
  if (!s->empty() && (*s)[0] == '[') {
    const size_t close = s->find(']');
    if (close != std::string::npos && close + 1 < s->size() && (*s)[close + 1] == ':') {
      host = s->substr(1, close - 1);
      port = s->substr(close + 2);
    }
  } else if (const size_t colon = s->rfind(':'); colon != std::string::npos) {
    host = s->substr(0, colon);
    port = s->substr(colon + 1);
  }
  bool ok = !host.empty() && !port.empty() && port.size() <= 5 &&
            std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
            std::stoul(port) <= 65535;
  if (ok) {
    // A literal address only: a name would depend on the resolver at start-up.
    const bool v6 = host.find(':') != std::string::npos;
    ok = std::all_of(host.begin(), host.end(), [v6](char c) {
      return (c >= '0' && c <= '9') || c == '.' ||
             (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    });
  }
  if (!ok) {
    Error(it->second.value,
          "bad listen address " + Q(*s) +
              " (expected ADDRESS:PORT like 127.0.0.1:9797 or [::1]:9797, or off)");
    return;
  }
  config_.metrics.address = host;
  config_.metrics.port = static_cast<uint16_t>(std::stoul(port));
}

void Loader::ReadLogging(const YAML::Node& node) {
  Fields f = ReadMap(node, {"level"}, "in logging");
  Opt(f, "level", config_.log_level, [&](const Field& x, std::string_view k) {
    auto s = Scalar(x, k);
    if (s && *s != "trace" && *s != "debug" && *s != "info" && *s != "warn" && *s != "error") {
      Error(x.value,
            "bad value " + Q(*s) + " for 'level' (expected trace, debug, info, warn, error)");
      return std::optional<std::string>();
    }
    return s;
  });
}

void Loader::ReadScan(const YAML::Node& node) {
  Fields f =
      ReadMap(node, {"threads", "parallel_roots", "splay", "timezone", "content", "magic_database"},
              "in scan");
  Opt(f, "threads", config_.threads,
      [&](const Field& x, std::string_view k) { return Number(x, k, 1, 256); });
  Opt(f, "parallel_roots", config_.parallel_roots,
      [&](const Field& x, std::string_view k) { return Number(x, k, 1, 64); });
  Opt(f, "splay", config_.splay,
      [&](const Field& x, std::string_view k) { return Seconds(x, k, 0); });
  Opt(f, "timezone", config_.zone, [&](const Field& x, std::string_view k) {
    auto s = Scalar(x, k);
    if (!s) return std::optional<TimeZone>();
    if (*s == "local") return std::optional<TimeZone>(TimeZone::kLocal);
    if (*s == "utc" || *s == "UTC") return std::optional<TimeZone>(TimeZone::kUtc);
    Error(x.value, "bad value " + Q(*s) + " for 'timezone' (expected local or utc)");
    return std::optional<TimeZone>();
  });
  Opt(f, "content", config_.content,
      [&](const Field& x, std::string_view k) { return Bool(x, k); });
  Opt(f, "magic_database", config_.magic_database,
      [&](const Field& x, std::string_view k) { return Scalar(x, k); });
}

void Loader::ReadThrottle(const YAML::Node& node) {
  Fields f = ReadMap(node,
                     {"bytes_per_second", "files_per_second", "nice", "io_class", "windows",
                      "backoff", "backoff_threshold"},
                     "in throttle");
  ThrottleOptions& t = config_.throttle;
  Opt(f, "bytes_per_second", t.bytes_per_second,
      [&](const Field& x, std::string_view k) { return Size(x, k, 0); });
  Opt(f, "files_per_second", t.files_per_second,
      [&](const Field& x, std::string_view k) { return Number(x, k, 0, 1000000); });
  Opt(f, "nice", config_.nice,
      [&](const Field& x, std::string_view k) { return Number(x, k, 0, 19); });
  Opt(f, "io_class", config_.io_class, [&](const Field& x, std::string_view k) {
    auto s = Scalar(x, k);
    if (s && *s != "idle" && *s != "best-effort" && *s != "none") {
      Error(x.value, "bad value " + Q(*s) + " for 'io_class' (expected idle, best-effort, none)");
      return std::optional<std::string>();
    }
    return s;
  });
  if (auto it = f.find("windows"); it != f.end()) {
    if (auto list = List(it->second, "windows")) {
      for (const auto& [text, n] : *list) {
        auto w = ScanWindow::Parse(text);
        if (!w.ok()) {
          Error(n, w.status().message());
          continue;
        }
        t.windows.push_back(*w);
      }
    }
  }
  Opt(f, "backoff", t.backoff, [&](const Field& x, std::string_view k) { return Bool(x, k); });
  Opt(f, "backoff_threshold", t.backoff_options.threshold,
      [&](const Field& x, std::string_view k) { return Number(x, k, 2, 100); });
}

Result<std::shared_ptr<const DaemonConfig>> Loader::Load(const std::string& text) {
  config_.file = file_;
  const std::string dir = Dirname(file_);
  [&] {
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
      Error(PosOf(e.mark), "YAML syntax error: " + e.msg);
      return;
    }
    if (docs.empty() || docs[0].IsNull()) return;  // all defaults, no roots
    if (docs.size() > 1) {
      Error(docs[1], "unexpected second YAML document (a config file holds one map)");
      return;
    }
    const YAML::Node& top_node = docs[0];
    if (!top_node.IsMap()) {
      Error(top_node, "expected a map at top level, got " + KindName(top_node.Type()));
      return;
    }
    Fields top = ReadMap(top_node,
                         {"roots", "policies", "state_directory", "inventory", "control", "metrics",
                          "logging", "scan", "throttle"},
                         "at top level");
    if (auto it = top.find("roots"); it != top.end() && !it->second.value.IsNull()) {
      const YAML::Node& list = it->second.value;
      if (!list.IsSequence()) {
        Error(list, "expected a list for 'roots', got " + KindName(list.Type()));
      } else {
        size_t i = 0;
        for (const YAML::Node& e : list) {
          if (!e.IsMap()) {
            Error(e.IsNull() ? list : e, "expected a map in 'roots', got " + KindName(e.Type()));
          } else {
            ReadRoot(e, i);
          }
          ++i;
        }
      }
    }
    if (auto it = top.find("policies"); it != top.end()) {
      if (auto list = List(it->second, "policies")) {
        for (const auto& [text, n] : *list) {
          if (text.empty()) {
            Error(n, "empty value in 'policies'");
            continue;
          }
          config_.policies.push_back(text[0] == '/' ? text : dir + "/" + text);
        }
      }
    }
    bool inventory_given = false;
    Opt(top, "state_directory", config_.state_directory,
        [&](const Field& x, std::string_view k) { return AbsolutePath(x, k); });
    if (auto it = top.find("inventory"); it != top.end()) {
      inventory_given = true;
      if (auto p = AbsolutePath(it->second, "inventory")) config_.inventory = *p;
    }
    if (!inventory_given) config_.inventory = config_.state_directory + "/inventory.db";
    YAML::Node section;
    if (Section(top, "control", &section)) ReadControl(section);
    if (Section(top, "metrics", &section)) ReadMetrics(section);
    if (Section(top, "logging", &section)) ReadLogging(section);
    if (Section(top, "scan", &section)) ReadScan(section);
    if (Section(top, "throttle", &section)) ReadThrottle(section);
  }();
  config_.throttle.zone = config_.zone;
  if (!diags_.empty()) {
    std::string message;
    for (const Diagnostic& d : diags_) message += (message.empty() ? "" : "\n") + d.ToString();
    if (out_) out_->insert(out_->end(), diags_.begin(), diags_.end());
    return Status::Invalid(message);
  }
  return std::shared_ptr<const DaemonConfig>(std::make_shared<DaemonConfig>(std::move(config_)));
}

}  // namespace

Result<std::shared_ptr<const DaemonConfig>> LoadConfigString(const std::string& yaml,
                                                             const std::string& name,
                                                             std::vector<Diagnostic>* diagnostics) {
  Loader loader(name, diagnostics);
  return loader.Load(yaml);
}

Result<std::shared_ptr<const DaemonConfig>> LoadConfigFile(const std::string& path,
                                                           std::vector<Diagnostic>* diagnostics) {
  auto fail = [&](const std::string& message) -> Result<std::shared_ptr<const DaemonConfig>> {
    Diagnostic d{path, 0, 0, "cannot read: " + message};
    if (diagnostics) diagnostics->push_back(d);
    return Status::Invalid(d.ToString());
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::strerror(errno));
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileSize) {
      return fail("larger than " + std::to_string(kMaxFileSize) + " bytes");
    }
  }
  if (in.bad()) return fail(std::strerror(errno));
  return LoadConfigString(text, path, diagnostics);
}

namespace {

FileKind KindOfTop(const YAML::Node& top) {
  if (!top.IsMap()) return FileKind::kUnknown;
  static const std::set<std::string, std::less<>> kDaemonKeys = {
      "roots", "state_directory", "inventory", "control", "metrics", "logging", "scan", "throttle"};
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
                  EscapeBytes(c.inventory, true));
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
  lines.push_back("control: socket " + EscapeBytes(c.control.socket, true) + " group " +
                  EscapeBytes(c.control.group, true) + " mode 0660, max_request_size " +
                  std::to_string(c.control.max_request_bytes) + " B, request_timeout " +
                  HumanSeconds(c.control.request_timeout) + ", max_connections " +
                  std::to_string(c.control.max_connections));
  lines.push_back(c.metrics.enabled ? "metrics: listen " + c.metrics.address + ":" +
                                          std::to_string(c.metrics.port)
                                    : std::string("metrics: off"));
  return lines;
}

}  // namespace custos::config
