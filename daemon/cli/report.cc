// `custos report`: the weekly review report (HTML, CSV or JSON) from the inventory.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "cli.h"
#include "command_line.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/inventory/store.h"
#include "custos/report/report.h"

namespace custos::cli {
namespace {

Status WriteAll(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
        std::fflush(stdout) != 0) {
      return Status::Io("writing the report failed");
    }
    return Status::Ok();
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno(path, errno);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno(path, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Status::FromErrno(path, errno);
  return Status::Ok();
}

// The defaults are the report's own.
struct ReportArgs {
  std::string db = inventory::kDefaultDbPath, since = "7d", format = "html", output, now;
  std::string title = report::ReportOptions().title;
  std::string expiring_days = std::to_string(report::ReportOptions().expiring_days);
  std::string weeks = std::to_string(report::ReportOptions().weeks);
};

std::optional<int> ParseDays(const std::string& opt, const std::string& v) {
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < 0 || n > 3650) {
    PrintError("option " + opt + ": '" + EscapeBytes(v, true) + "' is not a number of days/weeks");
    return std::nullopt;
  }
  return static_cast<int>(n);
}

int RunReport(const ReportArgs& a) {
  const std::string& db = a.db;
  const std::string& since_text = a.since;
  const std::string& format = a.format;
  const std::string& output = a.output;
  report::ReportOptions options;
  options.title = a.title;
  auto days = ParseDays("--expiring-days", a.expiring_days);
  auto weeks = ParseDays("--weeks", a.weeks);
  if (!days || !weeks) return kExitError;
  options.expiring_days = *days;
  options.weeks = *weeks;
  auto now = ParseNow(a.now);
  if (!now) return kExitError;
  options.now = *now;
  auto since = report::ParseSince(since_text, options.now);
  if (!since) {
    PrintError("--since: '" + EscapeBytes(since_text, true) + "' (7d, 2w, 1mo or YYYY-MM-DD)");
    return kExitError;
  }
  options.since = *since;

  auto store = inventory::OpenSqliteStore(db, {.create = false, .durable = true});
  if (!store.ok()) {
    PrintError("inventory: " + EscapeBytes(store.status().message(), true));
    return kExitError;
  }
  auto data = report::BuildReport(*store.value(), options, CUSTOS_VERSION);
  if (!data.ok()) {
    PrintError("inventory: " + EscapeBytes(data.status().message(), true));
    return kExitError;
  }
  const std::string text = format == "html"  ? report::RenderHtml(data.value())
                           : format == "csv" ? report::RenderCsv(data.value())
                                             : report::RenderJson(data.value());
  Status s = WriteAll(output, text);
  if (!s.ok()) {
    PrintError(EscapeBytes(s.message(), true));
    return kExitError;
  }
  return kExitClean;
}

}  // namespace

void AddReport(CommandLine& cl) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* app = cl.Add(nullptr, "report", "the weekly review report for data-protection officers",
                         [a] { return RunReport(*a); });
  cl.Value(app, "--db", &a->db, "PATH", "the inventory");
  cl.Value(app, "--since", &a->since, "WHEN",
           "start of the review period: 7d, 2w, 1mo, or YYYY-MM-DD");
  cl.Choice(app, "--format", &a->format, {"html", "csv", "json"},
            "html: one self-contained page; csv: one table with a section column; json");
  cl.Value(app, "-o,--output", &a->output, "FILE", "write the report to FILE (mode 0600)",
           "stdout");
  cl.Value(app, "--expiring-days", &a->expiring_days, "N",
           "exceptions ending within N days are \"expiring soon\"");
  cl.Value(app, "--weeks", &a->weeks, "N", "weeks in the week-by-week chart");
  cl.Value(app, "--title", &a->title, "TEXT", "the report's title");
  cl.Value(app, "--now", &a->now, "TIME", "report as of TIME (YYYY-MM-DD[THH:MM:SSZ])", "now");
  app->footer(
      "The report lists what is new since WHEN, what is still open (oldest first), what was "
      "resolved, which exceptions end soon, and the files that could not be fully scanned. "
      "Detected values appear as masked samples only. Expired exceptions reopen first.");
}

}  // namespace custos::cli
