// `custos report`: the weekly review report (HTML, CSV or JSON) from the inventory.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/inventory/store.h"
#include "custos/report/report.h"

namespace custos::cli {
namespace {

constexpr const char* kReportHelp =
    "usage: custos report [--db PATH] [--since 7d|DATE] [--format html|csv|json] [-o FILE]\n"
    "  --db PATH           the inventory (default /var/lib/custos/inventory.db)\n"
    "  --since WHEN        start of the review period: 7d (default), 2w, 1mo, or YYYY-MM-DD\n"
    "  --format FMT        html (default; one self-contained page), csv or json\n"
    "  -o, --output FILE   write the report to FILE (created with mode 0600; default stdout)\n"
    "  --expiring-days N   exceptions ending within N days are \"expiring soon\" (default 14)\n"
    "  --weeks N           weeks in the week-by-week chart (default 12)\n"
    "  --title TEXT        the report's title\n"
    "  --now TIME          report as of TIME (YYYY-MM-DD[THH:MM:SSZ]; default: now)\n"
    "\n"
    "The report lists what is new since WHEN, what is still open (oldest first), what was\n"
    "resolved, which exceptions end soon, and the files that could not be fully scanned.\n"
    "Detected values appear as masked samples only. Expired exceptions reopen first.\n";

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

}  // namespace

int ReportCommand(const Args& args) {
  std::string db = inventory::kDefaultDbPath, since_text = "7d", format = "html", output;
  report::ReportOptions options;
  int64_t now = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kReportHelp, stdout);
      return kExitClean;
    }
    if (a != "--db" && a != "--since" && a != "--format" && a != "-o" && a != "--output" &&
        a != "--now" && a != "--title" && a != "--expiring-days" && a != "--weeks") {
      PrintError("report: unknown argument '" + EscapeBytes(a, true) +
                 "' (see custos help report)");
      return kExitError;
    }
    if (i + 1 >= args.size()) {
      PrintError("option " + a + " needs a value");
      return kExitError;
    }
    const std::string& v = args[++i];
    if (a == "--db") {
      db = v;
    } else if (a == "--since") {
      since_text = v;
    } else if (a == "--format") {
      if (v != "html" && v != "csv" && v != "json") {
        PrintError("--format: '" + EscapeBytes(v, true) + "' (html, csv or json)");
        return kExitError;
      }
      format = v;
    } else if (a == "-o" || a == "--output") {
      output = v;
    } else if (a == "--title") {
      options.title = v;
    } else if (a == "--now") {
      auto t = ParseIso8601(v);
      if (!t) {
        PrintError("--now: '" + EscapeBytes(v, true) + "' is not YYYY-MM-DD[THH:MM:SSZ]");
        return kExitError;
      }
      now = *t;
    } else {
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 0 || n > 3650) {
        PrintError("option " + a + ": '" + EscapeBytes(v, true) +
                   "' is not a number of days/weeks");
        return kExitError;
      }
      (a == "--weeks" ? options.weeks : options.expiring_days) = static_cast<int>(n);
    }
  }
  options.now = now ? now : NowUnix();
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

}  // namespace custos::cli
