// The key table of custos.yaml, and what is held to it: the loader's defaults, the
// restart decision, the sample config (packaging/config/custos.yaml) and custos.yaml(5).
#include <catch2/catch.hpp>
#include <iomanip>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "custos/config/config.h"
#include "support/support.h"

using custos::config::ConfigKeys;
using custos::config::DaemonConfig;
using custos::config::FindKey;
using custos::config::Key;

namespace {

// The effective value of `key` in `config` (its first root for a root's key), as
// custos.yaml writes it.
std::string Shown(const Key& key, const DaemonConfig& config) {
  const custos::config::RootConfig root =
      config.roots.empty() ? custos::config::DefaultRoot(0) : config.roots[0];
  return FormatValue(key, key.get(config, root));
}

// Whether `path` is a section ("scan") or a section within one ("console.tls").
bool IsSection(std::string_view path) {
  for (const Key& k : ConfigKeys()) {
    if (k.path.size() > path.size() && k.path.substr(0, path.size()) == path &&
        k.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::string Unquoted(std::string v) {
  if (v.size() >= 2 && (v[0] == '"' || v[0] == '\'') && v.back() == v[0]) {
    return v.substr(1, v.size() - 2);
  }
  return v;
}

// A key as the sample config shows it.
struct Shown_ {
  int line = 0;
  std::string value;                  // as written, unquoted
  std::optional<std::string> marked;  // "default: X" in its comment or the comment above
};

// Reads the sample config line by line: live keys and commented-out ones ("# key: v"
// at top level, "#    key: v" in a section or a root), each with its value and the
// "default: X" of its own comment or of the comment block right above it. Returns the
// first showing of each key path; `unknown` gets every key the table does not have.
std::map<std::string, Shown_> ReadSample(const std::string& text,
                                         std::vector<std::string>* unknown) {
  static const std::regex kKeyLine(R"(^( *)(- )?([a-z_]+):(\s+(.*))?$)");
  static const std::regex kMarker(R"(default: ([^\s,;)]+))");
  std::map<std::string, Shown_> shown;
  std::istringstream in(text);
  std::string line;
  std::vector<std::pair<size_t, std::string>> sections;  // (indent, name) of open sections
  std::optional<std::string> block_marker;               // of the comment block just read
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const bool commented = !line.empty() && line[0] == '#';
    const std::string body = commented ? line.substr(1) : line;
    std::smatch m;
    if (!std::regex_match(body, m, kKeyLine) || (!commented && body.rfind("#", 0) == 0)) {
      const size_t first = line.find_first_not_of(' ');
      if (first != std::string::npos && line[first] == '#') {
        std::smatch d;
        if (std::regex_search(line, d, kMarker)) block_marker = d[1];
      } else {
        block_marker.reset();
      }
      continue;
    }
    const size_t indent = m[1].length();
    const std::string name = m[3];
    std::string rest = m[5];
    std::string comment;
    std::smatch c;
    if (std::regex_search(rest, c, std::regex(R"((^|\s)#(\s|$))"))) {
      comment = rest.substr(static_cast<size_t>(c.position(0)));
      rest = rest.substr(0, static_cast<size_t>(c.position(0)));
    }
    while (!rest.empty() && rest.back() == ' ') rest.pop_back();
    // The sections this key is in: those opened by a line indented less than it.
    if (indent <= (commented ? 1u : 0u)) sections.clear();
    while (!sections.empty() && sections.back().first >= indent) sections.pop_back();
    std::string path;
    for (const auto& [unused, s] : sections) path += (s == "roots" ? "roots[]" : s) + ".";
    path += name;
    if (!FindKey(path) && (IsSection(path) || path == "roots")) {
      sections.emplace_back(indent, name);
      block_marker.reset();
      continue;
    }
    if (!FindKey(path)) unknown->push_back(path);
    Shown_ s{number, Unquoted(rest), std::nullopt};
    std::smatch d;
    if (std::regex_search(comment, d, kMarker)) {
      s.marked = d[1];
    } else {
      s.marked = block_marker;
    }
    block_marker.reset();
    shown.emplace(path, s);  // the first showing documents the key
  }
  return shown;
}

// The keys custos.yaml(5) names in its KEYS section: the bold words of each .TP tag,
// nested by .RS/.RE under the tag that opened them ("roots" "path" -> "roots[].path").
std::set<std::string> ManPageKeys(const std::string& text, std::vector<std::string>* other) {
  std::set<std::string> keys;
  std::istringstream in(text);
  std::string line;
  bool in_keys = false;
  bool tag_next = false;
  std::vector<std::string> stack;
  std::string last_tag;
  while (std::getline(in, line)) {
    if (line.rfind(".SH", 0) == 0) {
      in_keys = line == ".SH KEYS";
      continue;
    }
    if (!in_keys) continue;
    if (line == ".TP") {
      tag_next = true;
      continue;
    }
    if (line == ".RS") {
      stack.push_back(last_tag);
      continue;
    }
    if (line == ".RE") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    if (!tag_next) continue;
    tag_next = false;
    // .B name | .BR name " roman " name ...: the bold arguments.
    std::vector<std::string> args;
    const bool alternating = line.rfind(".BR ", 0) == 0;
    if (!alternating && line.rfind(".B ", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(' ') + 1));
    std::string arg;
    while (words >> std::quoted(arg)) args.push_back(arg);
    for (size_t i = 0; i < args.size(); i += alternating ? 2 : 1) {
      std::string path;
      for (const std::string& s : stack) path += (s == "roots" ? "roots[]" : s) + ".";
      path += args[i];
      if (FindKey(path)) {
        keys.insert(path);
      } else if (!IsSection(path) && args[i] != "roots") {
        other->push_back(path);
      }
      if (i == 0) last_tag = args[i];
    }
  }
  return keys;
}

}  // namespace

TEST_CASE("keys: every default is a value its key accepts, written as custos.yaml writes it") {
  const DaemonConfig defaults = custos::config::DefaultConfig();
  for (const Key& k : ConfigKeys()) {
    INFO(k.path);
    CHECK(!k.doc.empty());
    CHECK(k.set != nullptr);
    CHECK(k.get != nullptr);
    if (k.required || k.derived) continue;
    CHECK(Shown(k, defaults) == k.default_value);
  }
  CHECK(defaults.inventory == defaults.state_directory + "/inventory.db");
  CHECK(custos::config::DefaultRoot(2).name == "root3");
}

TEST_CASE("keys: an empty file and a file of every default load the same config") {
  auto empty = custos::config::LoadConfigString("", "/etc/custos/custos.yaml", nullptr);
  REQUIRE(empty.ok());
  // Every key written out with its default value, a root's keys in one root, the keys
  // of a section within a section ("console.tls") nested in it.
  std::string top;
  std::string roots;
  std::map<std::string, std::string> sections;  // section path -> its keys, one a line
  for (const Key& k : ConfigKeys()) {
    if (k.derived && !k.in_root()) continue;
    std::string value = k.required ? "/srv" : k.derived ? "root1" : std::string(k.default_value);
    if (value.empty() || value[0] == '@') value = "\"" + value + "\"";
    const std::string line = std::string(k.name()) + ": " + value + "\n";
    const std::string section(k.section());
    if (section.empty()) {
      top += line;
    } else if (section == "roots") {
      roots += (roots.empty() ? "  - " : "    ") + line;
    } else {
      sections[std::string(k.path.substr(0, k.path.rfind('.')))] += line;
    }
  }
  if (!roots.empty()) top += "roots:\n" + roots;
  // A section's own keys, then its sections (their paths sort right after it).
  std::vector<std::string> open;
  for (const auto& [path, body] : sections) {
    while (!open.empty() && path.rfind(open.back() + ".", 0) != 0) open.pop_back();
    const std::string name = path.substr(path.rfind('.') + 1);
    const std::string indent(2 * open.size(), ' ');
    top += indent + name + ":\n";
    std::istringstream lines(body);
    for (std::string l; std::getline(lines, l);) top += indent + "  " + l + "\n";
    open.push_back(path);
  }
  INFO(top);
  std::vector<custos::config::Diagnostic> diags;
  auto full = custos::config::LoadConfigString(top, "/etc/custos/custos.yaml", &diags);
  for (const auto& d : diags) INFO(d.ToString());
  REQUIRE(full.ok());
  REQUIRE((*full)->roots.size() == 1);
  for (const Key& k : ConfigKeys()) {
    INFO(k.path);
    if (!k.in_root()) CHECK(Shown(k, **empty) == Shown(k, **full));
  }
}

TEST_CASE("keys: a reload names the changed keys that need a restart") {
  auto load = [](const std::string& yaml) {
    auto r = custos::config::LoadConfigString(yaml, "/etc/custos/custos.yaml", nullptr);
    REQUIRE(r.ok());
    return *r;
  };
  auto base = load("control: {socket: /run/custos/custos.sock}\nscan: {threads: 2}\n");
  using Keys = std::vector<std::string>;
  CHECK(ChangedRestartKeys(*base, *base).empty());
  // Applied by a reload: scan settings, roots, policies, logging, throttle.
  CHECK(ChangedRestartKeys(*base, *load("scan: {threads: 8, splay: 0s}\nlogging: {level: debug}\n"
                                        "roots: [{path: /srv}]\nthrottle: {nice: 5}\n"))
            .empty());
  CHECK(ChangedRestartKeys(*base, *load("control: {socket: /run/x.sock, max_connections: 4}\n"
                                        "scan: {parallel_roots: 2}\n")) ==
        Keys{"control.socket", "control.max_connections", "scan.parallel_roots"});
  CHECK(ChangedRestartKeys(*base, *load("metrics: {listen: off}\nstate_directory: /srv/state\n")) ==
        Keys{"state_directory", "inventory", "metrics.listen"});
  // The same settings written otherwise are no change.
  CHECK(ChangedRestartKeys(*base, *load("control: {request_timeout: 10s, max_request_size: 64K}\n"
                                        "metrics: {listen: \"127.0.0.1:9797\"}\n"))
            .empty());
}

TEST_CASE("keys: the sample config shows every key with the table's default") {
  const std::string text =
      custos::test::ReadFile(custos::test::SourceDir() + "/packaging/config/custos.yaml");
  std::vector<std::string> unknown;
  const auto shown = ReadSample(text, &unknown);
  CAPTURE(unknown);
  CHECK(unknown.empty());
  for (const Key& k : ConfigKeys()) {
    INFO(k.path);
    auto it = shown.find(std::string(k.path));
    REQUIRE(it != shown.end());
    INFO("line " << it->second.line << ": " << it->second.value);
    if (k.required) continue;
    if (it->second.marked) {
      CHECK(*it->second.marked == k.default_value);
    } else {
      CHECK(it->second.value == k.default_value);
    }
  }
}

TEST_CASE("keys: custos.yaml(5) names every key, and the ones a reload cannot change") {
  const std::string text =
      custos::test::ReadFile(custos::test::SourceDir() + "/packaging/man/custos.yaml.5");
  std::vector<std::string> other;
  const std::set<std::string> named = ManPageKeys(text, &other);
  CAPTURE(other);
  CHECK(other.empty());
  for (const Key& k : ConfigKeys()) {
    INFO(k.path);
    CHECK(named.count(std::string(k.path)) == 1);
  }
  // RELOAD lists the restart keys, and only them.
  const size_t reload = text.find(".SH RELOAD");
  REQUIRE(reload != std::string::npos);
  const std::string section = text.substr(reload, text.find(".SH", reload + 1) - reload);
  std::set<std::string> listed;
  const std::regex word(R"([a-z_]+(\.[a-z_]+)*)");
  const size_t br = section.find("\n.BR ");
  REQUIRE(br != std::string::npos);
  std::string list = section.substr(br + 5);
  list = std::regex_replace(list, std::regex(R"(" *, *"|\\\n)"), " ");
  for (std::sregex_iterator it(list.begin(), list.end(), word), end; it != end; ++it) {
    listed.insert(it->str());
  }
  std::set<std::string> restart;
  for (const Key& k : ConfigKeys()) {
    if (k.on_reload == custos::config::OnReload::kRestart) restart.emplace(k.path);
  }
  CHECK(listed == restart);
}
