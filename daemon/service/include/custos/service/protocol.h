// The control protocol of custosd's Unix socket: newline-delimited JSON.
//
// A client sends one JSON object per line and reads one JSON object per line back, in
// order; it may send several requests on one connection. Requests:
//
//   {"cmd": "status"}                      running scans, last and next run per root,
//                                          inventory figures
//   {"cmd": "scan-now"}                    queue a run of every root
//   {"cmd": "scan-now", "root": "NAME"}    ... of one root (its name or its path)
//   {"cmd": "reload"}                      reload config and policies (as SIGHUP)
//   {"cmd": "findings", "policy": "ID", "severity": "high", "limit": 100}
//                                          open findings (needs the inventory)
//   {"cmd": "findings list", "args": {...}}  the review commands: `custos findings
//   {"cmd": "findings show", ...}            list|show|ack|except|note` and `custos
//   ... ack, except, note, and "report"      report` run by custosd on its inventory
//                                          (custos/review/review.h: the arguments, and
//                                          the answer {"ok": true, "exit": N, "out":
//                                          TEXT, "err": TEXT}); decisions are made by
//                                          the user at the other end of the socket
//
// Every response has "ok": true plus the command's fields, or "ok": false and
// "error": "message". A request larger than the limit (64 KiB by default), one that is
// not JSON, or one not sent within the deadline gets an error and the connection is
// closed. Messages never hold file contents or matched values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "custos/base/status.h"

namespace custos::service {

struct Request {
  std::string cmd;   // status | scan-now | reload | findings | a review command
  std::string root;  // scan-now: a root's name or path; empty: every root
  // findings filters
  std::string policy;
  std::string severity;
  size_t limit = 100;
  // review commands: their arguments (an object)
  nlohmann::json args = nlohmann::json::object();
};

// True for the review commands: "findings list|show|ack|except|note" and "report".
bool IsReviewCommand(std::string_view cmd);

// Parses one request line (without the newline). Error messages are fit for the
// client: "bad request: not a JSON object", "unknown command 'x' (expected ...)".
Result<Request> ParseRequest(std::string_view line);

// {"ok":false,"error":message} as one line without the newline.
std::string ErrorResponse(std::string_view message);

// Client side: connects to the socket at `socket_path`, sends `request` and a newline,
// and reads one response line, all within `timeout_seconds`. Errors (cannot connect,
// permission denied, timeout, malformed response) are Status messages naming the
// socket; a response with "ok": false is returned as it is.
Result<nlohmann::json> CallDaemon(const std::string& socket_path, const nlohmann::json& request,
                                  double timeout_seconds);

}  // namespace custos::service
