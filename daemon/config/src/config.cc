// Config loading: YAML text -> checked DaemonConfig, driven by the key table
// (keys.cc) and read through the YAML reader shared with the policy loader, so that both
// files read alike in `custos check-config` and logs.
#include "custos/config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "custos/base/host.h"
#include "custos/base/path.h"
#include "custos/policies/policy.h"
#include "custos/yaml/reader.h"

namespace custos::config {
namespace {

using yaml::Field;
using yaml::Fields;
using yaml::Problem;
using yaml::Quote;

constexpr uint64_t kMaxFileSize = 1 << 20;

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::optional<uint64_t> ParseCount(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// ADDRESS:PORT or [IPV6]:PORT with a literal address (a name would depend on the
// resolver at start-up), or off; the text as custos.yaml writes it.
std::optional<std::string> ParseListen(std::string_view s) {
  if (s == "off" || s == "none" || s == "false") return "off";
  std::string_view host, port;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close != std::string_view::npos && close + 1 < s.size() && s[close + 1] == ':') {
      host = s.substr(1, close - 1);
      port = s.substr(close + 2);
    }
  } else if (const size_t colon = s.rfind(':'); colon != std::string_view::npos) {
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  auto p = port.size() <= 5 ? ParseCount(port) : std::nullopt;
  if (host.empty() || !p || *p > 65535) return std::nullopt;
  const bool v6 = host.find(':') != std::string_view::npos;
  const bool literal = std::all_of(host.begin(), host.end(), [v6](char c) {
    return (c >= '0' && c <= '9') || c == '.' ||
           (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
  });
  if (!literal) return std::nullopt;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(*p);
}

bool SameLetters(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == y;
         });
}

// Parses `s` as a value of `k` (a scalar type); nullopt with `problem` set when bad.
std::optional<Value> ParseScalar(const Key& k, const std::string& s, Problem* problem) {
  const std::string_view key = k.name();
  auto bad = [&](Problem p) {
    *problem = std::move(p);
    return std::nullopt;
  };
  auto bad_value = [&] { return bad(yaml::msg::BadValue(key, s, Expected(k))); };
  switch (k.type) {
    case ValueType::kString:
      return s;
    case ValueType::kStore: {
      // A PostgreSQL URI, as libpq takes it; its password belongs in a passfile
      // (~/.pgpass, PGPASSFILE, passfile=), never in the config.
      if (s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0) {
        std::string lower = s;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const size_t at = s.rfind('@');
        const size_t colon = s.find(':', s.find("://") + 3);
        if (lower.find("password") != std::string::npos ||
            (at != std::string::npos && colon != std::string::npos && colon < at)) {
          return bad({yaml::Code::kBadValue,
                      "'" + std::string(key) +
                          "' holds a password: put it in a passfile (~/.pgpass, PGPASSFILE or "
                          "passfile=), not in the config"});
        }
        return s;
      }
      std::string p = s.rfind("sqlite:", 0) == 0 ? s.substr(7) : s;
      if (p.empty() || p[0] != '/') {
        return bad(
            {yaml::Code::kBadValue,
             "expected an absolute path or a postgresql:// URI for '" + std::string(key) + "'"});
      }
      while (p.size() > 1 && p.back() == '/') p.pop_back();
      return p;
    }
    case ValueType::kPath: {
      if (s.empty() || s[0] != '/') {
        return bad({yaml::Code::kBadValue,
                    "expected an absolute path for '" + std::string(key) + "', got " + Quote(s)});
      }
      std::string p = s;
      while (p.size() > 1 && p.back() == '/') p.pop_back();
      if (k.max && p.size() > k.max) return bad(yaml::msg::Bad("path", key, s, Expected(k)));
      return p;
    }
    case ValueType::kBool:
      if (auto b = yaml::ParseBool(s, true)) return *b;
      return bad_value();
    case ValueType::kCount:
      if (auto v = ParseCount(s); v && *v >= k.min && *v <= k.max) return *v;
      return bad_value();
    case ValueType::kSize:
      if (auto v = ParseSize(s); v && *v >= k.min && (!k.max || *v <= k.max)) return *v;
      return bad(yaml::msg::Bad("size", key, s, Expected(k)));
    case ValueType::kDuration:
      if (auto v = policies::ParseDuration(s); v && *v >= static_cast<int64_t>(k.min)) {
        return static_cast<double>(*v);
      }
      return bad(yaml::msg::Bad("duration", key, s, Expected(k)));
    case ValueType::kChoice:
      for (std::string_view c : k.choices) {
        if (SameLetters(s, c)) return std::string(c);
      }
      return bad_value();
    case ValueType::kName:
      if (ValidName(s)) return s;
      return bad_value();
    case ValueType::kNode:
      if (IsNodeName(s)) return s;
      return bad_value();
    case ValueType::kSchedule: {
      auto c = CronSchedule::Parse(s);
      if (c.ok()) return std::move(c).value();
      return bad({yaml::Code::kBadValue, "bad schedule " + Quote(s) + ": " + c.status().message()});
    }
    case ValueType::kListen:
      if (auto l = ParseListen(s)) return *l;
      return bad({yaml::Code::kBadValue,
                  "bad listen address " + Quote(s) + " (expected " + Expected(k) + ")"});
    default:
      return bad_value();
  }
}

// The default of a key that has one of its own.
Value DefaultValue(const Key& k) {
  switch (k.type) {
    case ValueType::kGlobs:
      return std::vector<Glob>();
    case ValueType::kWindows:
      return std::vector<ScanWindow>();
    case ValueType::kFiles:
      return std::vector<std::string>();
    default: {
      Problem problem;
      auto v = ParseScalar(k, std::string(k.default_value), &problem);
      return v ? *v : Value();  // the table's own test holds every default to its check
    }
  }
}

// The keys of a map: of a section ("scan", "console.tls"), of a root ("roots"), or
// top-level names (""), in table order.
const yaml::Names& NamesIn(std::string_view section) {
  static const std::map<std::string_view, yaml::Names> kNames = [] {
    std::map<std::string_view, yaml::Names> names;
    for (const Key& k : ConfigKeys()) {
      // "console.tls.cert": "cert" in "console.tls", "tls" in "console", "console" at top.
      std::string_view path = k.path;
      while (true) {
        const size_t dot = path.rfind('.');
        const std::string_view parent = dot == std::string_view::npos ? "" : path.substr(0, dot);
        const std::string_view child = dot == std::string_view::npos ? path : path.substr(dot + 1);
        yaml::Names& list = names[parent == "roots[]" ? "roots" : parent];
        const std::string_view name = child == "roots[]" ? "roots" : child;
        if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
        if (parent.empty()) break;
        path = parent;
      }
    }
    return names;
  }();
  return kNames.at(section);
}

class Loader {
 public:
  explicit Loader(std::string name) : file_(std::move(name)), reader_(file_, &diags_) {}

  Result<std::shared_ptr<const DaemonConfig>> Load(const std::string& text,
                                                   std::vector<Diagnostic>* out);

 private:
  void ReadTop(const YAML::Node& top);
  // The keys of section `prefix` ("scan", "console.tls"), read from `node`.
  void ReadSection(const YAML::Node& node, const std::string& prefix);
  void ReadRoots(const Field& f);
  void ReadRoot(const YAML::Node& node, size_t index);
  // Reads and stores the value of `k`; false when it was bad (and reported).
  bool Read(const Key& k, const Field& f, RootConfig& root);
  std::optional<Value> ReadList(const Key& k, const Field& f);

  std::string file_;
  std::vector<Diagnostic> diags_;
  yaml::Reader reader_;
  DaemonConfig config_ = DefaultConfig();
  RootConfig no_root_;
  std::map<std::string, YAML::Node> root_names_;
  bool console_group_given_ = false;
};

bool Loader::Read(const Key& k, const Field& f, RootConfig& root) {
  std::optional<Value> v;
  const size_t errors = diags_.size();
  console_group_given_ = console_group_given_ || k.path == "console.group";
  switch (k.type) {
    case ValueType::kGlobs:
    case ValueType::kWindows:
    case ValueType::kFiles:
      v = ReadList(k, f);
      break;
    case ValueType::kBool:
      if (auto b = reader_.Bool(f, k.name(), true)) v = *b;
      break;
    default:
      if (auto s = reader_.Scalar(f, k.name())) {
        Problem problem;
        v = ParseScalar(k, *s, &problem);
        if (!v) reader_.Report(f.value, std::move(problem));
      }
  }
  if (v) k.set(config_, root, *v);
  return v && diags_.size() == errors;
}

std::optional<Value> Loader::ReadList(const Key& k, const Field& f) {
  auto list = reader_.ScalarList(f, k.name(), true, true);
  if (!list) return std::nullopt;
  std::vector<Glob> globs;
  std::vector<ScanWindow> windows;
  std::vector<std::string> files;
  const std::string dir = FolderOf(file_);
  for (const auto& [text, node] : *list) {
    if (k.type == ValueType::kGlobs) {
      auto g = Glob::Compile(text);
      if (g.ok()) {
        globs.push_back(std::move(g).value());
      } else {
        reader_.Report(
            node, {yaml::Code::kBadValue, "bad glob " + Quote(text) + ": " + g.status().message()});
      }
    } else if (k.type == ValueType::kWindows) {
      auto w = ScanWindow::Parse(text);
      if (w.ok()) {
        windows.push_back(*w);
      } else {
        reader_.Report(node, {yaml::Code::kBadValue, w.status().message()});
      }
    } else if (text.empty()) {
      reader_.Report(node,
                     {yaml::Code::kMissingValue, "empty value in '" + std::string(k.name()) + "'"});
    } else {
      files.push_back(text[0] == '/' ? text : dir + "/" + text);
      const yaml::Pos pos = yaml::PosOf(node);
      config_.policy_refs.push_back({text, pos.line, pos.column});
    }
  }
  if (k.type == ValueType::kGlobs) return globs;
  if (k.type == ValueType::kWindows) return windows;
  return files;
}

void Loader::ReadRoot(const YAML::Node& node, size_t index) {
  const std::string where = "in roots[" + std::to_string(index) + "]";
  Fields f = reader_.ReadMap(node, NamesIn("roots"), where);
  RootConfig root = DefaultRoot(index);
  root.line = yaml::PosOf(node).line;
  YAML::Node name_node = node;
  for (const Key& k : ConfigKeys()) {
    if (!k.in_root()) continue;
    auto it = f.find(k.name());
    if (it == f.end()) {
      if (k.required) reader_.Report(node, yaml::msg::Missing(k.name(), where));
      continue;
    }
    if (Read(k, it->second, root) && k.type == ValueType::kName) name_node = it->second.value;
  }
  if (auto prev = root_names_.find(root.name); prev != root_names_.end()) {
    reader_.Report(name_node, {yaml::Code::kDuplicate,
                               "duplicate root name " + Quote(root.name) + " (first at " +
                                   reader_.At(yaml::PosOf(prev->second)) + ")"});
  } else {
    root_names_.emplace(root.name, name_node);
  }
  config_.roots.push_back(std::move(root));
}

void Loader::ReadRoots(const Field& f) {
  const YAML::Node& list = f.value;
  if (list.IsNull()) return;
  if (!list.IsSequence()) {
    reader_.Report(list, yaml::msg::WrongType("a list", "roots", yaml::KindName(list)));
    return;
  }
  size_t i = 0;
  for (const YAML::Node& e : list) {
    if (e.IsMap()) {
      ReadRoot(e, i);
    } else {
      reader_.Report(e.IsNull() ? list : e,
                     yaml::msg::WrongElementType("a map", "roots", yaml::KindName(e)));
    }
    ++i;
  }
}

void Loader::ReadTop(const YAML::Node& top_node) {
  const Fields top = reader_.ReadMap(top_node, NamesIn(""), "at top level");
  bool inventory_given = false, node_given = false;
  for (std::string_view name : NamesIn("")) {
    auto it = top.find(name);
    if (it == top.end()) continue;
    if (name == "roots") {
      ReadRoots(it->second);
    } else if (const Key* k = FindKey(name)) {
      Read(*k, it->second, no_root_);
      inventory_given = inventory_given || name == "inventory";
      node_given = node_given || name == "node";
    } else if (reader_.IsMap(it->second, name, true)) {  // "metrics:" alone: the defaults
      ReadSection(it->second.value, std::string(name));
    }
  }
  if (!inventory_given) config_.inventory = InventoryIn(config_.state_directory);
  // One role: who may log in to the console is the reviewers' group unless told.
  if (!console_group_given_) config_.console.group = config_.control.review_group;
  if (!node_given) config_.node = HostName();
}

void Loader::ReadSection(const YAML::Node& node, const std::string& prefix) {
  const yaml::Names& names = NamesIn(prefix);
  const Fields f = reader_.ReadMap(node, names, "in " + prefix);
  for (std::string_view name : names) {
    auto it = f.find(name);
    if (it == f.end()) continue;
    const std::string path = prefix + "." + std::string(name);
    if (const Key* k = FindKey(path)) {
      Read(*k, it->second, no_root_);
    } else if (reader_.IsMap(it->second, name, true)) {
      ReadSection(it->second.value, path);
    }
  }
}

Result<std::shared_ptr<const DaemonConfig>> Loader::Load(const std::string& text,
                                                         std::vector<Diagnostic>* out) {
  config_.file = file_;
  if (auto doc = reader_.Parse(text, "a config file"); doc && !doc->IsNull()) {
    if (doc->IsMap()) {
      ReadTop(*doc);
    } else {
      reader_.Report(*doc, yaml::msg::TopLevelNotMap(yaml::KindName(*doc)));
    }
  }
  config_.throttle.zone = config_.zone;
  if (diags_.empty()) {
    return std::shared_ptr<const DaemonConfig>(std::make_shared<DaemonConfig>(std::move(config_)));
  }
  // File order, whatever order the keys were read in.
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  std::string message;
  for (const Diagnostic& d : diags_) message += (message.empty() ? "" : "\n") + d.ToString();
  if (out) out->insert(out->end(), diags_.begin(), diags_.end());
  return Status::Invalid(message);
}

}  // namespace

DaemonConfig DefaultConfig() {
  DaemonConfig c;
  RootConfig no_root;
  for (const Key& k : ConfigKeys()) {
    if (!k.in_root() && !k.required && !k.derived) k.set(c, no_root, DefaultValue(k));
  }
  c.inventory = InventoryIn(c.state_directory);
  c.console.group = c.control.review_group;
  c.node = HostName();
  c.throttle.zone = c.zone;
  return c;
}

std::string InventoryIn(std::string_view state_directory) {
  return std::string(state_directory) + "/inventory.db";
}

std::string DefaultInventoryPath() {
  return InventoryIn(FindKey("state_directory")->default_value);
}

RootConfig DefaultRoot(size_t index) {
  DaemonConfig unused;
  RootConfig root;
  for (const Key& k : ConfigKeys()) {
    if (k.in_root() && !k.required && !k.derived) k.set(unused, root, DefaultValue(k));
  }
  root.name = "root" + std::to_string(index + 1);
  return root;
}

Result<std::shared_ptr<const DaemonConfig>> LoadConfigString(const std::string& yaml,
                                                             const std::string& name,
                                                             std::vector<Diagnostic>* diagnostics) {
  return Loader(name).Load(yaml, diagnostics);
}

Result<std::shared_ptr<const DaemonConfig>> LoadConfigFile(const std::string& path,
                                                           std::vector<Diagnostic>* diagnostics) {
  Problem problem;
  auto text = yaml::ReadFile(path, kMaxFileSize, &problem);
  if (!text) {
    Diagnostic d{path, 0, 0, problem.text, problem.code};
    if (diagnostics) diagnostics->push_back(d);
    return Status::Invalid(d.ToString());
  }
  return LoadConfigString(*text, path, diagnostics);
}

}  // namespace custos::config
