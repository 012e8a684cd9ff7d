// `custos report`: the weekly review report (HTML, CSV, JSON or PDF) from the inventory.
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
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
#include "custos/config/config.h"
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
  std::string output, config;
};

// Where a report made here is from: this host, and the site and roots of the config
// (--config, or the service's when it can be read). An explicit --config that cannot be
// loaded is an error; the default one is passed over with a warning.
std::optional<report::ReportOptions::Origin> OriginHere(const std::string& config_file) {
  report::ReportOptions::Origin origin;
  origin.host = report::HostName();
  const bool given = !config_file.empty();
  const std::string file = given ? config_file : "/etc/custos/custos.yaml";
  if (!given && ::access(file.c_str(), F_OK) != 0) return origin;
  std::vector<config::Diagnostic> diags;
  auto cfg = config::LoadConfigFile(file, &diags);
  if (!cfg.ok()) {
    const std::string why = diags.empty() ? cfg.status().message() : diags.front().ToString();
    if (given) {
      PrintError("--config: " + EscapeBytes(why, true));
      return std::nullopt;
    }
    std::fprintf(stderr, "custos: warning: report without site and root names: %s\n",
                 EscapeBytes(why, true).c_str());
    return origin;
  }
  origin.site = (*cfg)->site;
  origin.node = (*cfg)->node;
  for (const config::RootConfig& r : (*cfg)->roots) {
    char resolved[PATH_MAX];  // a scan with --config records the root resolved
    const bool ok = ::realpath(r.path.c_str(), resolved) != nullptr;
    origin.roots.emplace_back(r.name, ok ? std::string(resolved) : r.path);
  }
  return origin;
}

int RunReport(const ReportArgs& a) {
  // A PDF is the HTML page printed here, by the user who asked (never by custosd).
  const bool pdf = a.args.format == "pdf";
  if (pdf && (a.output.empty() || a.output == "-")) {
    PrintError("--format pdf needs -o FILE");
    return kExitError;
  }
  review::ReportArgs args = a.args;
  if (pdf) args.format = "html";
  bool origin_failed = false;
  auto o =
      RunReview(a.target, "report", review::ToJson(args), [&](const review::StoreOpener& open) {
        auto origin = OriginHere(a.config);
        if (!origin) {
          origin_failed = true;
          return review::Output{kExitError, {}, {}};
        }
        return review::RunReport(args, open, *origin);
      });
  if (!o || origin_failed) return kExitError;
  if (o->exit_code != kExitClean) return Emit(*o);
  if (pdf) {
    auto printed = report::RenderPdf(o->out);
    if (!printed.ok()) {
      PrintError(EscapeBytes(printed.status().message(), true));
      return kExitError;
    }
    o->out = std::move(printed.value());
  }
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
  cl.Choice(app, "--format", &args.format, {"html", "csv", "json", "pdf"},
            "html: one self-contained page; csv: one table with a section column; json; pdf: "
            "the page printed by a headless Chromium (needs -o FILE)");
  cl.Value(app, "-o,--output", &a->output, "FILE", "write the report to FILE (mode 0600)",
           "stdout");
  cl.Value(app, "--expiring-days", &args.expiring_days, "N",
           "exceptions ending within N days are \"expiring soon\"");
  cl.Value(app, "--weeks", &args.weeks, "N", "weeks in the week-by-week chart");
  cl.Value(app, "--title", &args.title, "TEXT", "the report's title");
  cl.Repeated(app, "--node", &args.nodes, "NAME",
              "only this node's findings, scans and roots (a fleet inventory)");
  cl.Repeated(app, "--root", &args.roots, "PATH|NAME",
              "only findings of files under this root (an absolute path, or a root's name)");
  cl.Value(app, "--config", &a->config, "FILE",
           "custos.yaml naming the site and the roots (with --db; custosd uses its own)",
           "/etc/custos/custos.yaml");
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
