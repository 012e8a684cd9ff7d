// Permission denied, seen by an unprivileged user. The tests run as root, which reads
// everything, so the walk runs in a child process that has become nobody (65534) and
// reports what it saw through a pipe.
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crawl/crawl_helpers.h"
#include "custos/crawl/walker.h"
#include "support/support.h"

namespace custos::crawl {
namespace {

using custos::test::TempDir;
using custos::test::WriteFile;

constexpr uid_t kNobody = 65534;

struct ChildReport {
  int exit_code = -1;
  std::string uid_line;
  std::string status_line;
  std::vector<std::string> lines;  // sorted "PATH -> OUTCOME"
};

void WriteAllTo(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// Runs Walk(root) and OpenEntry on every entry as `nobody` in a child process. Every
// entry gives "PATH -> REASON" (skipped by the walk), "PATH -> open: MESSAGE" (OpenEntry
// failed) or "PATH -> ok".
ChildReport WalkAsNobody(const std::string& root) {
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child: no Catch2 macros from here on, leave with _exit.
    ::close(pipefd[0]);
    const int out = pipefd[1];
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
      WriteAllTo(out, "could not drop privileges\n");
      ::_exit(3);
    }
    std::ostringstream report;
    report << "uid " << ::getuid() << " " << ::geteuid() << "\n";
    std::vector<std::string> lines;
    const Status s = Walk(
        root, {},
        [&lines](Entry&& e) {
          std::string line = e.path + " -> ";
          if (!e.skipped.empty()) {
            line += e.skipped.Text();
          } else {
            Result<UniqueFd> fd = OpenEntry(e, nullptr);
            line += fd.ok() ? "ok" : "open: " + fd.status().message();
          }
          lines.push_back(std::move(line));
          return true;
        },
        nullptr);
    report << "status " << (s.ok() ? "ok" : s.message()) << "\n";
    for (const std::string& l : lines) report << l << "\n";
    WriteAllTo(out, report.str());
    ::close(out);
    ::_exit(0);
  }
  ::close(pipefd[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  int wstatus = 0;
  REQUIRE(::waitpid(pid, &wstatus, 0) == pid);

  ChildReport r;
  r.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("uid ", 0) == 0) {
      r.uid_line = line;
    } else if (line.rfind("status ", 0) == 0) {
      r.status_line = line;
    } else {
      r.lines.push_back(line);
    }
  }
  std::sort(r.lines.begin(), r.lines.end());
  INFO(text);
  REQUIRE(r.exit_code == 0);
  return r;
}

TEST_CASE("permission denied on folders and files is skipped and the walk goes on",
          "[walker][permissions]") {
  TempDir tmp;
  const std::string root = tmp.path();
  REQUIRE(::chmod(root.c_str(), 0755) == 0);  // mkdtemp makes it 0700
  WriteFile(tmp / "open.txt", "o");
  WriteFile(tmp / "secret.txt", "s");
  REQUIRE(::chmod((tmp / "secret.txt").c_str(), 0600) == 0);
  WriteFile(tmp / "closed/inner.txt", "i");
  REQUIRE(::chmod((tmp / "closed").c_str(), 0700) == 0);
  WriteFile(tmp / "listonly/f.txt", "f");  // names readable, inodes not reachable
  REQUIRE(::chmod((tmp / "listonly").c_str(), 0744) == 0);
  WriteFile(tmp / "traverse/g.txt", "g");  // reachable, not listable
  REQUIRE(::chmod((tmp / "traverse").c_str(), 0711) == 0);
  WriteFile(tmp / "after/ok.txt", "k");
  for (const char* rel :
       {"open.txt", "closed/inner.txt", "listonly/f.txt", "traverse/g.txt", "after/ok.txt"}) {
    REQUIRE(::chmod((tmp / rel).c_str(), 0644) == 0);
  }
  REQUIRE(::chmod((tmp / "after").c_str(), 0755) == 0);

  const ChildReport r = WalkAsNobody(root);
  CHECK(r.uid_line == "uid 65534 65534");
  CHECK(r.status_line == "status ok");
  const std::vector<std::string> expected = {
      root + "/after/ok.txt -> ok",
      root + "/closed -> permission denied",
      root + "/listonly/f.txt -> permission denied",
      root + "/open.txt -> ok",
      root + "/secret.txt -> open: permission denied",
      root + "/traverse -> permission denied",
  };
  CHECK(r.lines == expected);
}

TEST_CASE("a root the user cannot open is an error", "[walker][permissions]") {
  TempDir tmp;
  REQUIRE(::chmod(tmp.path().c_str(), 0755) == 0);
  WriteFile(tmp / "locked/x.txt", "x");
  REQUIRE(::chmod((tmp / "locked").c_str(), 0700) == 0);

  const ChildReport r = WalkAsNobody(tmp / "locked");
  CHECK(r.uid_line == "uid 65534 65534");
  CHECK(r.status_line == "status " + (tmp / "locked") + ": Permission denied");
  CHECK(r.lines.empty());
}

}  // namespace
}  // namespace custos::crawl
