// Integration tests: the real `custos` binary on trees built here.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "custos/base/time.h"
#include "support/support.h"

using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;
using json = nlohmann::json;

namespace {

// Parses JSONL output into records keyed by path.
std::map<std::string, json> ByPath(const std::string& jsonl) {
  std::map<std::string, json> out;
  std::istringstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json j = json::parse(line);
    out[j["path"].get<std::string>()] = j;
  }
  return out;
}

std::string Iso(int64_t t) { return custos::FormatIso8601(t); }

// An ffmpeg clip with an embedded creation time.
void MakeClip(const std::string& path, int64_t recorded) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  auto r = custos::test::Run({"ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                              "testsrc=duration=1:size=64x48:rate=5", "-metadata",
                              "creation_time=" + Iso(recorded), "-pix_fmt", "yuv420p", path});
  REQUIRE(r.exit_code == 0);
}

std::string Fmr() {
  std::string rec("FMR\0 20\0", 8);
  rec += std::string("\0\0\0\x20\0\0", 6);
  rec += std::string(18, '\0');
  return rec;
}

const char* kPolicy = R"(policies:
  - id: cctv-30d
    severity: high
    match: {paths: ["**/cctv/**"], categories: [video, image]}
    retention: {max_age: 30d}
  - id: bio-access
    severity: critical
    match: {categories: [biometric]}
    access: {max_mode: "0640"}
  - id: bio-location
    match: {categories: [biometric]}
    location: {allowed_paths: ["**/biometric/**"]}
legal_holds:
  - paths: ["**/cctv/hold/**"]
    reason: "police request 7"
)";

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

// Two roots: hr (excludes **/archive/**, reads at most 4 KiB of a file) and cctv; a
// policy forbidding e-mail addresses; the inventory and state in the temporary folder.
std::string WriteSite(const TempDir& dir) {
  WriteFile(dir / "hr/staff.txt", "contact alice@example.org\n");
  WriteFile(dir / "hr/archive/old.txt", "contact bob@example.org\n");
  WriteFile(dir / "hr/big.txt", std::string(16384, 'x') + " carol@example.org\n");
  WriteFile(dir / "cctv/notes.txt", "no address here\n");
  WriteFile(dir / "outside/other.txt", "dave@example.org\n");
  WriteFile(
      dir / "etc/policies/mail.yaml",
      "policies:\n  - {id: no-mail, severity: high, match: {detectors: [email]}, forbid: true}\n");
  const std::string config = dir / "etc/site.yaml";
  WriteFile(config,
            "roots:\n"
            "  - path: " +
                (dir / "hr") +
                "\n"
                "    name: hr\n"
                "    exclude: [\"**/archive/**\"]\n"
                "    max_file_size: 4KiB\n"
                "  - path: " +
                (dir / "cctv") +
                "\n"
                "    name: cctv\n"
                "policies: [policies/mail.yaml]\n"
                "state_directory: " +
                (dir / "state") +
                "\n"
                "inventory: " +
                (dir / "state/inventory.db") +
                "\n"
                "scan:\n  threads: 1\n");
  std::filesystem::create_directories(dir / "state");
  return config;
}

}  // namespace

TEST_CASE("scan: retention follows the recording date, not the mtime") {
  TempDir dir;
  const int64_t now = custos::NowUnix();
  // Copied yesterday, recorded a year ago: flagged.
  MakeClip(dir / "cctv/copied.mp4", now - 365 * 86400);
  custos::test::SetMtime(dir / "cctv/copied.mp4", now - 86400);
  // An old file holding a fresh recording: not flagged.
  MakeClip(dir / "cctv/fresh.mkv", now - 2 * 86400);
  custos::test::SetMtime(dir / "cctv/fresh.mkv", now - 700 * 86400);
  // Old footage under a legal hold: listed, not flagged.
  MakeClip(dir / "cctv/hold/held.mp4", now - 400 * 86400);
  WriteFile(dir / "policy.yaml", kPolicy);

  auto r = RunCustos({"scan", "--policy", dir / "policy.yaml", dir / "cctv"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  auto items = ByPath(r.out);
  REQUIRE(items.count(dir / "cctv/copied.mp4"));
  const json& copied = items[dir / "cctv/copied.mp4"];
  CHECK(copied["category"] == "video");
  CHECK(copied["mime"] == "video/mp4");
  CHECK(copied["content_date"] == Iso(now - 365 * 86400));
  REQUIRE(copied["violations"].size() == 1);
  CHECK(copied["violations"][0]["policy"] == "cctv-30d");
  CHECK(copied["violations"][0]["kind"] == "retention");
  CHECK(copied["violations"][0]["severity"] == "high");
  CHECK(copied["violations"][0]["reason"] ==
        "recorded " + Iso(now - 365 * 86400) + ", 365 days old, limit 30d");
  CHECK(items.count(dir / "cctv/fresh.mkv") == 0);  // clean items are not printed
  REQUIRE(items.count(dir / "cctv/hold/held.mp4"));
  CHECK(items[dir / "cctv/hold/held.mp4"]["violations"].empty());
  CHECK(items[dir / "cctv/hold/held.mp4"]["legal_hold"] == "police request 7");
  CHECK(r.err.find("violations 1 (cctv-30d 1)") != std::string::npos);

  // --all lists the clean item too, with its content date.
  auto all = RunCustos({"scan", "--all", "--policy", dir / "policy.yaml", dir / "cctv"});
  auto every = ByPath(all.out);
  REQUIRE(every.count(dir / "cctv/fresh.mkv"));
  CHECK(every[dir / "cctv/fresh.mkv"]["content_date"] == Iso(now - 2 * 86400));
  CHECK(every[dir / "cctv/fresh.mkv"]["violations"].empty());
  CHECK(every.size() == 3);
}

TEST_CASE("scan: biometric templates breaching access and location") {
  TempDir dir;
  WriteFile(dir / "biometric/ok.fmr", Fmr());
  ::chmod((dir / "biometric/ok.fmr").c_str(), 0600);
  WriteFile(dir / "biometric/open.fmr", Fmr());
  ::chmod((dir / "biometric/open.fmr").c_str(), 0644);
  WriteFile(dir / "hr/stray.fmr", Fmr());
  ::chmod((dir / "hr/stray.fmr").c_str(), 0600);
  WriteFile(dir / "policy.yaml", kPolicy);

  auto r = RunCustos({"scan", "--policy", dir / "policy.yaml", dir.path()});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  auto items = ByPath(r.out);
  CHECK(items.count(dir / "biometric/ok.fmr") == 0);
  REQUIRE(items.count(dir / "biometric/open.fmr"));
  const json& open = items[dir / "biometric/open.fmr"];
  CHECK(open["category"] == "biometric");
  CHECK(open["mode"] == "0644");
  REQUIRE(open["violations"].size() == 1);
  CHECK(open["violations"][0]["kind"] == "access");
  CHECK(open["violations"][0]["reason"] == "mode 0644 exceeds 0640");
  REQUIRE(items.count(dir / "hr/stray.fmr"));
  REQUIRE(items[dir / "hr/stray.fmr"]["violations"].size() == 1);
  CHECK(items[dir / "hr/stray.fmr"]["violations"][0]["kind"] == "location");
}

TEST_CASE("scan: exit 0 on a clean tree, 2 on a missing root or a bad policy") {
  TempDir dir;
  WriteFile(dir / "notes.txt", "nothing here\n");
  WriteFile(dir / "policy.yaml", kPolicy);
  auto clean = RunCustos({"scan", "--policy", dir / "policy.yaml", dir / "notes.txt"});
  CHECK(clean.exit_code == 0);
  CHECK(clean.out.empty());
  CHECK(clean.err.find("custos: 1 items") != std::string::npos);

  auto missing = RunCustos({"scan", dir / "does-not-exist"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("No such file or directory") != std::string::npos);

  WriteFile(dir / "bad.yaml", "policies:\n  - id: x\n    retention: {max_age: 30 days}\n");
  auto bad = RunCustos({"scan", "--policy", dir / "bad.yaml", dir.path()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find(dir / "bad.yaml:3:") != std::string::npos);
  CHECK(bad.out.empty());

  auto check = RunCustos({"check-config", dir / "bad.yaml"});
  CHECK(check.exit_code == 2);
  CHECK(check.err.rfind(dir / "bad.yaml:3:", 0) == 0);
  auto good = RunCustos({"check-config", dir / "policy.yaml"});
  CHECK(good.exit_code == 0);

  CHECK(RunCustos({"scan", "--format", "xml", dir.path()}).exit_code == 2);
  CHECK(RunCustos({"scan", "--bogus", dir.path()}).exit_code == 2);
  CHECK(RunCustos({"scan"}).exit_code == 2);
}

TEST_CASE("scan: odd files never hang, leak or vanish") {
  TempDir dir;
  WriteFile(dir / "root/plain.txt", "hello\n");
  REQUIRE(::mkfifo((dir / "root/feed.fifo").c_str(), 0644) == 0);
  REQUIRE(::symlink("/etc", (dir / "root/etc-link").c_str()) == 0);
  REQUIRE(::symlink("/etc/passwd", (dir / "root/passwd-link").c_str()) == 0);
  REQUIRE(::symlink("loop-b", (dir / "root/loop-a").c_str()) == 0);
  REQUIRE(::symlink("loop-a", (dir / "root/loop-b").c_str()) == 0);
  const std::string odd = dir / std::string("root/caf\xe9\nname.txt");
  WriteFile(odd, "x");
  WriteFile(dir / "root/.hidden/secret.txt", "hidden files are scanned too\n");

  auto r = RunCustos({"scan", "--all", dir / "root"}, 60);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);  // no policy: no violation
  CHECK(r.out.find("/etc") == std::string::npos);
  CHECK(r.out.find("passwd") == std::string::npos);
  CHECK(r.out.find("loop-") == std::string::npos);
  auto items = ByPath(r.out);
  REQUIRE(items.count(dir / "root/feed.fifo"));
  CHECK(items[dir / "root/feed.fifo"]["skipped"] == "special file");
  CHECK(items.count(dir / "root/.hidden/secret.txt") == 1);
  CHECK(items.count(dir / "root/caf\\xe9\nname.txt") == 1);  // escaped, not dropped
  CHECK(items.size() == 4);
  CHECK(r.err.find("4 symlinks not followed") != std::string::npos);

  // The table cannot be forged by a newline in a name.
  auto table = RunCustos({"scan", "--all", "--format", "table", dir / "root"}, 60);
  CHECK(table.out.find("caf\\xe9\\x0aname.txt") != std::string::npos);
}

TEST_CASE("scan: permission denied is a skipped item when run unprivileged") {
  if (!custos::test::HaveTool("setpriv")) {
    FAIL("setpriv (util-linux) is needed to test as an unprivileged user");
  }
  TempDir dir;
  ::chmod(dir.path().c_str(), 0755);
  WriteFile(dir / "share/readable.txt", "ok\n");
  WriteFile(dir / "share/locked.txt", "secret\n");
  ::chmod((dir / "share/locked.txt").c_str(), 0600);
  WriteFile(dir / "share/closed/inside.txt", "x\n");
  ::chmod((dir / "share/closed").c_str(), 0700);

  auto r = custos::test::Run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                              custos::test::CustosBinary(), "scan", "--all", dir / "share"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto items = ByPath(r.out);
  REQUIRE(items.count(dir / "share/locked.txt"));
  CHECK(items[dir / "share/locked.txt"]["skipped"] == "permission denied");
  REQUIRE(items.count(dir / "share/closed"));
  CHECK(items[dir / "share/closed"]["skipped"] == "permission denied");
  CHECK(items.count(dir / "share/closed/inside.txt") == 0);
  CHECK(items[dir / "share/readable.txt"]["skipped"].is_null());
  CHECK(r.err.find("permission denied 2") != std::string::npos);
  // A file that cannot be read is still described (and judged) by its figures.
  CHECK(items[dir / "share/locked.txt"]["mode"] == "0600");
  CHECK(items[dir / "share/locked.txt"]["size"] == 7);
  CHECK(items[dir / "share/locked.txt"]["owner"] == "root");
}

TEST_CASE("scan: a file with several names is one item, with or without an inventory") {
  TempDir dir;
  WriteFile(dir / "share/a/template.fmr", Fmr());
  REQUIRE(::link((dir / "share/a/template.fmr").c_str(), (dir / "share/b.fmr").c_str()) == 0);
  WriteFile(dir / "share/other.txt", "x\n");
  for (const bool with_db : {false, true}) {
    std::vector<std::string> args = {"scan", "--all"};
    if (with_db) {
      args.push_back("--db");
      args.push_back(dir / "inventory.db");
    }
    args.push_back(dir / "share");
    auto r = RunCustos(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto items = ByPath(r.out);
    CHECK(items.size() == 2);
    CHECK(items.count(dir / "share/other.txt") == 1);
    CHECK(items.count(dir / "share/a/template.fmr") + items.count(dir / "share/b.fmr") == 1);
    CHECK(r.err.find("1 repeated hard links") != std::string::npos);
  }
}

TEST_CASE("scan: formats and the output file") {
  TempDir dir;
  WriteFile(dir / "tree/biometric/a.fmr", Fmr());
  ::chmod((dir / "tree/biometric/a.fmr").c_str(), 0666);
  WriteFile(dir / "policy.yaml", kPolicy);

  auto j = RunCustos({"scan", "--format", "json", "--policy", dir / "policy.yaml", dir / "tree"});
  CHECK(j.exit_code == 1);
  json arr = json::parse(j.out);
  REQUIRE(arr.is_array());
  REQUIRE(arr.size() == 1);
  CHECK(arr[0]["path"] == dir / "tree/biometric/a.fmr");

  auto c = RunCustos({"scan", "--format", "csv", "--policy", dir / "policy.yaml", dir / "tree"});
  CHECK(c.out.rfind("path,size,mtime,owner,group,mode,mime,category,content_date,", 0) == 0);
  CHECK(c.out.find(dir / "tree/biometric/a.fmr,32,") != std::string::npos);
  CHECK(c.out.find("bio-access (access, critical): mode 0666 exceeds 0640") != std::string::npos);

  auto t = RunCustos({"scan", "--format", "table", "--policy", dir / "policy.yaml", dir / "tree"});
  CHECK(t.out.find("VIOLATION bio-access [access, critical] mode 0666 exceeds 0640") !=
        std::string::npos);

  auto o =
      RunCustos({"scan", "-o", dir / "out.jsonl", "--policy", dir / "policy.yaml", dir / "tree"});
  CHECK(o.exit_code == 1);
  CHECK(o.out.empty());
  struct stat st;
  REQUIRE(::stat((dir / "out.jsonl").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(ByPath(custos::test::ReadFile(dir / "out.jsonl")).count(dir / "tree/biometric/a.fmr"));
}

TEST_CASE("scan: excludes and the single-thread and multi-thread scans agree") {
  TempDir dir;
  for (int d = 0; d < 20; ++d) {
    for (int f = 0; f < 25; ++f) {
      WriteFile(dir / ("t/d" + std::to_string(d) + "/f" + std::to_string(f) + ".txt"), "x\n");
    }
  }
  WriteFile(dir / "t/skipme/a.txt", "x\n");
  WriteFile(dir / "t/d0/b.tmp", "x\n");
  auto one = RunCustos({"scan", "--all", "--threads", "1", "--exclude", "**/skipme", "--exclude",
                        "*.tmp", dir / "t"});
  auto many = RunCustos({"scan", "--all", "--threads", "4", "--exclude", "**/skipme", "--exclude",
                         "*.tmp", dir / "t"});
  auto a = ByPath(one.out), b = ByPath(many.out);
  CHECK(a.size() == 500);
  CHECK(b.size() == 500);
  CHECK(a.count(dir / "t/skipme/a.txt") == 0);
  CHECK(a.count(dir / "t/d0/b.tmp") == 0);
  for (const auto& [path, rec] : a) CHECK(b.count(path) == 1);
  CHECK(one.err.find("2 excluded") != std::string::npos);
}

TEST_CASE("classify: prints type, category and content date") {
  TempDir dir;
  const int64_t recorded = 1700000000;
  MakeClip(dir / "clip.mov", recorded);
  WriteFile(dir / "t.fmr", Fmr());
  auto r = RunCustos({"classify", dir / "clip.mov", dir / "t.fmr"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("category:     video") != std::string::npos);
  CHECK(r.out.find("content_date: " + Iso(recorded)) != std::string::npos);
  CHECK(r.out.find("category:     biometric") != std::string::npos);
  CHECK(RunCustos({"classify", dir / "nope"}).exit_code == 2);
}

// `custos scan --config FILE`: a one-shot scan of a custosd config's roots, each with
// its excludes and limits, judged by the config's policies, recorded in its inventory.

TEST_CASE("scan --config: every root with its excludes and limits, the config's policies") {
  TempDir dir;
  const std::string config = WriteSite(dir);
  // Files changed within the second a scan starts are read again by the next one.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto r = RunCustos({"scan", "--config", config, "--all"});
  INFO(r.err);
  CHECK(r.exit_code == 1);  // a violation
  auto items = ByPath(r.out);
  REQUIRE(items.count(dir / "hr/staff.txt"));
  CHECK(items[dir / "hr/staff.txt"]["violations"][0]["policy"] == "no-mail");
  CHECK(items.count(dir / "hr/archive/old.txt") == 0);  // the root's exclude
  REQUIRE(items.count(dir / "hr/big.txt"));
  CHECK(items[dir / "hr/big.txt"]["skipped"] == "limit: size");  // the root's max_file_size
  CHECK(items[dir / "hr/big.txt"]["detections"].empty());
  CHECK(items.count(dir / "cctv/notes.txt") == 1);
  CHECK(items.count(dir / "outside/other.txt") == 0);
  // One summary line per root, naming it.
  CHECK(r.err.find("custos: " + (dir / "hr") + ": ") != std::string::npos);
  CHECK(r.err.find("custos: " + (dir / "cctv") + ": ") != std::string::npos);

  // Recorded in the config's inventory, with the HMAC key in its state directory: the
  // next scan reads nothing again, and the findings are there to review.
  CHECK(Exists(dir / "state/inventory.db"));
  CHECK(Exists(dir / "state/hmac.key"));
  auto again = RunCustos({"scan", "--config", config});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("(0 read, 2 unchanged)") != std::string::npos);
  auto findings = RunCustos({"findings", "--db", dir / "state/inventory.db", "--format", "json"});
  REQUIRE(findings.exit_code == 0);
  CHECK(json::parse(findings.out).size() == 1);
}

TEST_CASE("scan --config: command-line options win; PATHs; --no-db") {
  TempDir dir;
  const std::string config = WriteSite(dir);
  // --no-db: no inventory; --exclude adds to the root's; an extra --policy adds up.
  WriteFile(dir / "notes.yaml",
            "policies:\n  - {id: no-notes, match: {paths: [\"**/notes.txt\"]}, forbid: true}\n");
  auto r = RunCustos({"scan", "--config", config, "--no-db", "--all", "--exclude", "**/big.txt",
                      "--policy", dir / "notes.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(!Exists(dir / "state/inventory.db"));
  auto items = ByPath(r.out);
  CHECK(items.count(dir / "hr/big.txt") == 0);
  CHECK(items.count(dir / "hr/archive/old.txt") == 0);
  REQUIRE(items.count(dir / "cctv/notes.txt"));
  CHECK(items[dir / "cctv/notes.txt"]["violations"][0]["policy"] == "no-notes");

  // --db elsewhere: the key goes beside it, not to the config's state directory.
  auto other = RunCustos({"scan", "--config", config, "--db", dir / "other/inv.db", "-q"});
  CHECK(other.exit_code == 1);
  CHECK(Exists(dir / "other/inv.db"));
  CHECK(Exists(dir / "other/hmac.key"));
  CHECK(!Exists(dir / "state/inventory.db"));

  // PATHs: only those, a configured root with its settings, another path with none.
  auto some =
      RunCustos({"scan", "--config", config, "--no-db", "--all", dir / "hr", dir / "outside"});
  CHECK(some.exit_code == 1);
  items = ByPath(some.out);
  CHECK(items.count(dir / "hr/archive/old.txt") == 0);
  CHECK(items.count(dir / "cctv/notes.txt") == 0);
  REQUIRE(items.count(dir / "outside/other.txt"));
  CHECK(items[dir / "outside/other.txt"]["violations"][0]["policy"] == "no-mail");

  // --no-content from the command line, or content: false in the config.
  auto bare = RunCustos({"scan", "--config", config, "--no-db", "--no-content", "-q"});
  CHECK(bare.exit_code == 0);
}

TEST_CASE("scan --config: a bad config, a missing root or no root is exit 2") {
  TempDir dir;
  WriteFile(dir / "bad.yaml", "roots:\n  - path: /srv\n    schedul: daily\n");
  auto bad = RunCustos({"scan", "--config", dir / "bad.yaml"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find(dir / "bad.yaml:3:5: unknown key 'schedul' in root") != std::string::npos);
  CHECK(bad.out.empty());

  WriteFile(dir / "gone.yaml", "roots:\n  - path: " + (dir / "gone") + "\n");
  auto gone = RunCustos({"scan", "--config", dir / "gone.yaml", "--no-db"});
  CHECK(gone.exit_code == 2);
  CHECK(gone.err.find("No such file or directory") != std::string::npos);

  WriteFile(dir / "none.yaml", "scan: {threads: 1}\n");
  auto none = RunCustos({"scan", "--config", dir / "none.yaml", "--no-db"});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("names no root") != std::string::npos);

  CHECK(RunCustos({"scan", "--config", dir / "missing.yaml"}).exit_code == 2);
}

TEST_CASE("scan: an output that cannot be written stops the scan with exit 2") {
  TempDir dir;
  // Enough records to fill the output's buffer well before the end of the scan.
  for (int i = 0; i < 400; ++i) {
    WriteFile(dir / ("share/f" + std::to_string(i) + ".txt"), "card 4111 1111 1111 1111\n");
  }
  auto to_file = RunCustos({"scan", "-o", "/dev/full", dir / "share"}, 60);
  CHECK(to_file.exit_code == 2);
  CHECK(to_file.err.find("writing the output: No space left on device") != std::string::npos);
  CHECK(to_file.err.find(" items") == std::string::npos);  // no summary of a scan cut short
  auto to_stdout = custos::test::Run({"sh", "-c", "exec \"$0\" scan \"$1\" > /dev/full",
                                      custos::test::CustosBinary(), dir / "share"},
                                     60);
  CHECK(to_stdout.exit_code == 2);
  CHECK(to_stdout.err.find("No space left on device") != std::string::npos);
  // The same scan recorded in an inventory: the scan is failed there, not complete.
  auto recorded = custos::test::Run({"sh", "-c", "exec \"$0\" scan --db \"$1\" \"$2\" > /dev/full",
                                     custos::test::CustosBinary(), dir / "inv.db", dir / "share"},
                                    60);
  CHECK(recorded.exit_code == 2);
  auto state = custos::test::Run({"sqlite3", dir / "inv.db", "SELECT state FROM scans"});
  CHECK(state.out == "failed\n");
}
