#include "support/support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace custos::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/custos-test-XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  REQUIRE(p != nullptr);
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  // Restore permissions so that a test that removed them can still be cleaned up.
  for (auto it = fs::recursive_directory_iterator(
           path_, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0755);
  }
  ::chmod(path_.c_str(), 0755);
  fs::remove_all(path_, ec);
}

std::string TempDir::operator/(std::string_view rel) const {
  return path_ + "/" + std::string(rel);
}

void WriteFile(const std::string& path, std::string_view bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  REQUIRE(f.good());
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  REQUIRE(f.good());
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void SetMtime(const std::string& path, int64_t unix_seconds) {
  struct timespec ts[2];
  ts[0].tv_sec = ts[1].tv_sec = unix_seconds;
  ts[0].tv_nsec = ts[1].tv_nsec = 0;
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW) == 0);
}

ProcessResult Run(const std::vector<std::string>& argv, int timeout_s) {
  char out_tmpl[] = "/tmp/custos-out-XXXXXX";
  char err_tmpl[] = "/tmp/custos-err-XXXXXX";
  const int out_fd = ::mkstemp(out_tmpl);
  const int err_fd = ::mkstemp(err_tmpl);
  REQUIRE(out_fd >= 0);
  REQUIRE(err_fd >= 0);
  ::unlink(out_tmpl);
  ::unlink(err_tmpl);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ProcessResult r;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (true) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (status == -1) {
    r.exit_code = -1;
  } else if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.exit_code = 128 + WTERMSIG(status);
  }
  auto slurp = [](int fd) {
    std::string s;
    ::lseek(fd, 0, SEEK_SET);
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return s;
  };
  r.out = slurp(out_fd);
  r.err = slurp(err_fd);
  return r;
}

ProcessResult RunCustos(const std::vector<std::string>& args, int timeout_s) {
  std::vector<std::string> argv = {CustosBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, timeout_s);
}

bool HaveTool(const std::string& tool) {
  return Run({"sh", "-c", "command -v " + tool + " >/dev/null"}).exit_code == 0;
}

void ExitIfSkipCode(std::string_view why) {
  const char* code = std::getenv("CUSTOS_TEST_SKIP_CODE");
  if (code == nullptr || *code == '\0') return;
  std::printf("SKIPPED: %.*s\n", static_cast<int>(why.size()), why.data());
  std::fflush(stdout);
  std::_Exit(std::atoi(code));
}

std::string CustosBinary() { return CUSTOS_BINARY; }
std::string SourceDir() { return CUSTOS_SOURCE_DIR; }

}  // namespace custos::test
