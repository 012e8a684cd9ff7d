// The report as PDF: the HTML page printed by a headless Chromium, run as a child with
// a profile of its own in a private temporary folder (mode 0700) that is removed after.
// Nothing is fetched: the page is self-contained and the browser's background
// networking, updates and sync are off.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "custos/report/report.h"

namespace custos::report {
namespace {

// A private temporary folder, removed with what it holds.
class TempFolder {
 public:
  TempFolder() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/custos-report-XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Status WriteNew(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::Io("writing " + path + " failed");
  ::chmod(path.c_str(), 0600);
  return Status::Ok();
}

// Runs argv with stdin, stdout and stderr on /dev/null; its exit status, or -1 when it
// could not be started or was killed after `timeout_seconds`.
int RunQuietly(const std::vector<std::string>& argv, int timeout_seconds) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::setpgid(0, 0);  // its own group: the browser's helpers end with it
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(-pid, SIGKILL);  // helpers left behind, if any
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::string FindChromium() {
  const char* env = std::getenv("PATH");
  std::istringstream dirs(env && *env ? env : "/usr/local/bin:/usr/bin:/bin");
  std::vector<std::string> folders;
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty()) folders.push_back(dir);
  }
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    for (const std::string& dir : folders) {
      const std::string path = dir + "/" + name;
      if (::access(path.c_str(), X_OK) == 0) return path;
    }
  }
  return {};
}

Result<std::string> RenderPdf(const std::string& html, int timeout_seconds) {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    return Status::Invalid(
        "--format pdf needs Chromium to print the report, and none was found in PATH "
        "(apt-get install chromium); --format html writes the same report as a page");
  }
  TempFolder tmp;
  if (tmp.path().empty()) return Status::FromErrno("a temporary folder for the PDF", errno);
  const std::string page = tmp.path() + "/report.html", pdf = tmp.path() + "/report.pdf";
  Status s = WriteNew(page, html);
  if (!s.ok()) return s;
  const int rc = RunQuietly(
      {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--disable-extensions", "--no-pdf-header-footer",
       "--user-data-dir=" + tmp.path() + "/profile", "--print-to-pdf=" + pdf, "file://" + page},
      timeout_seconds);
  std::ifstream in(pdf, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string out = bytes.str();
  if (rc != 0 || out.rfind("%PDF", 0) != 0) {
    return Status::Io(
        chromium + " could not print the report to PDF (" +
        (rc < 0 ? std::string("killed or not started") : "exit status " + std::to_string(rc)) +
        ")");
  }
  return out;
}

}  // namespace custos::report
