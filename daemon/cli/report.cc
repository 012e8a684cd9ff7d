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
#include "control_client.h"
#include "custos/base/escape.h"
#include "custos/report/report.h"
#include "custos/review/review.h"

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

struct ReportArgs {
  review::ReportArgs args;
  ReviewTarget target;
  std::string output;
};

int RunReport(const ReportArgs& a) {
  const review::ReportArgs& args = a.args;
  auto o =
      RunReview(a.target, "report", review::ToJson(args),
                [&args](const review::StoreOpener& open) { return review::RunReport(args, open); });
  if (!o) return kExitError;
  if (o->exit_code != kExitClean) return Emit(*o);
  Status s = WriteAll(a.output, o->out);
  std::fwrite(o->err.data(), 1, o->err.size(), stderr);
  if (!s.ok()) {
    PrintError(EscapeBytes(s.message(), true));
    return kExitError;
  }
  return kExitClean;
}

}  // namespace

void AddReport(CommandLine& cl) {
  auto a = std::make_shared<ReportArgs>();
  review::ReportArgs& args = a->args;
  args.title = report::ReportOptions().title;
  args.expiring_days = std::to_string(report::ReportOptions().expiring_days);
  args.weeks = std::to_string(report::ReportOptions().weeks);
  CLI::App* app = cl.Add(nullptr, "report", "the weekly review report for data-protection officers",
                         [a] { return RunReport(*a); });
  AddReviewTarget(cl, app, &a->target);
  cl.Value(app, "--since", &args.since, "WHEN",
           "start of the review period: 7d, 2w, 1mo, or YYYY-MM-DD");
  cl.Choice(app, "--format", &args.format, {"html", "csv", "json"},
            "html: one self-contained page; csv: one table with a section column; json");
  cl.Value(app, "-o,--output", &a->output, "FILE", "write the report to FILE (mode 0600)",
           "stdout");
  cl.Value(app, "--expiring-days", &args.expiring_days, "N",
           "exceptions ending within N days are \"expiring soon\"");
  cl.Value(app, "--weeks", &args.weeks, "N", "weeks in the week-by-week chart");
  cl.Value(app, "--title", &args.title, "TEXT", "the report's title");
  cl.Value(app, "--now", &args.now, "TIME",
           "report as of TIME (YYYY-MM-DD[THH:MM:SSZ]; with --db only)", "now");
  app->footer(
      "The report lists what is new since WHEN, what is still open (oldest first), what was "
      "resolved, which exceptions end soon, and the files that could not be fully scanned. "
      "Detected values appear as masked samples only. Expired exceptions reopen first. "
      "Without --db the running custosd builds it (members of group custos-review may ask); "
      "-o FILE is written by this command, as the user running it.");
}

}  // namespace custos::cli
