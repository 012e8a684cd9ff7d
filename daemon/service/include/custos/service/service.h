// custosd: the service that runs on the storage server.
//
// One io_context thread owns every piece of service state: signals (SIGHUP reload,
// SIGTERM/SIGINT stop), the scheduler tick, the control socket and the HTTP endpoint.
// Scans run on a small pool (DaemonConfig::parallel_roots threads, each driving a scan
// job with its own workers) at lower CPU and I/O priority, throttled; their results go
// to a ResultStore and their completion is posted back to the io_context thread.
// Configuration, policies and detectors form an immutable Snapshot, swapped whole on
// reload; a running scan keeps the snapshot it started with.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "custos/base/status.h"
#include "custos/config/snapshot.h"
#include "custos/service/result_store.h"

namespace custos::service {

// The config's model (daemon/config), as the service names it.
using config::DaemonConfig;
using config::DescribeConfig;
using config::Diagnostic;
using config::LoadSnapshot;
using config::RootConfig;
using config::Snapshot;

struct ServiceOptions {
  std::string config_path;  // reloaded on SIGHUP
  // Called once when the daemon is serving (sockets bound, READY=1 sent): the
  // daemonising parent waits for it.
  std::function<void()> on_ready;
  // Makes the result store; default: MakeMemoryStore(). Called once at start-up.
  std::function<Result<std::unique_ptr<ResultStore>>(const DaemonConfig&)> make_store;
};

// Runs the daemon until SIGTERM or SIGINT. Returns the process exit code: 0 after a
// clean stop, 1 when scans had to be abandoned at the stop deadline, 2 when it could
// not start (state directory, control socket, metrics address, result store). Call
// once per process, from the main thread; logs through Log().
int RunService(ServiceOptions options, std::shared_ptr<const Snapshot> snapshot);

}  // namespace custos::service
