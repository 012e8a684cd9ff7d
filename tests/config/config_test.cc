// The daemon's config file: defaults, every section, and the exact FILE:LINE:COL text
// of errors.
#include <catch2/catch.hpp>

#include "custos/base/host.h"
#include "custos/config/config.h"
#include "custos/config/snapshot.h"
#include "support/support.h"

using custos::config::DefaultInventoryPath;
using custos::config::Diagnostic;
using custos::config::LoadConfigFile;
using custos::config::LoadConfigString;
using custos::config::TimeZone;

namespace {

// Every diagnostic of loading `yaml` as "c.yaml", one a line.
std::string Errors(const std::string& yaml) {
  std::vector<Diagnostic> diags;
  auto r = LoadConfigString(yaml, "/etc/custos/c.yaml", &diags);
  std::string out;
  for (const auto& d : diags) out += d.ToString() + "\n";
  if (r.ok()) CHECK(diags.empty());
  return out;
}

}  // namespace

TEST_CASE("config: an empty file gives the documented defaults") {
  auto r = LoadConfigString("", "/etc/custos/custos.yaml", nullptr);
  REQUIRE(r.ok());
  const auto& c = **r;
  CHECK(c.roots.empty());
  CHECK(c.policies.empty());
  CHECK(c.state_directory == "/var/lib/custos");
  CHECK(c.inventory == "/var/lib/custos/inventory.db");
  CHECK(DefaultInventoryPath() == c.inventory);  // custos findings and report without --db
  CHECK(c.control.socket == "/run/custos/custos.sock");
  CHECK(c.control.group == "custos");
  CHECK(c.control.max_request_bytes == 65536);
  CHECK(c.control.request_timeout == 10);
  CHECK(c.metrics.enabled);
  CHECK(c.metrics.address == "127.0.0.1");
  CHECK(c.metrics.port == 9797);
  CHECK(c.threads == 2);
  CHECK(c.splay == 600);
  CHECK(c.zone == TimeZone::kLocal);
  CHECK(c.nice == 10);
  CHECK(c.io_class == "idle");
  CHECK(c.throttle.bytes_per_second == 0);
  CHECK(c.throttle.backoff);
}

TEST_CASE("config: every section read") {
  const char* yaml = R"(roots:
  - path: /srv/cctv/
    name: cctv
    schedule: "30 2 * * mon-fri"
    exclude: ["**/.snapshot/**", "*.tmp"]
    cross_filesystems: true
    max_depth: 64
    max_path: 2048
    max_file_size: 512MiB
    max_item_time: 30s
  - path: /srv/hr
policies: [site.yaml, /usr/share/custos/policies/private-security.yaml]
state_directory: /var/lib/custos-test
control:
  socket: /run/custos-test/c.sock
  group: staff
  max_request_size: 8KiB
  request_timeout: 5s
  max_connections: 4
metrics:
  listen: "[::1]:0"
logging: {level: debug}
scan:
  threads: 4
  parallel_roots: 2
  splay: 15min
  timezone: utc
  content: false
throttle:
  bytes_per_second: 20MiB
  files_per_second: 100
  nice: 19
  io_class: best-effort
  windows: ["20:00-06:00", "12:00-13:00"]
  backoff: false
)";
  auto r = LoadConfigString(yaml, "/etc/custos/custos.yaml", nullptr);
  INFO(r.status().message());
  REQUIRE(r.ok());
  const auto& c = **r;
  REQUIRE(c.roots.size() == 2);
  CHECK(c.roots[0].name == "cctv");
  CHECK(c.roots[0].path == "/srv/cctv");  // trailing slash dropped
  CHECK(c.roots[0].schedule.text() == "30 2 * * mon-fri");
  CHECK(c.roots[0].excludes.size() == 2);
  CHECK(c.roots[0].cross_filesystems);
  CHECK(c.roots[0].max_depth == 64);
  CHECK(c.roots[0].max_path == 2048);
  CHECK(c.roots[0].max_file_bytes == 512ull << 20);
  CHECK(c.roots[0].max_item_seconds == 30);
  CHECK(c.roots[1].name == "root2");
  CHECK(c.roots[1].schedule.text() == "@daily");
  CHECK(c.policies == std::vector<std::string>{"/etc/custos/site.yaml",
                                               "/usr/share/custos/policies/private-security.yaml"});
  CHECK(c.inventory == "/var/lib/custos-test/inventory.db");
  CHECK(c.control.group == "staff");
  CHECK(c.control.max_request_bytes == 8192);
  CHECK(c.control.request_timeout == 5);
  CHECK(c.control.max_connections == 4);
  CHECK(c.metrics.address == "::1");
  CHECK(c.metrics.port == 0);
  CHECK(c.log_level == "debug");
  CHECK(c.threads == 4);
  CHECK(c.parallel_roots == 2);
  CHECK(c.splay == 900);
  CHECK(c.zone == TimeZone::kUtc);
  CHECK(c.throttle.zone == TimeZone::kUtc);
  CHECK_FALSE(c.content);
  CHECK(c.throttle.bytes_per_second == 20 << 20);
  CHECK(c.throttle.files_per_second == 100);
  CHECK(c.nice == 19);
  CHECK(c.io_class == "best-effort");
  REQUIRE(c.throttle.windows.size() == 2);
  CHECK(c.throttle.windows[0].ToString() == "20:00-06:00");
  CHECK_FALSE(c.throttle.backoff);
}

TEST_CASE("config: metrics off") {
  auto r = LoadConfigString("metrics: {listen: off}\n", "c.yaml", nullptr);
  REQUIRE(r.ok());
  CHECK_FALSE((*r)->metrics.enabled);
}

TEST_CASE("config: the console is off by default; its tls keys are a section within it") {
  auto off = LoadConfigString("", "c.yaml", nullptr);
  REQUIRE(off.ok());
  CHECK_FALSE((*off)->console.enabled);
  CHECK((*off)->console.cert == "/etc/custos/console/cert.pem");
  CHECK((*off)->console.group == "custos-review");
  CHECK((*off)->console.idle_timeout == 900);
  auto on = LoadConfigString(
      "console:\n  listen: \"[::1]:9443\"\n  tls:\n    cert: /etc/c.pem\n    key: /etc/k.pem\n"
      "  idle_timeout: 5min\n",
      "c.yaml", nullptr);
  REQUIRE(on.ok());
  CHECK((*on)->console.enabled);
  CHECK((*on)->console.address == "::1");
  CHECK((*on)->console.port == 9443);
  CHECK((*on)->console.cert == "/etc/c.pem");
  CHECK((*on)->console.key == "/etc/k.pem");
  CHECK((*on)->console.idle_timeout == 300);
  CHECK(Errors("console:\n  tls:\n    crt: /etc/c.pem\n") ==
        "/etc/custos/c.yaml:3:5: unknown key 'crt' in console.tls (expected cert, key)\n");
  CHECK(Errors("console:\n  tls: /etc/c.pem\n").find("/etc/custos/c.yaml:2:8: ") == 0);
  CHECK(Errors("console: {idle_timeout: 10s}\n").find("at least 1 min") != std::string::npos);
}

TEST_CASE("config: who may log in to the console is the reviewers' group unless set") {
  auto load = [](const std::string& yaml) {
    auto r = LoadConfigString(yaml, "c.yaml", nullptr);
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(custos::config::DefaultConfig().console.group == "custos-review");
  // One role: renaming the reviewers' group renames the console's, in either order.
  auto one = load("control: {review_group: dpo-team}\nconsole: {listen: \"127.0.0.1:0\"}\n");
  CHECK(one->control.review_group == "dpo-team");
  CHECK(one->console.group == "dpo-team");
  CHECK(load("console: {idle_timeout: 5min}\ncontrol: {review_group: dpo-team}\n")->console.group ==
        "dpo-team");
  // Set, it is its own.
  auto two = load("control: {review_group: dpo-team}\nconsole: {group: console-only}\n");
  CHECK(two->control.review_group == "dpo-team");
  CHECK(two->console.group == "console-only");
  CHECK(load("console: {group: console-only}\n")->control.review_group == "custos-review");
}

TEST_CASE("config: unknown keys are errors at the key") {
  CHECK(Errors("roots: []\nschedule: daily\n") ==
        "/etc/custos/c.yaml:2:1: unknown key 'schedule' at top level (expected roots, "
        "site, node, policies, state_directory, inventory, control, metrics, console, logging, "
        "scan, throttle)\n");
  CHECK(Errors("roots:\n  - path: /srv\n  - path: /srv2\n    colour: red\n") ==
        "/etc/custos/c.yaml:4:5: unknown key 'colour' in roots[1] (expected path, name, "
        "schedule, exclude, cross_filesystems, max_depth, max_path, max_file_size, "
        "max_item_time)\n");
  CHECK(Errors("throttle:\n  bytes_per_sec: 1M\n") ==
        "/etc/custos/c.yaml:2:3: unknown key 'bytes_per_sec' in throttle (expected "
        "bytes_per_second, files_per_second, nice, io_class, windows, backoff, "
        "backoff_threshold)\n");
}

TEST_CASE("config: bad values are errors at the value") {
  CHECK(Errors("roots:\n  - path: /srv\n    schedule: \"0 25 * * *\"\n") ==
        "/etc/custos/c.yaml:3:15: bad schedule '0 25 * * *': hour: 25 is out of range 0-23\n");
  CHECK(Errors("roots:\n  - path: srv\n") ==
        "/etc/custos/c.yaml:2:11: expected an absolute path for 'path', got 'srv'\n");
  CHECK(Errors("roots:\n  - name: a\n") == "/etc/custos/c.yaml:2:5: missing 'path' in roots[0]\n");
  CHECK(Errors("throttle: {bytes_per_second: 5XB}\n") ==
        "/etc/custos/c.yaml:1:30: bad size '5XB' for 'bytes_per_second' (expected a number "
        "and a unit: B, KiB, MiB, GiB, TiB)\n");
  CHECK(Errors("throttle:\n  windows: [\"20:00-6\"]\n") ==
        "/etc/custos/c.yaml:2:13: bad scan window '20:00-6' (expected HH:MM-HH:MM, e.g. "
        "20:00-06:00)\n");
  CHECK(Errors("scan:\n  threads: 0\n") ==
        "/etc/custos/c.yaml:2:12: bad value '0' for 'threads' (expected a whole number 1-256)\n");
  CHECK(Errors("scan:\n  splay: 10 minutes\n") ==
        "/etc/custos/c.yaml:2:10: bad duration '10 minutes' for 'splay' (expected a number and "
        "a unit: s, min, h, d)\n");
  CHECK(Errors("metrics:\n  listen: localhost:80\n") ==
        "/etc/custos/c.yaml:2:11: bad listen address 'localhost:80' (expected ADDRESS:PORT like "
        "127.0.0.1:9797 or [::1]:9797, or off)\n");
  CHECK(Errors("logging: {level: loud}\n") ==
        "/etc/custos/c.yaml:1:18: bad value 'loud' for 'level' (expected trace, debug, info, "
        "warn, error)\n");
  CHECK(Errors("roots: /srv\n") ==
        "/etc/custos/c.yaml:1:8: expected a list for 'roots', got a string\n");
}

TEST_CASE("config: duplicate root names and keys, several errors at once") {
  CHECK(Errors("roots:\n  - {path: /a, name: x}\n  - {path: /b, name: x}\n") ==
        "/etc/custos/c.yaml:3:22: duplicate root name 'x' (first at /etc/custos/c.yaml:2:22)\n");
  CHECK(Errors("scan:\n  threads: 2\n  threads: 3\n") ==
        "/etc/custos/c.yaml:3:3: duplicate key 'threads' in scan (first at "
        "/etc/custos/c.yaml:2:3)\n");
  CHECK(Errors("roots:\n  - path: /a\n    max_depth: -1\ncontrol: {max_connections: x}\n") ==
        "/etc/custos/c.yaml:3:16: bad value '-1' for 'max_depth' (expected a whole number "
        "1-4096)\n"
        "/etc/custos/c.yaml:4:28: bad value 'x' for 'max_connections' (expected a whole number "
        "1-4096)\n");
}

TEST_CASE("config: YAML syntax errors and unreadable files") {
  CHECK(Errors("roots: [\n").rfind("/etc/custos/c.yaml:2:1: YAML syntax error: ", 0) == 0);
  std::vector<Diagnostic> diags;
  auto r = LoadConfigFile("/nonexistent/custos.yaml", &diags);
  REQUIRE_FALSE(r.ok());
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].ToString() == "/nonexistent/custos.yaml: cannot read: No such file or directory");
}

TEST_CASE("config: the shipped default config loads") {
  std::vector<Diagnostic> diags;
  auto r = LoadConfigFile(custos::test::SourceDir() + "/packaging/config/custos.yaml", &diags);
  for (const auto& d : diags) INFO(d.ToString());
  REQUIRE(r.ok());
  CHECK((*r)->metrics.address == "127.0.0.1");
  CHECK((*r)->control.socket == "/run/custos/custos.sock");
}

TEST_CASE("config: a daemon config and a policy file are told apart by their keys") {
  using custos::config::FileKind;
  using custos::config::GuessFileKind;
  CHECK(GuessFileKind("roots: [{path: /srv}]\n") == FileKind::kDaemonConfig);
  CHECK(GuessFileKind("metrics: {listen: off}\n") == FileKind::kDaemonConfig);
  CHECK(GuessFileKind("policies: [a.yaml, b.yaml]\n") == FileKind::kDaemonConfig);
  CHECK(GuessFileKind("policies:\n  - id: x\n    forbid: true\n") == FileKind::kPolicyFile);
  CHECK(GuessFileKind("detectors: []\n") == FileKind::kPolicyFile);
  CHECK(GuessFileKind("legal_holds:\n") == FileKind::kPolicyFile);
  // The first key of one kind decides; the other kind's keys are then unknown keys.
  CHECK(GuessFileKind("rots: 1\npolicies: []\nthrottle: {}\ndetectors: []\n") ==
        FileKind::kDaemonConfig);
  CHECK(GuessFileKind("legal_holds: []\nroots: []\n") == FileKind::kPolicyFile);
  // Nothing tells.
  CHECK(GuessFileKind("") == FileKind::kUnknown);
  CHECK(GuessFileKind("policies: []\nrots: 1\n") == FileKind::kUnknown);
  CHECK(GuessFileKind("- a\n- b\n") == FileKind::kUnknown);
  CHECK(GuessFileKind("roots: [\n") == FileKind::kUnknown);
}

TEST_CASE("config: diagnostics carry stable codes, in file order") {
  std::vector<Diagnostic> diags;
  auto r = LoadConfigString(
      "throttle: {nice: 30}\nroots:\n  - {path: /a, name: x, colour: red}\n  - {path: /b, name: "
      "x}\n"
      "  - {name: c}\nscan: [threads]\ncontrol:\n  socket:\n",
      "c.yaml", &diags);
  REQUIRE_FALSE(r.ok());
  using custos::yaml::Code;
  std::vector<std::pair<int, Code>> got;
  for (const Diagnostic& d : diags) got.emplace_back(d.line, d.code);
  CHECK(got == std::vector<std::pair<int, Code>>{{1, Code::kBadValue},
                                                 {3, Code::kUnknownKey},
                                                 {4, Code::kDuplicate},
                                                 {5, Code::kMissingKey},
                                                 {6, Code::kBadType},
                                                 {8, Code::kMissingValue}});
}

TEST_CASE("config: the messages of the policy files: tabs, indentation, kinds, choices") {
  CHECK(Errors("scan:\n\tthreads: 2\n") ==
        "/etc/custos/c.yaml:2:1: YAML does not allow tabs for indentation; use spaces\n");
  CHECK(Errors("scan:\n  threads: 2\n   splay: 1h\n") ==
        "/etc/custos/c.yaml:3:4: bad indentation: 'splay' starts in column 4, the key above it "
        "in column 3 (the keys of one map, and the entries of one list, start in the same "
        "column)\n");
  CHECK(Errors("roots:\n  -\n") ==
        "/etc/custos/c.yaml:2:3: expected a map in 'roots', got nothing\n");
  CHECK(Errors("scan: {timezone: mars}\n") ==
        "/etc/custos/c.yaml:1:18: bad value 'mars' for 'timezone' (expected local, utc)\n");
  CHECK(Errors("control: {max_request_size: 32MiB}\n") ==
        "/etc/custos/c.yaml:1:29: bad size '32MiB' for 'max_request_size' (expected a number and "
        "a unit: B, KiB, MiB, GiB, TiB, at least 1KiB, at most 16MiB)\n");
  // Choices are read in any case; booleans also as yes and no.
  auto r = LoadConfigString("scan: {timezone: UTC, content: no}\nlogging: {level: WARN}\n",
                            "c.yaml", nullptr);
  REQUIRE(r.ok());
  CHECK((*r)->zone == TimeZone::kUtc);
  CHECK_FALSE((*r)->content);
  CHECK((*r)->log_level == "warn");
}

TEST_CASE("config: a missing policy file is reported at the config line that names it") {
  custos::test::TempDir dir;
  custos::test::WriteFile(
      dir / "custos.yaml",
      "roots: []\npolicies:\n  - site.yaml\n  - broken.yaml\n  - " + (dir / "gone.yaml") + "\n");
  custos::test::WriteFile(dir / "broken.yaml", "policies:\n  - id: x\n    forbid: maybe\n");
  std::vector<Diagnostic> diags;
  auto snap = custos::config::LoadSnapshot(dir / "custos.yaml", &diags);
  REQUIRE_FALSE(snap.ok());
  std::vector<std::string> texts;
  for (const Diagnostic& d : diags) texts.push_back(d.ToString());
  CHECK(texts == std::vector<std::string>{
                     dir / "custos.yaml:3:5: policy file 'site.yaml' not found (" + dir.path() +
                         "/site.yaml)",
                     dir / "custos.yaml:5:5: policy file '" + dir.path() + "/gone.yaml' not found",
                     dir / "broken.yaml:3:13: bad value 'maybe' for 'forbid' (expected true or "
                           "false)"});
  CHECK(diags[0].code == custos::yaml::Code::kMissingFile);
  CHECK(snap.status().message() == texts[0] + "\n" + texts[1] + "\n" + texts[2]);
}

TEST_CASE("config: the inventory is a file or a PostgreSQL URI without a password") {
  auto pg = LoadConfigString("inventory: postgresql://db.example/custos?sslmode=verify-full\n",
                             "/etc/custos/c.yaml", nullptr);
  REQUIRE(pg.ok());
  CHECK((*pg)->inventory == "postgresql://db.example/custos?sslmode=verify-full");
  auto file = LoadConfigString("inventory: sqlite:/srv/inv.db\n", "/etc/custos/c.yaml", nullptr);
  REQUIRE(file.ok());
  CHECK((*file)->inventory == "/srv/inv.db");
  CHECK(Errors("inventory: inv.db\n") ==
        "/etc/custos/c.yaml:1:12: expected an absolute path or a postgresql:// URI for "
        "'inventory'\n");
  for (const char* uri :
       {"postgresql://custos:Hush-42@db/custos", "postgres://db/c?password=Hush-42"}) {
    const std::string errors = Errors(std::string("inventory: ") + uri + "\n");
    CHECK(errors.find("holds a password: put it in a passfile") != std::string::npos);
    CHECK(errors.find("Hush-42") == std::string::npos);
  }
}

TEST_CASE("config: node names this server in a fleet inventory, the host name unless set") {
  auto plain = LoadConfigString("", "/etc/custos/custos.yaml", nullptr);
  REQUIRE(plain.ok());
  CHECK((*plain)->node == custos::HostName());
  CHECK(custos::config::DefaultConfig().node == custos::HostName());
  auto named = LoadConfigString("node: fs-leeds_2.example\n", "/etc/custos/custos.yaml", nullptr);
  REQUIRE(named.ok());
  CHECK((*named)->node == "fs-leeds_2.example");
  for (const char* bad : {"node: \"a b\"\n", "node: -x\n", "node: \"\"\n", "node: a/b\n"}) {
    INFO(bad);
    CHECK(Errors(bad).find("/etc/custos/c.yaml:1:7: ") == 0);
  }
  CHECK(Errors(std::string("node: ") + std::string(65, 'a') + "\n").find("at most 64") !=
        std::string::npos);
}
