// custosd: scheduled scans of the configured shares, the control socket of `custos
// status` / `custos scan-now`, Prometheus metrics. See custosd(8).
#include <fcntl.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "custos/base/escape.h"
#include "custos/service/log.h"
#include "custos/service/service.h"

namespace {

constexpr const char* kUsage =
    "usage: custosd [--config FILE] [--foreground] [--check]\n"
    "  --config FILE   configuration (default /etc/custos/custos.yaml)\n"
    "  --foreground    stay attached to the terminal and log to stderr (implied under\n"
    "                  systemd); otherwise fork into the background and log to syslog\n"
    "  --check         validate the configuration and its policy files, then exit\n"
    "                  (FILE:LINE:COL: message and exit 2 on error)\n"
    "  --version       print the version\n";

constexpr int kExitError = 2;

// "<N>" syslog priority prefix, which journald reads from a service's stderr.
class JournalPriority : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    int prio = 6;
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        prio = 7;
        break;
      case spdlog::level::info:
        prio = 6;
        break;
      case spdlog::level::warn:
        prio = 4;
        break;
      case spdlog::level::err:
        prio = 3;
        break;
      case spdlog::level::critical:
        prio = 2;
        break;
      default:
        break;
    }
    const char text[4] = {'<', static_cast<char>('0' + prio), '>', '\0'};
    dest.append(text, text + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriority>();
  }
};

void LogToStderr() {
  auto logger = std::make_shared<spdlog::logger>("custosd",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (std::getenv("JOURNAL_STREAM") != nullptr) {
    // journald adds the time and the unit; the prefix carries the priority.
    formatter->add_flag<JournalPriority>('*').set_pattern("%*[%n] %v");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%n] %l: %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void LogToSyslog() {
  auto logger = std::make_shared<spdlog::logger>(
      "custosd",
      std::make_shared<spdlog::sinks::syslog_sink_mt>("custosd", LOG_PID, LOG_DAEMON, true));
  logger->set_pattern("[%n] %v");
  spdlog::set_default_logger(logger);
}

// Forks into the background. The parent waits until the child is serving (exit 0) or
// has failed to start (exit 2), so that an init script sees start-up errors. Returns
// in the child with the write end of the readiness pipe in *ready_fd.
void Daemonize(int* ready_fd) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::perror("custosd: pipe");
    std::exit(kExitError);
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("custosd: fork");
    std::exit(kExitError);
  }
  if (pid > 0) {
    ::close(fds[1]);
    char c = 0;
    const ssize_t n = ::read(fds[0], &c, 1);
    std::_Exit(n == 1 ? 0 : kExitError);
  }
  ::close(fds[0]);
  ::setsid();
  if (::fork() > 0) std::_Exit(0);  // not a session leader: can never get a terminal
  if (::chdir("/") != 0) std::_Exit(kExitError);
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
  }
  *ready_fd = fds[1];
}

}  // namespace

int main(int argc, char** argv) {
  std::string config = "/etc/custos/custos.yaml";
  bool foreground = false, check = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      config = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      config = a.substr(9);
    } else if (a == "--foreground" || a == "-f") {
      foreground = true;
    } else if (a == "--check") {
      check = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--version") {
      std::puts("custosd " CUSTOS_VERSION);
      return 0;
    } else {
      std::fprintf(stderr, "custosd: unknown argument '%s'\n%s",
                   custos::EscapeBytes(a, true).c_str(), kUsage);
      return kExitError;
    }
  }
  // Reloads happen after the daemon left its start-up folder: keep the path absolute.
  if (char* resolved = ::realpath(config.c_str(), nullptr)) {
    config = resolved;
    std::free(resolved);
  }
  // Under systemd (Type=notify) the service never forks.
  if (std::getenv("NOTIFY_SOCKET") != nullptr) foreground = true;
  LogToStderr();

  std::vector<custos::config::Diagnostic> diags;
  auto snapshot = custos::config::LoadSnapshot(config, &diags);
  if (!snapshot.ok()) {
    for (const auto& d : diags) {
      std::fprintf(stderr, "%s\n", custos::EscapeBytes(d.ToString(), true).c_str());
    }
    if (diags.empty()) {
      std::fprintf(stderr, "custosd: %s\n",
                   custos::EscapeBytes(snapshot.status().message(), true).c_str());
    }
    return kExitError;
  }
  if (check) {
    const auto& s = *snapshot.value();
    std::printf("%s: ok (%zu roots, %zu policies)\n", custos::EscapeBytes(config, true).c_str(),
                s.config->roots.size(), s.policies ? s.policies->policy_count() : 0);
    return 0;
  }

  int ready_fd = -1;
  if (!foreground) {
    Daemonize(&ready_fd);
    LogToSyslog();
  }
  custos::service::SetLogLevel(snapshot.value()->config->log_level);
  custos::service::ServiceOptions options;
  options.config_path = config;
  options.make_store = [](const custos::config::DaemonConfig& c) {
    return custos::service::OpenInventoryStore(c.inventory, c.state_directory, c.node);
  };
  options.on_ready = [ready_fd] {
    if (ready_fd >= 0) {
      const char c = 1;
      (void)!::write(ready_fd, &c, 1);
      ::close(ready_fd);
    }
  };
  return custos::service::RunService(std::move(options), snapshot.value());
}
