// Integration tests of the inventory: the real binary with --db, the findings review
// and the report, on trees built here.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "custos/base/time.h"
#include "custos/inventory/store.h"
#include "support/support.h"

using custos::test::ProcessResult;
using custos::test::ReadFile;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;
using json = nlohmann::json;

namespace {

constexpr int64_t kDay = 86400;

const char* kPolicy = R"(policies:
  - id: share-private
    description: Shared files are not readable by everyone
    references: ["GDPR Art. 32", "site access rules"]
    severity: high
    match: {paths: ["**/share/**"]}
    access: {max_mode: "0640"}
  - id: archive-1y
    description: Archived files are kept one year at most
    severity: medium
    match: {paths: ["**/archive/**"]}
    retention: {max_age: 365d, age_from: mtime}
  - id: no-cards
    description: No payment card numbers on the file server
    references: ["PCI DSS"]
    severity: critical
    match: {detectors: [payment_card]}
    forbid: true
)";

// An ISO/IEC 19794-2 template header: biometric, never searched for text.
std::string Fmr() {
  std::string rec("FMR\0 20\0", 8);
  rec += std::string("\0\0\0\x20\0\0", 6);
  rec += std::string(18, '\0');
  return rec;
}

std::string Date(int64_t t) { return custos::FormatIso8601(t).substr(0, 10); }
std::string Iso(int64_t t) { return custos::FormatIso8601(t); }

// First column of the first row of `sql` on the inventory file, as text ("" if none).
std::string Sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* st = nullptr;
  INFO(sql);
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::string out;
  const int rc = sqlite3_step(st);
  REQUIRE((rc == SQLITE_ROW || rc == SQLITE_DONE));
  if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// Every row of `sql` (one column) as a set.
std::set<std::string> SqlSet(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::set<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(st, 0));
    out.insert(std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, 0))));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

void Exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  INFO(sql);
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

// The figures of the latest scan in the inventory: "read/reused/state".
std::string LastScan(const std::string& db) {
  return Sql(db,
             "SELECT read || '/' || reused || '/' || state FROM scans ORDER BY id DESC LIMIT 1");
}

// A folder with a policy, a tree under srv/ and an inventory under state/.
class Site {
 public:
  Site() { WriteFile(dir_ / "policy.yaml", kPolicy); }
  std::string db() const { return dir_ / "state/inventory.db"; }
  std::string root() const { return dir_ / "srv"; }
  std::string operator/(std::string_view rel) const { return dir_ / rel; }
  const TempDir& dir() const { return dir_; }

  ProcessResult Scan(int64_t now, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "scan",  "--db",   db(), "--policy",        dir_ / "policy.yaml",
        "--now", Iso(now), "-o", dir_ / "out.jsonl"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(root());
    auto r = RunCustos(args);
    INFO(r.err);
    CHECK((r.exit_code == 0 || r.exit_code == 1));
    return r;
  }

  ProcessResult Cli(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db());
    return RunCustos(args);
  }

  // Every finding, keyed "policy|path|kind".
  std::map<std::string, json> Findings(int64_t now = 0) {
    std::vector<std::string> args = {"findings", "list", "--all", "--format", "json"};
    if (now) {
      args.push_back("--now");
      args.push_back(Iso(now));
    }
    auto r = Cli(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::map<std::string, json> out;
    for (const json& f : json::parse(r.out)) {
      out[f["policy"].get<std::string>() + "|" + f["path"].get<std::string>() + "|" +
          f["kind"].get<std::string>()] = f;
    }
    return out;
  }

  json Finding(const std::string& policy, const std::string& rel, const std::string& kind) {
    auto all = Findings();
    const std::string key = policy + "|" + root() + "/" + rel + "|" + kind;
    INFO(key);
    REQUIRE(all.count(key) == 1);
    return all[key];
  }

 private:
  TempDir dir_;
};

// Lets ctime and mtime of what was just written fall behind the next scan's start, so
// that the scan may reuse it (the racy-file rule).
void LetTheSecondPass() { std::this_thread::sleep_for(std::chrono::milliseconds(2100)); }

// A child process running the custos binary, to signal it mid-scan.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      const int null_fd = ::open("/dev/null", O_RDWR);
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
      std::vector<std::string> argv = {custos::test::CustosBinary()};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> p;
      for (auto& a : argv) p.push_back(a.data());
      p.push_back(nullptr);
      ::execv(p[0], p.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }
  void Signal(int sig) { ::kill(pid_, sig); }
  // Exit code, or 128 + signal.
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace

TEST_CASE("inventory: each finding transition through the command line") {
  Site site;
  const int64_t t0 = custos::NowUnix();
  WriteFile(site / "srv/share/rota.txt", "night shift rota\n");
  WriteFile(site / "srv/share/cards.txt", "card 4111 1111 1111 1111\n");
  ::chmod((site / "srv/share/cards.txt").c_str(), 0600);
  WriteFile(site / "srv/archive/2019.txt", "old minutes\n");
  custos::test::SetMtime(site / "srv/archive/2019.txt", t0 - 800 * kDay);

  // new
  auto r = site.Scan(t0);
  CHECK(r.exit_code == 1);
  auto all = site.Findings();
  REQUIRE(all.size() == 3);
  for (auto& [key, f] : all) {
    INFO(key);
    CHECK(f["status"] == "new");
    CHECK(f["first_seen"] == Iso(t0));
  }
  json cards = site.Finding("no-cards", "share/cards.txt", "forbidden");
  CHECK(cards["severity"] == "critical");
  REQUIRE(cards["detections"].size() == 1);
  CHECK(cards["detections"][0]["masked"][0] == "**** **** **** 1111");

  // new -> open
  site.Scan(t0 + kDay);
  for (auto& [key, f] : site.Findings()) CHECK(f["status"] == "open");

  // open -> acknowledged; open -> excepted
  const std::string rota_id = std::to_string(
      site.Finding("share-private", "share/rota.txt", "access")["id"].get<int64_t>());
  const std::string old_id = std::to_string(
      site.Finding("archive-1y", "archive/2019.txt", "retention")["id"].get<int64_t>());
  r = site.Cli(
      {"findings", "ack", rota_id, "--note", "owner asked to fix", "--now", Iso(t0 + kDay)});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  r = site.Cli({"findings", "except", old_id, "--reason", "kept for the 2291 inquiry", "--until",
                Date(t0 + 10 * kDay), "--now", Iso(t0 + kDay)});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "finding " + old_id + " excepted until " + Date(t0 + 10 * kDay) + "\n");

  // Decisions survive rescans.
  site.Scan(t0 + 2 * kDay);
  json rota = site.Finding("share-private", "share/rota.txt", "access");
  CHECK(rota["status"] == "acknowledged");
  CHECK(rota["notes"] == Date(t0 + kDay) + " acknowledged: owner asked to fix");
  CHECK(rota["last_seen"] == Iso(t0 + 2 * kDay));
  json old = site.Finding("archive-1y", "archive/2019.txt", "retention");
  CHECK(old["status"] == "excepted");
  CHECK(old["exception_reason"] == "kept for the 2291 inquiry");
  CHECK(old["exception_until"] == Date(t0 + 10 * kDay));

  // The exception runs out: open again, at the next listing (or scan, or report).
  auto later = site.Findings(t0 + 11 * kDay);
  CHECK(later["archive-1y|" + site.root() + "/archive/2019.txt|retention"]["status"] == "open");

  // Fixed -> resolved; deleted -> resolved with the file marked deleted.
  ::chmod((site / "srv/share/rota.txt").c_str(), 0640);
  ::unlink((site / "srv/share/cards.txt").c_str());
  site.Scan(t0 + 12 * kDay);
  rota = site.Finding("share-private", "share/rota.txt", "access");
  CHECK(rota["status"] == "resolved");
  CHECK(rota["resolved_at"] == Iso(t0 + 12 * kDay));
  cards = site.Finding("no-cards", "share/cards.txt", "forbidden");
  CHECK(cards["status"] == "resolved");
  CHECK(cards["item_deleted"] == true);

  // Broken again: back as new, same id, history kept.
  ::chmod((site / "srv/share/rota.txt").c_str(), 0644);
  site.Scan(t0 + 13 * kDay);
  rota = site.Finding("share-private", "share/rota.txt", "access");
  CHECK(rota["status"] == "new");
  CHECK(std::to_string(rota["id"].get<int64_t>()) == rota_id);
  CHECK(rota["first_seen"] == Iso(t0));
  auto show = site.Cli({"findings", "show", rota_id});
  CHECK(show.exit_code == 0);
  CHECK(show.out.find("open -> acknowledged") != std::string::npos);
  CHECK(show.out.find("acknowledged -> resolved") != std::string::npos);
  CHECK(show.out.find("resolved -> new") != std::string::npos);

  // The default listing hides resolved findings; filters work.
  r = site.Cli({"findings"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("rota.txt") != std::string::npos);
  CHECK(r.out.find("cards.txt") == std::string::npos);
  r = site.Cli({"findings", "list", "--status", "resolved", "--format", "csv"});
  CHECK(r.out.find("cards.txt") != std::string::npos);
  CHECK(r.out.find("rota.txt") == std::string::npos);
  r = site.Cli({"findings", "list", "--policy", "archive-1y", "--format", "json"});
  CHECK(json::parse(r.out).size() == 1);

  // Refusals: exit 2 with a message.
  const std::string cards_id = std::to_string(cards["id"].get<int64_t>());
  CHECK(site.Cli({"findings", "ack", cards_id}).exit_code == 2);  // resolved
  CHECK(site.Cli({"findings", "ack", "9999"}).exit_code == 2);
  r = site.Cli({"findings", "except", rota_id, "--reason", "x", "--until", "2001-01-01"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("in the past") != std::string::npos);
  CHECK(site.Cli({"findings", "except", rota_id, "--until", Date(t0 + 30 * kDay)}).exit_code == 2);
  CHECK(site.Cli({"findings", "list", "--status", "bogus"}).exit_code == 2);
}

TEST_CASE("inventory: an unchanged tree is not read again; each change is") {
  Site site;
  const int64_t t0 = custos::NowUnix();
  WriteFile(site / "srv/share/a.txt", "card 4111 1111 1111 1111\n");
  WriteFile(site / "srv/share/b.txt", "nothing here\n");
  WriteFile(site / "srv/docs/c.txt", "minutes of the meeting\n");
  WriteFile(site / "srv/bio/t.fmr", Fmr());
  REQUIRE(::mkfifo((site / "srv/docs/feed.fifo").c_str(), 0644) == 0);
  LetTheSecondPass();
  site.Scan(t0);
  CHECK(LastScan(site.db()) == "4/0/complete");

  // Unchanged: nothing read, everything judged again.
  auto r = site.Scan(t0 + kDay);
  CHECK(LastScan(site.db()) == "0/4/complete");
  INFO(r.err);
  CHECK(r.err.find("(0 read, 4 unchanged)") != std::string::npos);
  const std::string out = ReadFile(site / "out.jsonl");
  CHECK(out.find("\"no-cards\"") != std::string::npos);  // violations still reported
  CHECK(out.find("**** **** **** 1111") != std::string::npos);
  CHECK(site.Finding("no-cards", "share/a.txt", "forbidden")["status"] == "open");

  // Size changed.
  WriteFile(site / "srv/share/b.txt", "nothing here, really\n");
  LetTheSecondPass();
  site.Scan(t0 + 2 * kDay);
  CHECK(LastScan(site.db()) == "1/3/complete");
  // Same size, new content, mtime changed.
  WriteFile(site / "srv/share/b.txt", "c 5555555555554444 x\n");  // 21 bytes as well
  LetTheSecondPass();
  site.Scan(t0 + 3 * kDay);
  CHECK(LastScan(site.db()) == "1/3/complete");
  CHECK(site.Finding("no-cards", "share/b.txt", "forbidden")["status"] == "new");
  // Only the ctime changed (chmod).
  ::chmod((site / "srv/docs/c.txt").c_str(), 0600);
  LetTheSecondPass();
  site.Scan(t0 + 4 * kDay);
  CHECK(LastScan(site.db()) == "1/3/complete");

  // A new detector version re-reads the searched files, not the biometric template.
  Exec(site.db(), "UPDATE content_keys SET key = replace(key, ';d', ';d-old')");
  site.Scan(t0 + 5 * kDay);
  CHECK(LastScan(site.db()) == "3/1/complete");
  // So does a change to the policies' custom detectors.
  WriteFile(site / "policy.yaml", std::string(kPolicy) + R"(detectors:
  - id: badge-number
    pattern: 'BADGE-[0-9]{6}'
)");
  LetTheSecondPass();
  site.Scan(t0 + 6 * kDay);
  CHECK(LastScan(site.db()) == "3/1/complete");
  site.Scan(t0 + 7 * kDay);
  CHECK(LastScan(site.db()) == "0/4/complete");
  // A scan without content search cannot reuse searched results; it resolves no
  // finding about content either.
  site.Scan(t0 + 8 * kDay, {"--no-content"});
  CHECK(LastScan(site.db()) == "3/1/complete");
  CHECK(site.Finding("no-cards", "share/a.txt", "forbidden")["status"] == "open");
  // ... and a new identification version re-reads everything.
  Exec(site.db(), "UPDATE content_keys SET key = replace(key, 'i1', 'i0')");
  site.Scan(t0 + 9 * kDay);
  CHECK(LastScan(site.db()) == "4/0/complete");
  // The stored detections came back with the reuse: the finding stayed open meanwhile.
  CHECK(site.Finding("no-cards", "share/a.txt", "forbidden")["status"] == "open");
}

TEST_CASE("inventory: a folder judged twice in one scan sees what the scan wrote to it") {
  // Overlapping roots: srv/share is judged once as a root of its own, then again under
  // srv, with other folders in between (they push it out of the writer's memory). The
  // readers' copy of the folder is older than what the first pass wrote; the writer
  // must not take it, or it would record the new finding twice.
  Site site;
  const int64_t t0 = custos::NowUnix();
  WriteFile(site / "srv/share/k.txt", "key list\n");
  ::chmod((site / "srv/share/k.txt").c_str(), 0600);
  WriteFile(site / "srv/share/c.txt", "card 4111 1111 1111 1111\n");
  ::chmod((site / "srv/share/c.txt").c_str(), 0600);
  for (int i = 0; i < 12; ++i) {
    WriteFile(site / ("srv/pad/p" + std::to_string(i) + "/f.txt"), "nothing\n");
  }
  LetTheSecondPass();
  site.Scan(t0);
  CHECK(site.Findings().size() == 1);

  ::chmod((site / "srv/share/k.txt").c_str(), 0644);  // now breaches share-private
  LetTheSecondPass();
  auto r = site.Scan(t0 + kDay, {site / "srv/share", site / "srv/pad"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(LastScan(site.db()) == "2/26/complete");  // k.txt in both passes
  auto all = site.Findings();
  CHECK(all.size() == 2);
  CHECK(site.Finding("share-private", "share/k.txt", "access")["status"] == "new");
  CHECK(site.Finding("no-cards", "share/c.txt", "forbidden")["status"] == "open");
  CHECK(Sql(site.db(), "SELECT count(*) FROM events WHERE to_status = 'new'") == "2");
  // The next scan, unchanged, reads nothing and changes nothing.
  site.Scan(t0 + 2 * kDay, {site / "srv/share", site / "srv/pad"});
  CHECK(LastScan(site.db()) == "0/28/complete");
  CHECK(site.Finding("share-private", "share/k.txt", "access")["status"] == "open");
}

TEST_CASE("inventory: a moved file keeps its findings and their history") {
  Site site;
  const int64_t t0 = custos::NowUnix();
  WriteFile(site / "srv/share/x.txt", "card 4111 1111 1111 1111\n");
  WriteFile(site / "srv/share/y.txt", "another file\n");
  site.Scan(t0);
  json before = site.Finding("no-cards", "share/x.txt", "forbidden");
  const std::string id = std::to_string(before["id"].get<int64_t>());
  REQUIRE(site.Cli({"findings", "ack", id, "--note", "moving it"}).exit_code == 0);
  const std::string items_before = Sql(site.db(), "SELECT count(*) FROM items");

  std::filesystem::create_directories(site / "srv/share/sub");
  REQUIRE(::rename((site / "srv/share/x.txt").c_str(),
                   (site / "srv/share/sub/moved.txt").c_str()) == 0);
  site.Scan(t0 + kDay);
  auto all = site.Findings();
  CHECK(all.count("no-cards|" + site.root() + "/share/x.txt|forbidden") == 0);
  json after = site.Finding("no-cards", "share/sub/moved.txt", "forbidden");
  CHECK(std::to_string(after["id"].get<int64_t>()) == id);
  CHECK(after["status"] == "acknowledged");
  CHECK(after["first_seen"] == Iso(t0));
  CHECK(Sql(site.db(), "SELECT count(*) FROM items") == items_before);
  CHECK(Sql(site.db(), "SELECT count(*) FROM items WHERE deleted_at IS NOT NULL") == "0");
  auto show = site.Cli({"findings", "show", id});
  CHECK(show.out.find("moved from " + site.root() + "/share/x.txt") != std::string::npos);

  // A copy is a new file with its own finding; the original's stays.
  std::filesystem::copy_file(site / "srv/share/sub/moved.txt", site / "srv/share/copy.txt");
  site.Scan(t0 + 2 * kDay);
  CHECK(site.Finding("no-cards", "share/copy.txt", "forbidden")["status"] == "new");
  CHECK(site.Finding("no-cards", "share/sub/moved.txt", "forbidden")["status"] == "acknowledged");
}

TEST_CASE("inventory: excluded files and other roots are out of sight, not deleted") {
  Site site;
  const int64_t t0 = custos::NowUnix();
  WriteFile(site / "srv/share/keep.txt", "x\n");
  WriteFile(site / "srv/share/skip/other.txt", "y\n");
  site.Scan(t0);
  site.Scan(t0 + kDay, {"--exclude", "**/skip"});
  // Not seen, not resolved: left as it was.
  json other = site.Finding("share-private", "share/skip/other.txt", "access");
  CHECK(other["status"] == "new");
  CHECK(other["last_seen"] == Iso(t0));
  CHECK(site.Finding("share-private", "share/keep.txt", "access")["status"] == "open");
  CHECK(Sql(site.db(), "SELECT count(*) FROM items WHERE deleted_at IS NOT NULL") == "0");
  // A scan of another root does not touch these.
  WriteFile(site / "elsewhere/z.txt", "z\n");
  auto r = RunCustos({"scan", "--db", site.db(), "--policy", site / "policy.yaml", "-o",
                      "/dev/null", site / "elsewhere"});
  CHECK(r.exit_code == 0);
  CHECK(site.Finding("share-private", "share/keep.txt", "access")["status"] == "open");
}

TEST_CASE("inventory: unusable inventories and a second scanner are refused with exit 2") {
  Site site;
  WriteFile(site / "srv/a.txt", "a\n");
  WriteFile(site / "not-a-db", "just text, not an inventory at all .................\n");
  auto r = RunCustos({"scan", "--db", site / "not-a-db", site.root()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("not-a-db") != std::string::npos);
  r = RunCustos({"scan", "--db", site / "not-a-db/inside.db", site.root()});
  CHECK(r.exit_code == 2);
  CHECK(RunCustos({"findings", "--db", site / "missing.db"}).exit_code == 2);
  CHECK(RunCustos({"report", "--db", site / "missing.db", "-o", site / "r.html"}).exit_code == 2);

  site.Scan(custos::NowUnix());
  const int fd = ::open(site.db().c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);  // as another scan would
  r = RunCustos({"scan", "--db", site.db(), site.root()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("in use by another scan") != std::string::npos);
  // Review is not blocked by a running scan.
  CHECK(site.Cli({"findings", "list"}).exit_code == 0);
  ::close(fd);
  // The inventory file, its WAL and the key are private.
  struct stat st;
  REQUIRE(::stat(site.db().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((site / "state/hmac.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_size == 32);
}

TEST_CASE(
    "inventory: kill -9 at random points leaves a consistent inventory; the next scan completes") {
  Site site;
  // A few thousand files: cards in some, world-readable shares everywhere.
  for (int d = 0; d < 30; ++d) {
    for (int f = 0; f < 100; ++f) {
      const int n = d * 100 + f;
      const std::string folder = (n % 3 == 0 ? "srv/share/" : "srv/docs/") + std::to_string(d);
      std::string text = "record " + std::to_string(n) + "\n";
      if (n % 10 == 0) text += "card 4111 1111 1111 1111\n";
      WriteFile(site / (folder + "/f" + std::to_string(n) + ".txt"), text);
    }
  }
  LetTheSecondPass();
  // The reference: one uninterrupted scan into another inventory.
  const std::string ref = site / "ref/inventory.db";
  const auto start = std::chrono::steady_clock::now();
  auto r = RunCustos(
      {"scan", "-q", "--db", ref, "--policy", site / "policy.yaml", "-o", "/dev/null", site.root()},
      600);
  const double full_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE(r.exit_code == 1);
  const char* kItems = "SELECT d.path || '/' || i.name FROM items i JOIN dirs d ON d.id = i.dir";
  const char* kFindings =
      "SELECT f.policy || '|' || d.path || '/' || i.name || '|' || f.kind FROM findings f JOIN "
      "items i ON i.id = f.item JOIN dirs d ON d.id = i.dir";
  const auto ref_items = SqlSet(ref, kItems);
  const auto ref_findings = SqlSet(ref, kFindings);
  REQUIRE(ref_items.size() == 3000);
  REQUIRE(ref_findings.size() == 1000 + 300);  // world-readable shares, cards
  std::random_device rd;
  const unsigned seed = rd();
  INFO("seed " << seed << ", full scan " << full_s << " s");
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> when(0.05, 0.95);

  // Consistent: the file checks out, nothing is duplicated, nothing is invented, and
  // nothing is resolved or deleted by a scan that did not complete.
  auto check_consistent = [&] {
    CHECK(Sql(site.db(), "PRAGMA integrity_check") == "ok");
    {
      // The store's own check: also that every folder_cache row says what its rows say.
      custos::inventory::OpenOptions existing;
      existing.create = false;
      auto store = custos::inventory::OpenSqliteStore(site.db(), existing);
      REQUIRE(store.ok());
      const custos::Status s = store.value()->CheckIntegrity();
      INFO(s.message());
      CHECK(s.ok());
    }
    CHECK(Sql(site.db(), "PRAGMA foreign_key_check") == "");
    CHECK(Sql(site.db(),
              "SELECT count(*) FROM (SELECT policy, item, kind FROM findings GROUP BY 1, 2, 3 "
              "HAVING count(*) > 1)") == "0");
    CHECK(Sql(site.db(),
              "SELECT count(*) FROM (SELECT dir, name FROM items GROUP BY 1, 2 HAVING "
              "count(*) > 1)") == "0");
    for (const std::string& p : SqlSet(site.db(), kItems)) CHECK(ref_items.count(p) == 1);
    for (const std::string& f : SqlSet(site.db(), kFindings)) CHECK(ref_findings.count(f) == 1);
    CHECK(Sql(site.db(), "SELECT count(*) FROM findings WHERE status = 'resolved'") == "0");
    CHECK(Sql(site.db(), "SELECT count(*) FROM items WHERE deleted_at IS NOT NULL") == "0");
  };
  const std::vector<std::string> scan = {"scan",    "-q",        "--db",
                                         site.db(), "--policy",  site / "policy.yaml",
                                         "-o",      "/dev/null", site.root()};
  // Every file changes before each round (a byte more, same findings), so that every
  // round has the whole tree to read and write; the signal comes at a random moment.
  for (int round = 0; round < 6; ++round) {
    for (int n = 0; n < 3000; n += 7) {
      const std::string p = site / ((n % 3 == 0 ? "srv/share/" : "srv/docs/") +
                                    std::to_string(n / 100) + "/f" + std::to_string(n) + ".txt");
      WriteFile(p, ReadFile(p) + "\n");
    }
    const bool term = round == 5;  // the last round asks politely (SIGTERM)
    Child child(scan);
    const double delay = full_s * when(rng);
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    child.Signal(term ? SIGTERM : SIGKILL);
    const int code = child.Wait();
    INFO("round " << round << ", signal after " << delay << " s, exit " << code);
    // SIGTERM: interrupted cleanly (2), done before it came (1), or before the handler (143).
    if (term) CHECK((code == 2 || code == 1 || code == 128 + SIGTERM));
    // Killed before the inventory had its schema: nothing to check yet.
    if (::access(site.db().c_str(), F_OK) != 0 || Sql(site.db(), "PRAGMA user_version") == "0") {
      continue;
    }
    check_consistent();
    if (term && code == 2) CHECK(LastScan(site.db()).find("/interrupted") != std::string::npos);
  }

  // Resume: every file changed, then a scan killed once it has committed a batch; the
  // next one reads only what the killed one did not record.
  const std::string before_b = Sql(site.db(), "SELECT coalesce(max(id), 0) FROM scans");
  const std::string written_by_b = "SELECT count(*) FROM items WHERE last_scan > " + before_b;
  for (int n = 0; n < 3000; ++n) {
    const std::string p = site / ((n % 3 == 0 ? "srv/share/" : "srv/docs/") +
                                  std::to_string(n / 100) + "/f" + std::to_string(n) + ".txt");
    WriteFile(p, ReadFile(p) + "\n");
  }
  LetTheSecondPass();
  {
    Child child(scan);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    bool killed = false;
    while (std::chrono::steady_clock::now() < give_up) {
      const std::string done = Sql(site.db(), written_by_b);
      if (!done.empty() && std::stoll(done) >= 1000) {
        child.Signal(SIGKILL);
        killed = child.Wait() == 128 + SIGKILL;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(killed);
  }
  check_consistent();
  const std::string recorded = Sql(site.db(), written_by_b);
  CHECK(std::stoll(recorded) < 3000);
  r = RunCustos(scan, 600);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(LastScan(site.db()).find("/complete") != std::string::npos);
  CHECK(SqlSet(site.db(), kItems) == ref_items);
  CHECK(SqlSet(site.db(), kFindings) == ref_findings);
  CHECK(Sql(site.db(), "SELECT count(*) FROM findings WHERE status = 'resolved'") == "0");
  CHECK(Sql(site.db(), "PRAGMA integrity_check") == "ok");
  // What the killed scan recorded was not read again.
  INFO("recorded by the killed scan: " << recorded);
  CHECK(Sql(site.db(), "SELECT reused FROM scans ORDER BY id DESC LIMIT 1") == recorded);
  CHECK(Sql(site.db(), "SELECT read FROM scans ORDER BY id DESC LIMIT 1") ==
        std::to_string(3000 - std::stoll(recorded)));
  CHECK(Sql(site.db(), "SELECT count(*) FROM scans WHERE state = 'interrupted'") != "0");

  // Unchanged now: the next scan caches every folder, killed or not, and the scan after
  // it reads them from the cache with the same result.
  for (int round = 0; round < 3; ++round) {
    if (round == 1) {
      Child child(scan);
      std::this_thread::sleep_for(std::chrono::duration<double>(full_s * when(rng) / 4));
      child.Signal(SIGKILL);
      child.Wait();
      check_consistent();
      continue;
    }
    r = RunCustos(scan, 600);
    CHECK(r.exit_code == 1);
    CHECK(Sql(site.db(), "SELECT read FROM scans ORDER BY id DESC LIMIT 1") == "0");
    check_consistent();
  }
  CHECK(Sql(site.db(), "SELECT count(*) FROM folder_cache") == "60");
  CHECK(SqlSet(site.db(), kFindings) == ref_findings);
  CHECK(Sql(site.db(), "SELECT count(*) FROM findings WHERE status = 'resolved'") == "0");
}

namespace {

// A site with findings in every state, for the report tests. Returns the report's "now".
int64_t MakeReviewedSite(Site& site) {
  const int64_t t0 = custos::NowUnix() - 20 * kDay;
  WriteFile(site / "srv/share/rota.txt", "rota\n");
  WriteFile(site / "srv/share/fixed.txt", "to be fixed\n");
  WriteFile(site / "srv/share/cards.csv", "name,card\nA,4111-1111-1111-1111\n");
  ::chmod((site / "srv/share/cards.csv").c_str(), 0600);
  WriteFile(site / "srv/archive/2019.txt", "old\n");
  custos::test::SetMtime(site / "srv/archive/2019.txt", t0 - 800 * kDay);
  WriteFile(site / "srv/archive/2020.txt", "old too\n");
  custos::test::SetMtime(site / "srv/archive/2020.txt", t0 - 700 * kDay);
  std::filesystem::create_directories(site / "srv/feeds");
  REQUIRE(::mkfifo((site / "srv/feeds/feed.fifo").c_str(), 0644) == 0);
  site.Scan(t0);             // 5 findings, all before the period
  site.Scan(t0 + 7 * kDay);  // open
  auto all = site.Findings();
  auto id = [&](const std::string& policy, const std::string& rel, const std::string& kind) {
    return std::to_string(
        all[policy + "|" + site.root() + "/" + rel + "|" + kind]["id"].get<int64_t>());
  };
  const int64_t now = t0 + 20 * kDay;
  REQUIRE(site.Cli({"findings", "ack", id("share-private", "share/rota.txt", "access"), "--note",
                    "site manager informed", "--now", Iso(t0 + 8 * kDay)})
              .exit_code == 0);
  REQUIRE(
      site.Cli({"findings", "except", id("archive-1y", "archive/2019.txt", "retention"), "--reason",
                "inquiry 2291", "--until", Date(now + 5 * kDay), "--now", Iso(t0 + 8 * kDay)})
          .exit_code == 0);
  REQUIRE(
      site.Cli({"findings", "except", id("archive-1y", "archive/2020.txt", "retention"), "--reason",
                "audit", "--until", Date(now + 60 * kDay), "--now", Iso(t0 + 8 * kDay)})
          .exit_code == 0);
  // In the period: one fixed, one new.
  ::chmod((site / "srv/share/fixed.txt").c_str(), 0600);
  WriteFile(site / "srv/share/new.txt", "card 5555 5555 5555 4444\n");
  site.Scan(t0 + 16 * kDay);
  return now;
}

// data-value of the element with id `id` in HTML text.
int64_t Figure(const std::string& html, const std::string& id) {
  std::smatch m;
  const std::regex re("id=\"" + id + "\" data-value=\"([0-9]+)\"");
  INFO(id);
  REQUIRE(std::regex_search(html, m, re));
  return std::stoll(m[1].str());
}

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(cell);
      cell.clear();
    } else if (c == '\r') {
    } else if (c == '\n') {
      rows.back().push_back(cell);
      cell.clear();
      rows.emplace_back();
    } else {
      cell += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

}  // namespace

TEST_CASE("inventory: the weekly report in JSON, CSV and HTML matches the inventory") {
  Site site;
  const int64_t now = MakeReviewedSite(site);
  const std::string since = Date(now - 7 * kDay);
  for (const char* f : {"json", "csv", "html"}) {
    auto r = site.Cli({"report", "--since", "7d", "--now", Iso(now), "--format", f, "-o",
                       site / (std::string("report.") + f)});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    struct stat st;
    REQUIRE(::stat((site / (std::string("report.") + f)).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  // What the inventory says, through the findings command.
  auto all = site.Findings(now);
  std::map<std::string, int> by_status;
  for (auto& [k, f] : all) ++by_status[f["status"].get<std::string>()];
  INFO(json(by_status).dump());
  const int active = by_status["new"] + by_status["open"] + by_status["acknowledged"];
  CHECK(active == 4);  // rota (ack), new.txt card + access, cards.csv card
  CHECK(by_status["excepted"] == 2);
  CHECK(by_status["resolved"] == 1);

  const json rep = json::parse(ReadFile(site / "report.json"));
  const json& s = rep["summary"];
  CHECK(s["active"] == active);
  CHECK(s["acknowledged"] == by_status["acknowledged"]);
  CHECK(s["excepted"] == 2);
  CHECK(s["expiring_soon"] == 1);
  CHECK(s["resolved"] == 1);
  CHECK(s["new"] == 2);                // new.txt: share-private and no-cards
  CHECK(s["not_fully_scanned"] == 1);  // the FIFO
  CHECK(s["items"] == 7);
  CHECK(rep["new"].size() == 2);
  CHECK(rep["still_open"].size() == 2);
  CHECK(rep["resolved"].size() == 1);
  CHECK(rep["resolved"][0]["path"] == site.root() + "/share/fixed.txt");
  REQUIRE(rep["excepted"].size() == 2);  // each once, the one ending soon marked and first
  CHECK(rep["excepted"][0]["expiring_soon"] == true);
  CHECK(rep["excepted"][0]["exception_reason"] == "inquiry 2291");
  CHECK(rep["excepted"][1]["expiring_soon"] == false);
  // Still open, oldest first, with their age.
  CHECK(rep["still_open"][0]["age_days"] == 20);
  // Coverage names the reason.
  REQUIRE(rep["coverage"].size() == 1);
  CHECK(rep["coverage"][0]["reason"] == "special file");
  CHECK(rep["coverage"][0]["examples"][0] == site.root() + "/feeds/feed.fifo");
  // Policies with their descriptions and references, as stored at scan time.
  bool found_policy = false;
  for (const json& p : rep["policies"]) {
    if (p["id"] != "share-private") continue;
    found_policy = true;
    CHECK(p["description"] == "Shared files are not readable by everyone");
    CHECK(p["references"] == json::array({"GDPR Art. 32", "site access rules"}));
  }
  CHECK(found_policy);
  // The week-by-week figures end with today's.
  REQUIRE(rep["weekly"].size() == 12);
  CHECK(rep["weekly"].back()["active"] == active);
  CHECK(rep["weekly"].back()["excepted"] == 2);
  // Masked samples only.
  bool masked = false;
  for (const json& f : rep["new"]) {
    for (const json& d : f["detections"]) masked |= d["masked"][0] == "**** **** **** 4444";
  }
  CHECK(masked);

  // CSV: the same content, one row per figure or finding.
  const auto rows = ParseCsv(ReadFile(site / "report.csv"));
  REQUIRE(rows.size() > 1);
  CHECK(rows[0][0] == "section");
  std::map<std::string, int> sections;
  std::map<std::string, std::string> figures;
  for (size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == rows[0].size());
    ++sections[rows[i][0]];
    if (rows[i][0] == "summary") figures[rows[i][16]] = rows[i][17];
  }
  CHECK(sections["new"] == 2);
  CHECK(sections["still_open"] == 2);
  CHECK(sections["resolved"] == 1);
  CHECK(sections["excepted"] == 2);
  CHECK(sections["expiring"] == 0);  // marked in the excepted rows instead
  CHECK(sections["coverage"] == 1);
  CHECK(sections["weekly"] == 48);  // active, excepted, new, resolved: 12 weeks
  CHECK(figures["active"] == std::to_string(active));
  CHECK(figures["new"] == "2");
  CHECK(figures["since"] == Iso(now - 7 * kDay));

  // HTML: one self-contained page with the same figures.
  const std::string html = ReadFile(site / "report.html");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(Figure(html, "fig-active") == active);
  CHECK(Figure(html, "fig-new") == 2);
  CHECK(Figure(html, "fig-resolved") == 1);
  CHECK(Figure(html, "fig-excepted") == 2);
  CHECK(Figure(html, "fig-expiring") == 1);
  CHECK(Figure(html, "fig-coverage") == 1);
  CHECK(Figure(html, "fig-items") == 7);
  CHECK(html.find("inquiry 2291") != std::string::npos);
  CHECK(html.find("Review period " + since) != std::string::npos);

  // --since takes a date too; a bad one is refused.
  auto r = site.Cli({"report", "--since", since, "--now", Iso(now), "--format", "json"});
  CHECK(r.exit_code == 0);
  CHECK(json::parse(r.out)["summary"]["new"] == 2);
  CHECK(site.Cli({"report", "--since", "lastweek"}).exit_code == 2);
}

TEST_CASE("inventory: the HTML report renders in a real browser") {
  if (!custos::test::HaveTool("chromium")) {
    CUSTOS_SKIP("chromium not installed (apt-get install chromium)");
  }
  Site site;
  const int64_t now = MakeReviewedSite(site);
  REQUIRE(site.Cli({"report", "--now", Iso(now), "-o", site / "report.html"}).exit_code == 0);
  REQUIRE(site.Cli({"report", "--now", Iso(now), "--format", "json", "-o", site / "report.json"})
              .exit_code == 0);
  const json rep = json::parse(ReadFile(site / "report.json"));
  TempDir profile;
  const std::vector<std::string> chromium = {"chromium",
                                             "--headless",
                                             "--no-sandbox",
                                             "--disable-gpu",
                                             "--disable-quic",
                                             "--no-first-run",
                                             "--disable-background-networking",
                                             "--disable-component-update",
                                             "--disable-sync",
                                             "--user-data-dir=" + profile.path(),
                                             "--window-size=1280,2000"};
  // The rendered DOM holds the inventory's figures.
  auto args = chromium;
  args.push_back("--dump-dom");
  args.push_back("file://" + site / "report.html");
  auto dom = custos::test::Run(args, 120);
  INFO(dom.err);
  REQUIRE(dom.exit_code == 0);
  CHECK(Figure(dom.out, "fig-active") == rep["summary"]["active"].get<int64_t>());
  CHECK(Figure(dom.out, "fig-new") == rep["summary"]["new"].get<int64_t>());
  CHECK(Figure(dom.out, "fig-resolved") == rep["summary"]["resolved"].get<int64_t>());
  CHECK(Figure(dom.out, "fig-excepted") == rep["summary"]["excepted"].get<int64_t>());
  CHECK(Figure(dom.out, "fig-expiring") == rep["summary"]["expiring_soon"].get<int64_t>());
  CHECK(dom.out.find("id=\"chart-weekly\"") != std::string::npos);
  CHECK(dom.out.find("id=\"tbl-new\" data-rows=\"2\"") != std::string::npos);
  // A screenshot, kept next to the test binary for people to look at.
  const std::string shot = std::filesystem::current_path() / "inventory-report.png";
  std::filesystem::remove(shot);
  args = chromium;
  args.push_back("--screenshot=" + shot);
  args.push_back("file://" + site / "report.html");
  auto png = custos::test::Run(args, 120);
  INFO(png.err);
  REQUIRE(png.exit_code == 0);
  const std::string bytes = ReadFile(shot);
  REQUIRE(bytes.size() > 20000);  // a real page, not a blank one
  CHECK(bytes.substr(1, 3) == "PNG");
  WARN("report screenshot: " << shot);
}

TEST_CASE("inventory: no raw value in the inventory file, its WAL, the reports or the review") {
  Site site;
  // The planted values of the leak test, in the forms a detector finds them.
  const std::vector<std::string> printed = {"4111 1111 1111 1111",  "DE89 3704 0044 0532 0130 00",
                                            "536-22-1234",          "john.doe@example.com",
                                            "AB 12 34 56 C",        "+44 20 7946 0958",
                                            "AKIAIOSFODNN7EXAMPLE", "756.1234.5678.97",
                                            "111.444.777-35"};
  std::string doc = "Staff vetting record\n";
  for (const std::string& p : printed) doc += "value: " + p + "\n";
  doc += "BSN: 111222333\n";
  doc +=
      "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<"
      "10\n";
  WriteFile(site / "srv/share/vetting.txt", doc);
  WriteFile(site / "srv/share/staff.csv", "name,card\nA,4111-1111-1111-1111\n");
  WriteFile(site / "srv/share/mail.eml",
            "From: hr@example.org\nTo: boss@example.org\nSubject: vetting\n"
            "Date: Mon, 02 Jan 2024 03:04:05 +0000\nContent-Type: text/plain\n\n" +
                doc);
  LetTheSecondPass();
  const int64_t t0 = custos::NowUnix();
  site.Scan(t0);
  // A second scan that rewrites every record while a reader holds the WAL open: its
  // frames stay in the -wal file for this test to read.
  for (const char* f : {"vetting.txt", "staff.csv", "mail.eml"}) {
    const std::string p = site / (std::string("srv/share/") + f);
    WriteFile(p, ReadFile(p) + "\n");
  }
  LetTheSecondPass();
  sqlite3* reader = nullptr;
  REQUIRE(sqlite3_open_v2(site.db().c_str(), &reader, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM items;", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  site.Scan(t0 + kDay);
  std::string stored =
      ReadFile(site.db()) + ReadFile(site.db() + "-wal") + ReadFile(site.db() + "-shm");
  const size_t wal_bytes = ReadFile(site.db() + "-wal").size();
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  INFO("WAL bytes: " << wal_bytes);
  CHECK(wal_bytes > 4096);
  CHECK(LastScan(site.db()) == "3/0/complete");

  std::string review;
  for (const char* f : {"html", "csv", "json"}) {
    auto r = site.Cli({"report", "--format", f, "-o", site / (std::string("report.") + f)});
    REQUIRE(r.exit_code == 0);
    review += ReadFile(site / (std::string("report.") + f)) + r.err;
  }
  for (const char* f : {"table", "json", "csv"}) {
    auto r = site.Cli({"findings", "list", "--all", "--format", f});
    REQUIRE(r.exit_code == 0);
    review += r.out + r.err;
  }
  auto show = site.Cli({"findings", "show", "1"});
  review += show.out + show.err;
  review += ReadFile(site / "out.jsonl");

  std::vector<std::string> forbidden = {"111222333", "ERIKSSON", "L898902C3", "john.doe"};
  for (const std::string& p : printed) {
    forbidden.push_back(p);
    std::string compact;
    for (char c : p) {
      if (c != ' ' && c != '-' && c != '.') compact += c;
    }
    forbidden.push_back(compact);
  }
  for (const std::string& f : forbidden) {
    INFO("raw value: " << f);
    CHECK(stored.find(f) == std::string::npos);
    CHECK(review.find(f) == std::string::npos);
  }
  // The HMAC key is not in the inventory.
  const std::string key = ReadFile(site / "state/hmac.key");
  REQUIRE(key.size() == 32);
  CHECK(stored.find(key) == std::string::npos);
  CHECK(stored.find(key.substr(0, 12)) == std::string::npos);
  // The scan did find the values (masked), so the test is not empty.
  CHECK(review.find("**** **** **** 1111") != std::string::npos);
  CHECK(review.find("passport_mrz") != std::string::npos);
  CHECK(Sql(site.db(), "SELECT count(*) FROM detections") != "0");
  CHECK(Sql(site.db(), "SELECT count(*) FROM detections WHERE length(hashes) > 0") != "0");
}
