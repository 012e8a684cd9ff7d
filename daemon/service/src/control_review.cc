// The review commands of the control socket: `custos findings list|show|ack|except|note`
// and `custos report` without --db. custosd runs the commands themselves
// (custos/review/review.h) on its own inventory, as the user at the other end of the
// socket, and answers with what they printed. On review_pool_, one at a time.
#include "custos/review/review.h"
#include "custos/service/log.h"
#include "daemon.h"

namespace custos::service::internal {
namespace {

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

void Daemon::Review(const Request& request, const Peer& peer, ControlServer::Respond respond) {
  auto refuse = [&](const std::string& message) { respond({ErrorResponse(message), false}); };
  std::optional<review::FindingsArgs> findings;
  std::optional<review::ReportArgs> report;
  std::string now;
  if (request.cmd == "report") {
    auto a = review::ReportArgsFromJson(request.args);
    if (!a.ok()) return refuse(a.status().message());
    report = std::move(a.value());
    now = report->now;
  } else {
    auto a = review::FindingsArgsFromJson(request.args);
    if (!a.ok()) return refuse(a.status().message());
    if (review::CommandName(*a) != request.cmd) {
      return refuse("bad request: 'sub' does not match the command");
    }
    findings = std::move(a.value());
    now = findings->now;
  }
  // A decision is dated by the daemon's clock, and a listing must not expire exceptions
  // ahead of time: moving in time is for an inventory opened directly.
  if (!now.empty()) {
    return refuse(request.cmd + ": --now needs --db (custosd works as of its own clock)");
  }
  const inventory::Actor by{peer.name, static_cast<int64_t>(peer.uid)};
  if (findings && !review::Reads(*findings)) {
    Log("control").info("{} by {} (uid {})", request.cmd, Shown(by.name), by.uid);
  }
  const ResultStore* store = store_.get();
  // A report names this host, the site and the roots of the config in force (and
  // --root NAME takes the names of those roots).
  report::ReportOptions::Origin origin;
  origin.host = report::HostName();
  origin.site = snapshot_->config->site;
  origin.node = snapshot_->config->node;
  for (const RootConfig& r : snapshot_->config->roots) origin.roots.emplace_back(r.name, r.path);
  asio::post(*review_pool_, [store, findings = std::move(findings), report = std::move(report), by,
                             origin = std::move(origin), respond = std::move(respond)] {
    const review::StoreOpener open = [store] { return store->OpenInventory(); };
    const review::Output o = findings ? review::RunFindings(*findings, open, by, origin)
                                      : review::RunReport(*report, open, origin);
    respond({Dump(review::ToJson(o)), false});
  });
}

}  // namespace custos::service::internal
