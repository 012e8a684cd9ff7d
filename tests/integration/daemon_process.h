// A real custosd for the integration tests: a process on a config in a temporary
// folder, its control socket and loopback HTTP port, and the helpers that talk to them.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/support.h"

namespace custos::test {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// A tree of `files` text files, every third one holding a card number.
inline void MakeTree(const std::string& root, int files) {
  for (int i = 0; i < files; ++i) {
    std::string body = "record " + std::to_string(i) + "\n";
    if (i % 3 == 0) body += "card 4111 1111 1111 1111 on file\n";
    WriteFile(root + "/d" + std::to_string(i % 7) + "/f" + std::to_string(i) + ".txt", body);
  }
}

// Polls `done` every 100 ms for at most `seconds`.
inline bool WaitFor(const std::function<bool()>& done, double seconds) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

// A custosd process on a config in a temporary folder.
class Daemon {
 public:
  // Writes the config (`roots_yaml` goes under "roots:", `extra` is appended) and starts
  // custosd --foreground. Its log goes to dir/custosd.log.
  Daemon(const TempDir& dir, const std::string& roots_yaml, const std::string& extra = "",
         std::vector<std::pair<std::string, std::string>> env = {})
      : dir_(dir), env_(std::move(env)) {
    socket_ = dir / "custos.sock";
    config_ = dir / "custos.yaml";
    WriteFile(config_, "roots:\n" + roots_yaml + "policies: [policy.yaml]\nstate_directory: " +
                           (dir / "state") + "\ncontrol:\n  socket: " + socket_ +
                           "\n  request_timeout: 2s\nmetrics:\n  listen: 127.0.0.1:0\n"
                           "scan:\n  splay: 0s\n  threads: 2\n" +
                           extra);
    Start();
  }
  ~Daemon() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  void Start() {
    const std::string log = dir_ / "custosd.log";
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      const int null_fd = ::open("/dev/null", O_RDONLY);
      ::dup2(null_fd, 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::unsetenv("NOTIFY_SOCKET");
      for (const auto& [k, v] : env_) ::setenv(k.c_str(), v.c_str(), 1);
      ::execl(CUSTOSD_BINARY, CUSTOSD_BINARY, "--config", config_.c_str(), "--foreground",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const bool up = WaitFor(
        [&] {
          int status = 0;
          if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return true;  // died: reported below
          }
          return Custos({"status", "--json"}).exit_code == 0;
        },
        60);
    INFO(Log());
    REQUIRE(up);
    REQUIRE(pid_ > 0);
  }

  // Sends `signo` and waits at most `timeout_s` for the exit. Returns the exit code
  // (-1 when it did not exit in time) and the seconds it took.
  std::pair<int, double> Stop(int signo, double timeout_s) {
    const auto start = Clock::now();
    ::kill(pid_, signo);
    int status = 0;
    int code = -1;
    WaitFor(
        [&] {
          if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
          code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          return true;
        },
        timeout_s);
    if (code != -1) pid_ = -1;
    return {code, std::chrono::duration<double>(Clock::now() - start).count()};
  }

  bool Alive() const { return pid_ > 0 && ::kill(pid_, 0) == 0; }
  pid_t pid() const { return pid_; }
  const std::string& socket() const { return socket_; }
  const std::string& config() const { return config_; }
  std::string Log() const { return custos::test::ReadFile(dir_ / "custosd.log"); }

  custos::test::ProcessResult Custos(std::vector<std::string> args, int timeout_s = 120) const {
    args.push_back("--socket");
    args.push_back(socket_);
    return RunCustos(args, timeout_s);
  }
  json Status() const {
    auto r = Custos({"status", "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
  }
  // Waits at most `timeout_s` for the last run of root `name` to have `result`;
  // returns that run.
  json WaitForLastRun(const std::string& name, const std::string& result, double timeout_s) const {
    json last;
    REQUIRE(WaitFor(
        [&] {
          last = Root(name)["last_run"];
          return last["result"] == result;
        },
        timeout_s));
    return last;
  }
  json Root(const std::string& name) const {
    const json s = Status();
    for (const json& r : s["roots"]) {
      if (r["name"] == name) return r;
    }
    FAIL("no root " << name);
    return {};
  }

 private:
  const TempDir& dir_;
  std::vector<std::pair<std::string, std::string>> env_;
  std::string socket_;
  std::string config_;
  pid_t pid_ = -1;
};

// GET http://127.0.0.1:PORT/PATH; returns (status line, body).
inline std::pair<std::string, std::string> HttpGet(const std::string& endpoint,
                                                   const std::string& path) {
  const size_t colon = endpoint.rfind(':');
  const int port = std::stoi(endpoint.substr(colon + 1));
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  struct sockaddr_in addr {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string req =
      "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
  std::string resp;
  char buf[65536];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) resp.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const size_t eol = resp.find("\r\n");
  const size_t body = resp.find("\r\n\r\n");
  REQUIRE(body != std::string::npos);
  return {resp.substr(0, eol), resp.substr(body + 4)};
}

// Parses Prometheus text with the reference parser (python3-prometheus-client) and
// returns "name{labels}" -> value for every sample.
inline std::map<std::string, double> ParsePrometheus(const TempDir& dir, const std::string& text) {
  WriteFile(dir / "metrics.txt", text);
  const char* script =
      "import sys, prometheus_client.parser as p\n"
      "for fam in p.text_string_to_metric_families(open(sys.argv[1]).read()):\n"
      "  for s in fam.samples:\n"
      "    labels = ','.join('%s=%s' % kv for kv in sorted(s.labels.items()))\n"
      "    print('%s{%s} %r' % (s.name, labels, s.value))\n";
  auto r = Run({"/usr/bin/python3", "-c", script, dir / "metrics.txt"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);  // parse errors raise: the text is not valid
  std::map<std::string, double> out;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    const size_t sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

}  // namespace custos::test
