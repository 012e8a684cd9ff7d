// What the daemon answers: control socket requests (status, scan-now, reload,
// findings) and the HTTP endpoint (/metrics, /healthz). On the io thread.
#include <unistd.h>

#include "custos/service/log.h"
#include "daemon.h"

namespace custos::service::internal {

void Daemon::OnControl(const std::string& line, const Peer& peer, ControlServer::Respond respond) {
  auto request = ParseRequest(line);
  if (!request.ok()) {
    // Not even a request: answer once and hang up.
    const bool not_json = request.status().message().find("not a JSON") != std::string::npos;
    return respond({ErrorResponse(request.status().message()), not_json});
  }
  metrics_.Add("custos_control_requests_total", {{"cmd", request->cmd}});
  Log("control").debug("{} from uid {} pid {}", request->cmd, peer.uid, peer.pid);
  // Reading findings and reports and deciding is the reviewers'; the rest operates
  // the service. The groups are the ones custosd started with.
  const bool review = IsReviewCommand(request->cmd) || request->cmd == "findings";
  if (!(review ? peer.reviews : peer.operates)) {
    const ControlConfig& control = boot_config_->control;
    const std::string& group = review ? control.review_group : control.group;
    Log("control").info("refused {} to {} (uid {}): not in group {}", request->cmd,
                        Shown(peer.name), peer.uid, Shown(group));
    // A peer with no rights at all gets no second request on this connection.
    ControlServer::Reply reply{ErrorResponse(request->cmd + " needs membership of group " + group),
                               !peer.reviews && !peer.operates, "permission"};
    return respond(std::move(reply));
  }
  if (IsReviewCommand(request->cmd)) return Review(*request, peer, std::move(respond));
  json response;
  if (request->cmd == "status") {
    response = StatusJson();
  } else if (request->cmd == "scan-now") {
    response = ScanNow(*request);
  } else if (request->cmd == "reload") {
    Status s = Reload("control request");
    response = s.ok() ? json{{"ok", true}} : json{{"ok", false}, {"error", s.message()}};
  } else if (request->cmd == "findings") {
    response = Findings(*request);
  }
  respond({response.dump(-1, ' ', false, json::error_handler_t::replace), false});
}

json Daemon::StatusJson() {
  const DaemonConfig& cfg = *snapshot_->config;
  const int64_t now = NowUnix();
  const bool window_open = InWindows(cfg.throttle.windows, now, cfg.zone);
  json roots = json::array();
  for (const std::string& name : order_) {
    const RootRuntime& rt = roots_[name];
    json r = {{"name", name},
              {"path", Shown(rt.config.path)},
              {"schedule", Shown(rt.config.schedule.text())},
              {"next_run", IsoOrNull(rt.next_run.value_or(0))}};
    std::string state = "idle";
    if (rt.running) {
      state = "running";
    } else if (rt.queued) {
      state = !inventory_.up                        ? "waiting for the inventory"
              : (!rt.queued_manual && !window_open) ? "waiting for scan window"
                                                    : "queued";
    }
    r["state"] = state;
    if (rt.running) {
      const auto& run = *rt.running;
      r["running"] = {{"run", run.info.id},
                      {"trigger", run.info.trigger},
                      {"started", Iso(run.info.started)},
                      {"items", run.items.load()},
                      {"bytes", run.bytes.load()},
                      {"violations", run.violations.load()},
                      {"stopping", run.cancel.load()}};
    }
    if (rt.state.result.empty()) {
      r["last_run"] = nullptr;
    } else {
      const RootState& s = rt.state;
      r["last_run"] = {{"run", s.run_id},
                       {"trigger", s.trigger},
                       {"started", Iso(s.last_start)},
                       {"finished", Iso(s.last_end)},
                       {"result", s.result},
                       {"items", s.items},
                       {"read", s.items_read},
                       {"reused", s.items_reused},
                       {"bytes", s.bytes},
                       {"violations", s.violations},
                       {"seconds", s.seconds},
                       {"error", s.error}};
    }
    roots.push_back(std::move(r));
  }
  const InventoryFigures inv = store_->Figures();
  CheckInventory();  // the figures may have found the database gone
  json by_policy = json::array();
  for (const auto& [key, n] : inv.findings_by_policy) {
    by_policy.push_back({{"policy", key.first}, {"severity", key.second}, {"count", n}});
  }
  json inventory = {{"store", Shown(inv.store)},
                    {"items", inv.items},
                    {"bytes", inv.bytes},
                    {"findings", inv.findings},
                    {"findings_by_policy", by_policy}};
  inventory.update(InventoryHealthJson());
  json queue = json::array();
  for (const std::string& q : queue_) queue.push_back(q);
  json policy_files = json::array();
  for (const std::string& p : cfg.policies) policy_files.push_back(Shown(p));
  return {
      {"ok", true},
      {"version", CUSTOS_VERSION},
      {"pid", ::getpid()},
      {"started", Iso(started_)},
      {"config", Shown(options_.config_path)},
      {"policies",
       {{"files", policy_files},
        {"count", snapshot_->policies ? snapshot_->policies->policy_count() : 0}}},
      {"reload", {{"last", Iso(last_reload_)}, {"error", last_reload_error_}}},
      {"metrics", http_ ? json(http_->endpoint()) : json(nullptr)},
      {"window_open", window_open},
      {"stopping", stopping_},
      {"queue", queue},
      {"roots", roots},
      {"inventory", inventory},
  };
}

json Daemon::ScanNow(const Request& request) {
  if (stopping_) return {{"ok", false}, {"error", "custosd is stopping"}};
  std::vector<RootRuntime*> targets;
  if (request.root.empty()) {
    for (const std::string& name : order_) targets.push_back(&roots_[name]);
    if (targets.empty()) return {{"ok", false}, {"error", "no roots configured"}};
  } else if (RootRuntime* rt = FindRoot(request.root)) {
    targets.push_back(rt);
  } else {
    std::string known;
    for (const std::string& name : order_) known += (known.empty() ? "" : ", ") + name;
    return {{"ok", false},
            {"error", "unknown root '" + Shown(request.root) +
                          "' (configured: " + (known.empty() ? "none" : known) + ")"}};
  }
  json runs = json::array();
  for (RootRuntime* rt : targets) {
    const std::string what = Trigger(*rt, "manual", true);
    Log("scheduler").info("root {}: scan-now: {}", rt->config.name, what);
    if (what == "queued") NoteDeferred(*rt, "manual");
    runs.push_back({{"root", rt->config.name}, {"state", what}});
  }
  if (!inventory_.up && !inventory_.connecting) {
    // Someone wants a run now: try the inventory now rather than at the next back-off.
    retry_.cancel();
    TryReconnect();
  }
  Dispatch();
  // Report the run ids now that queued runs may have started.
  for (json& r : runs) {
    const RootRuntime& rt = roots_[r["root"].get<std::string>()];
    r["run"] = rt.running ? json(rt.running->info.id) : json(nullptr);
    r["after_run"] = rt.state.run_id;  // a run later than this one answers the request
  }
  UpdateStatus();
  json answer = {{"ok", true}, {"runs", runs}};
  if (!inventory_.up) answer["waiting"] = "the inventory is unavailable: " + inventory_.error;
  return answer;
}

json Daemon::Findings(const Request& request) {
  FindingsQuery q;
  q.policy = request.policy;
  q.severity = request.severity;
  q.limit = request.limit;
  auto found = store_->Findings(q);
  if (!found.ok()) return {{"ok", false}, {"error", found.status().message()}};
  json list = json::array();
  for (const FindingRecord& f : *found) {
    list.push_back({{"id", f.id},
                    {"path", Shown(f.path)},
                    {"policy", f.policy},
                    {"kind", f.kind},
                    {"severity", f.severity},
                    {"reason", Shown(f.reason)},
                    {"first_seen", Iso(f.first_seen)},
                    {"last_seen", Iso(f.last_seen)}});
  }
  return {{"ok", true}, {"findings", list}};
}

HttpServer::Response Daemon::OnHttp(const std::string& target) {
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/metrics") {
    metrics_.Add("custos_http_requests_total", {{"path", "/metrics"}});
    return {200, "text/plain; version=0.0.4; charset=utf-8", RenderMetrics()};
  }
  if (path == "/healthz") {
    metrics_.Add("custos_http_requests_total", {{"path", "/healthz"}});
    if (stopping_) return {503, "text/plain; charset=utf-8", "stopping\n"};
    // The daemon is alive and serving; runs wait for an unavailable inventory (a
    // restart would not bring the database back: see custos_inventory_up).
    if (!inventory_.up) return {200, "text/plain; charset=utf-8", "ok; inventory unavailable\n"};
    return {200, "text/plain; charset=utf-8", "ok\n"};
  }
  metrics_.Add("custos_http_requests_total", {{"path", "other"}});
  return {404, "text/plain; charset=utf-8", "not found (try /metrics or /healthz)\n"};
}

std::string Daemon::RenderMetrics() {
  // Gauges that describe the present are recomputed on every scrape.
  metrics_.Set("custos_scans_running", {}, static_cast<double>(running_.size()));
  metrics_.Set("custos_scan_queue_depth", {}, static_cast<double>(queue_.size()));
  metrics_.Clear("custos_scan_progress_items");
  metrics_.Clear("custos_scan_next_run_timestamp_seconds");
  for (const std::string& name : order_) {
    const RootRuntime& rt = roots_[name];
    if (rt.running) {
      metrics_.Set("custos_scan_progress_items", {{"root", name}},
                   static_cast<double>(rt.running->items.load()));
    }
    if (rt.next_run) {
      metrics_.Set("custos_scan_next_run_timestamp_seconds", {{"root", name}},
                   static_cast<double>(*rt.next_run));
    }
  }
  metrics_.Set("custos_policies_loaded", {},
               snapshot_->policies ? static_cast<double>(snapshot_->policies->policy_count()) : 0);
  const InventoryFigures inv = store_->Figures();
  CheckInventory();
  metrics_.Set("custos_inventory_up", {}, inventory_.up ? 1 : 0);
  // While the inventory is unavailable its figures are unknown: the last ones stay.
  if (!inventory_.up) return metrics_.Render();
  metrics_.Set("custos_inventory_items", {}, static_cast<double>(inv.items));
  metrics_.Set("custos_inventory_bytes", {}, static_cast<double>(inv.bytes));
  metrics_.Clear("custos_findings");
  for (const auto& [key, n] : inv.findings_by_policy) {
    metrics_.Set("custos_findings", {{"policy", key.first}, {"severity", key.second}},
                 static_cast<double>(n));
  }
  return metrics_.Render();
}

}  // namespace custos::service::internal
