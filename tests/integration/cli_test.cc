// The command line of `custos` as users meet it: one definition drives parsing,
// --help, the bash completion and the man page's synopsis, so they agree; options of
// a command group work before and after its subcommand; bad arguments exit 2.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/support.h"

using custos::test::ProcessResult;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;
using json = nlohmann::json;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// The names of the commands a help text lists under "commands:".
std::vector<std::string> CommandsOf(const std::string& help) {
  std::vector<std::string> out;
  bool in = false;
  for (const std::string& line : Lines(help)) {
    if (line == "commands:") {
      in = true;
    } else if (line.empty()) {
      in = false;
    } else if (in && line.size() > 2 && line.rfind("  ", 0) == 0 && line[2] != ' ') {
      out.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
  }
  return out;
}

// The option names a help text lists ("  -o, --output FILE  ...").
std::set<std::string> OptionsOf(const std::string& help) {
  std::set<std::string> out;
  for (const std::string& line : Lines(help)) {
    if (line.rfind("  -", 0) != 0) continue;
    std::istringstream words(line.substr(2));
    std::string w;
    while (words >> w && w[0] == '-') {
      if (w.back() == ',') w.pop_back();
      out.insert(w);
    }
  }
  return out;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// What bash offers after `words` (the last one is being completed), with the
// completion script `script` and stand-ins for bash-completion's helpers: files show
// as "<files>", folders as "<dirs>", and the running daemon has roots srv and hr.
std::set<std::string> Complete(const std::string& script, const std::vector<std::string>& words) {
  std::string cmd =
      "_init_completion() { words=(\"${COMP_WORDS[@]}\"); cword=$COMP_CWORD;"
      " cur=${words[cword]}; prev=${words[cword-1]}; }\n"
      "_filedir() { if [[ $1 == -d ]]; then COMPREPLY=('<dirs>'); else COMPREPLY=('<files>'); fi; "
      "}\n"
      "custos() { printf '  \"name\": \"srv\",\\n  \"name\": \"hr\"\\n'; }\n"
      "source " +
      Quote(script) + "\nCOMP_WORDS=(";
  for (const std::string& w : words) cmd += Quote(w) + " ";
  cmd +=
      ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\nCOMPREPLY=()\n_custos\n"
      "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
  auto r = custos::test::Run({"bash", "-c", cmd});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::set<std::string> out;
  for (const std::string& line : Lines(r.out)) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

std::string WriteCompletion(const TempDir& dir) {
  auto r = RunCustos({"--generate-completion", "bash"});
  REQUIRE(r.exit_code == 0);
  WriteFile(dir / "custos.bash", r.out);
  return dir / "custos.bash";
}

// Every command and subcommand, as words: {"scan"}, {"findings", "list"}, ...
std::vector<std::vector<std::string>> AllCommands() {
  std::vector<std::vector<std::string>> out;
  auto top = RunCustos({"--help"});
  REQUIRE(top.exit_code == 0);
  for (const std::string& cmd : CommandsOf(top.out)) {
    auto help = RunCustos({"help", cmd});
    REQUIRE(help.exit_code == 0);
    const std::vector<std::string> subs = CommandsOf(help.out);
    if (subs.empty()) out.push_back({cmd});
    for (const std::string& sub : subs) out.push_back({cmd, sub});
  }
  return out;
}

std::set<std::string> Set(std::initializer_list<const char*> words) {
  return std::set<std::string>(words.begin(), words.end());
}

}  // namespace

TEST_CASE("cli: help and completion name the same options for every subcommand") {
  TempDir dir;
  const std::string script = WriteCompletion(dir);
  const auto commands = AllCommands();
  REQUIRE(commands.size() >= 14);  // 9 commands, findings' 5 subcommands, help
  for (const auto& words : commands) {
    std::vector<std::string> args = {"help"};
    args.insert(args.end(), words.begin(), words.end());
    auto help = RunCustos(args);
    INFO(help.out);
    REQUIRE(help.exit_code == 0);
    // `X --help` prints the same as `custos help X`.
    std::vector<std::string> flag = words;
    flag.push_back("--help");
    CHECK(RunCustos(flag).out == help.out);

    std::vector<std::string> line = {"custos"};
    line.insert(line.end(), words.begin(), words.end());
    line.push_back("-");
    const std::set<std::string> offered = Complete(script, line);
    CHECK(offered == OptionsOf(help.out));
    CHECK(offered.count("--help") == 1);
  }
  // A group without its subcommand offers the default one's options (findings: list).
  CHECK(Complete(script, {"custos", "findings", "-"}) ==
        Complete(script, {"custos", "findings", "list", "-"}));
  // No hidden option is offered.
  CHECK(Complete(script, {"custos", "-"}) == Set({"-h", "--help", "--version"}));
}

TEST_CASE("cli: completion offers values, subcommands and files where they belong") {
  TempDir dir;
  const std::string script = WriteCompletion(dir);
  const auto statuses = Set({"new", "open", "acknowledged", "excepted", "resolved"});
  // --status takes statuses, not subcommand names, before or after `list`.
  CHECK(Complete(script, {"custos", "findings", "--status", ""}) == statuses);
  CHECK(Complete(script, {"custos", "findings", "list", "--status", ""}) == statuses);
  CHECK(Complete(script, {"custos", "findings", "--db", "x.db", "list", "--status", ""}) ==
        statuses);
  // After the group's options come its subcommands.
  CHECK(Complete(script, {"custos", "findings", "--db", "x.db", ""}) ==
        Set({"list", "show", "ack", "except", "note"}));
  CHECK(Complete(script, {"custos", "findings", "--db", ""}) == Set({"<files>"}));
  // report: every option, -o a file.
  const auto report = Complete(script, {"custos", "report", "-"});
  for (const char* opt : {"--weeks", "--title", "--now", "-o", "--output", "--db", "--since",
                          "--format", "--expiring-days"}) {
    CHECK(report.count(opt) == 1);
  }
  CHECK(Complete(script, {"custos", "report", "-o", ""}) == Set({"<files>"}));
  CHECK(Complete(script, {"custos", "report", "--format", ""}) ==
        Set({"html", "csv", "json", "pdf"}));
  CHECK(Complete(script, {"custos", "scan", "--format", "j"}) == Set({"jsonl", "json"}));
  CHECK(Complete(script, {"custos", "scan", "--state-dir", ""}) == Set({"<dirs>"}));
  CHECK(Complete(script, {"custos", "scan", "--threads", ""}).empty());
  CHECK(Complete(script, {"custos", "scan", ""}) == Set({"<files>"}));
  CHECK(Complete(script, {"custos", "scan", "--policy", "p.yaml", ""}) == Set({"<files>"}));
  CHECK(Complete(script, {"custos", "classify", "--format", ""}) == Set({"text", "jsonl"}));
  CHECK(Complete(script, {"custos", "check-config", "--kind", ""}) == Set({"daemon", "policy"}));
  CHECK(Complete(script, {"custos", "scan-now", ""}) == Set({"srv", "hr"}));
  CHECK(Complete(script, {"custos", "sc"}) == Set({"scan", "scan-now"}));
  CHECK(Complete(script, {"custos", "help", "findings", ""}) ==
        Set({"list", "show", "ack", "except", "note"}));
  CHECK(Complete(script, {"custos", "help", "re"}) == Set({"report", "reload"}));
  // A path named like a subcommand is not one.
  CHECK(Complete(script, {"custos", "scan", "list", "-"}).count("--policy") == 1);
}

TEST_CASE("cli: the man page's synopsis is the one the definition makes") {
  auto r = RunCustos({"--generate-man-synopsis"});
  REQUIRE(r.exit_code == 0);
  const std::string page =
      custos::test::ReadFile(custos::test::SourceDir() + "/packaging/man/custos.1");
  const size_t start = page.find(".SH SYNOPSIS\n");
  const size_t end = page.find(".SH ", start + 1);
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  INFO("run build/daemon/custos --generate-man-synopsis and put its output in custos.1");
  CHECK(page.substr(start, end - start) == r.out);
  // Every option of every command is in it.
  for (const auto& words : AllCommands()) {
    std::vector<std::string> args = {"help"};
    args.insert(args.end(), words.begin(), words.end());
    for (const std::string& opt : OptionsOf(RunCustos(args).out)) {
      if (opt == "-h" || opt == "--help" || opt == "--output" || opt == "--quiet") continue;
      std::string roff;
      for (char c : opt) roff += c == '-' ? std::string("\\-") : std::string(1, c);
      CHECK(r.out.find(".RB [ " + roff) != std::string::npos);
    }
  }
}

TEST_CASE("cli: every command's help is complete, with defaults") {
  auto classify = RunCustos({"classify", "--help"});
  CHECK(classify.exit_code == 0);
  CHECK(OptionsOf(classify.out) == Set({"--policy", "--format", "--magic", "-h", "--help"}));
  CHECK(classify.out.find("(default: text)") != std::string::npos);
  CHECK(classify.out.find("FILE...") != std::string::npos);
  auto scan = RunCustos({"help", "scan"});
  for (const char* shown : {"(default: jsonl)", "(default: 256)", "(default: 4096)",
                            "--config FILE", "--format jsonl|json|csv|table", "PATH..."}) {
    CHECK(scan.out.find(shown) != std::string::npos);
  }
  auto report = RunCustos({"report", "-h"});
  for (const char* shown : {"(default: 7d)", "(default: html)", "(default: 14)", "(default: 12)",
                            "(default: custos weekly review)", "--weeks N", "--title TEXT"}) {
    CHECK(report.out.find(shown) != std::string::npos);
  }
  // The group's help shows every subcommand with its options.
  auto findings = RunCustos({"findings", "help"});
  CHECK(findings.exit_code == 0);
  for (const char* shown : {"--reason TEXT", "--until YYYY-MM-DD", "--status", "note ID [TEXT]",
                            "(default: /var/lib/custos/inventory.db)"}) {
    CHECK(findings.out.find(shown) != std::string::npos);
  }
  CHECK(RunCustos({"findings", "--help"}).out == findings.out);
  CHECK(RunCustos({"help", "findings"}).out == findings.out);
  // custos, custos --help, custos help: the commands; --version.
  auto top = RunCustos({"help"});
  CHECK(top.exit_code == 0);
  CHECK(top.err.empty());
  CHECK(CommandsOf(top.out).size() == 11);
  auto copy = RunCustos({"help", "inventory", "copy"});
  CHECK(copy.exit_code == 0);
  for (const char* shown :
       {"--from PATH", "--to URI", "--node NAME", "--replace",
        "(default: sqlite:/var/lib/custos/inventory.db)", "(default: the host name)"}) {
    CHECK(copy.out.find(shown) != std::string::npos);
  }
  auto bare = RunCustos({});
  CHECK(bare.exit_code == 2);
  CHECK(bare.out.empty());
  CHECK(bare.err == top.out);
  auto version = RunCustos({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("custos ", 0) == 0);
}

TEST_CASE("cli: bad arguments exit 2 with a message on stderr") {
  TempDir dir;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"help", "nope"}, "custos: help: unknown command 'nope' (see custos --help)\n"},
      {{"help", "findings", "nope"}, "custos: help: unknown command 'nope' (see custos --help)\n"},
      {{"nope"}, "custos: unknown command 'nope' (see custos --help)\n"},
      {{"--nope"}, "custos: unknown option '--nope' (see custos --help)\n"},
      {{"scan", "--nope", dir.path()},
       "custos: scan: unknown option '--nope' (see custos help scan)\n"},
      {{"scan", "--format"}, "custos: option --format needs a value\n"},
      {{"scan", "--format", "xml", dir.path()},
       "custos: --format: 'xml' (jsonl, json, csv or table)\n"},
      {{"scan", "--threads", "0", dir.path()},
       "custos: option --threads: '0' is not a positive number\n"},
      {{"scan"}, "custos: scan: no path given (see custos help scan)\n"},
      {{"findings", "nope"},
       "custos: findings: unknown subcommand 'nope' (see custos help findings)\n"},
      {{"findings", "list", "nope"},
       "custos: findings list: unexpected argument 'nope' (see custos help findings list)\n"},
      {{"findings", "--status", "bogus"},
       "custos: --status: 'bogus' (new, open, acknowledged, excepted or resolved)\n"},
      {{"findings", "show"}, "custos: findings show: no finding id given\n"},
      {{"findings", "show", "x1"}, "custos: 'x1' is not a finding id\n"},
      {{"report", "--weeks", "many"},
       "custos: option --weeks: 'many' is not a number of days/weeks\n"},
      {{"report", "--now", "yesterday"},
       "custos: --now: 'yesterday' is not YYYY-MM-DD[THH:MM:SSZ]\n"},
      {{"status", "extra"},
       "custos: status: unexpected argument 'extra' (see custos help status)\n"},
      {{"scan-now", "--timeout", "soon"},
       "custos: option --timeout: 'soon' is not a number of seconds\n"},
      {{"check-config", "--kind", "both", "x.yaml"}, "custos: --kind: 'both' (daemon or policy)\n"},
      {{"inventory", "copy"},
       "custos: inventory copy: --to postgresql://... is required (the fleet database)\n"},
      {{"inventory", "copy", "--to", "postgresql:///x", "--node", "a b"},
       "custos: inventory copy: --node 'a b' is not a node name (letters, digits, '.', '-' and "
       "'_')\n"},
  };
  for (const auto& [args, message] : cases) {
    auto r = RunCustos(args);
    INFO(args.front() << (args.size() > 1 ? " " + args[1] : ""));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == message);
  }
}

TEST_CASE("cli: `--` ends the options; repeated options add up or the last one counts") {
  TempDir dir;
  WriteFile(dir / "a/note.txt", "write to alice@example.org\n");
  WriteFile(dir / "-b/note.txt", "write to bob@example.org\n");
  auto r =
      custos::test::Run({"sh", "-c",
                         "cd " + Quote(dir.path()) + " && " + Quote(custos::test::CustosBinary()) +
                             " scan -q --format json --format csv a -- -b"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("path,", 0) == 0);  // the last --format
  CHECK(r.out.find(dir / "a/note.txt") != std::string::npos);
  CHECK(r.out.find(dir / "-b/note.txt") != std::string::npos);
  // --db and --no-db: the last one counts.
  CHECK(RunCustos({"scan", "-q", "--db", dir / "inv.db", "--no-db", dir / "a"}).exit_code == 0);
  CHECK(!std::ifstream(dir / "inv.db").good());
  CHECK(RunCustos({"scan", "-q", "--no-db", "--db", dir / "inv.db", dir / "a"}).exit_code == 0);
  CHECK(std::ifstream(dir / "inv.db").good());
}

TEST_CASE("cli: findings and report options work before and after the subcommand") {
  TempDir dir;
  WriteFile(dir / "srv/a.txt", "mail alice@example.org\n");
  WriteFile(dir / "srv/b.txt", "mail bob@example.org\n");
  WriteFile(
      dir / "policy.yaml",
      "policies:\n  - {id: no-mail, severity: low, match: {detectors: [email]}, forbid: true}\n");
  const std::string db = dir / "inv.db";
  auto scan = RunCustos({"scan", "-q", "--db", db, "--policy", dir / "policy.yaml", dir / "srv"});
  INFO(scan.err);
  REQUIRE(scan.exit_code == 1);

  auto before = RunCustos({"findings", "--db", db, "list", "--format", "json"});
  auto after = RunCustos({"findings", "list", "--format", "json", "--db", db});
  auto implicit = RunCustos({"findings", "--db", db, "--format", "json"});
  auto mixed = RunCustos({"findings", "--format=json", "--db=" + db});
  INFO(before.err);
  REQUIRE(before.exit_code == 0);
  CHECK(after.out == before.out);
  CHECK(implicit.out == before.out);
  CHECK(mixed.out == before.out);
  const json findings = json::parse(before.out);
  REQUIRE(findings.size() == 2);
  const std::string a = std::to_string(findings[0]["id"].get<int64_t>());
  const std::string b = std::to_string(findings[1]["id"].get<int64_t>());

  CHECK(RunCustos({"findings", "--db", db, "show", a}).out ==
        RunCustos({"findings", "show", a, "--db", db}).out);
  auto ack = RunCustos({"findings", "--db", db, "ack", a, "--note", "owner told"});
  CHECK(ack.exit_code == 0);
  CHECK(ack.out == "finding " + a + " acknowledged\n");
  auto except = RunCustos(
      {"findings", "except", b, "--reason", "inquiry", "--until", "2099-12-31", "--db", db});
  CHECK(except.exit_code == 0);
  CHECK(except.out == "finding " + b + " excepted until 2099-12-31\n");
  CHECK(RunCustos({"findings", "--db", db, "note", a, "-x marks it"}).exit_code == 2);
  auto note = RunCustos({"findings", "--db", db, "note", a, "--", "-x marks it"});
  CHECK(note.exit_code == 0);
  CHECK(RunCustos({"findings", "note", b, "--note", "second way", "--db", db}).exit_code == 0);
  auto show = RunCustos({"findings", "show", a, "--db", db});
  CHECK(show.out.find("acknowledged") != std::string::npos);
  CHECK(show.out.find("-x marks it") != std::string::npos);
  auto excepted =
      RunCustos({"findings", "--status", "excepted,acknowledged", "--db", db, "--format", "csv"});
  CHECK(Lines(excepted.out).size() == 3);  // header and both

  auto r1 = RunCustos(
      {"report", "--db", db, "--format", "json", "-o", dir / "r1.json", "--now", "2030-01-01"});
  auto r2 = RunCustos(
      {"report", "--now", "2030-01-01", "-o", dir / "r2.json", "--format=json", "--db", db});
  CHECK(r1.exit_code == 0);
  CHECK(r2.exit_code == 0);
  CHECK(custos::test::ReadFile(dir / "r1.json") == custos::test::ReadFile(dir / "r2.json"));
}
