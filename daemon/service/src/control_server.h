// The control socket: a Unix stream socket speaking the protocol of protocol.h.
//
// One session per connection, all on the daemon's io_context thread. Every read and
// write has a deadline; a request longer than the limit, an idle client or one that
// does not read its responses is cut off without delaying anyone else. The socket file
// is mode 0666: anyone may connect, and who may do what is decided per request by the
// daemon from the peer the kernel tells (SO_PEERCRED: the uid, then its login name and
// its groups in the group database, getgrouplist): members of control.group operate
// the service, members of control.review_group review; root and the daemon's own user
// do both.
#pragma once

#include <sys/types.h>

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// clang-format off
#include <boost/asio.hpp>
// clang-format on
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "accept_loop.h"
#include "custos/base/status.h"
#include "custos/config/config.h"

namespace custos::service {

using config::ControlConfig;

struct Peer {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;       // login name; "uid N" when the uid has no account
  bool operates = false;  // root, the daemon's user, or in control.group
  bool reviews = false;   // root, the daemon's user, or in control.review_group
};

class ControlSession;

class ControlServer {
 public:
  // The answer to one request: a response line without the newline, and whether the
  // connection is closed after it (a request that is not even JSON).
  struct Reply {
    Reply(std::string l = {}, bool c = false, std::string r = {})
        : line(std::move(l)), close(c), refused(std::move(r)) {}
    std::string line;
    bool close = false;
    std::string refused;  // counted as a refusal for this reason ("permission")
  };
  // Sends the answer to a request; callable once, from any thread.
  using Respond = std::function<void(Reply reply)>;
  // Answers one request line, now or later (work done elsewhere calls `respond` when it
  // is done; the session waits without a deadline meanwhile); runs on the io_context
  // thread.
  using Handler = std::function<void(const std::string& line, const Peer& peer, Respond respond)>;
  // Counts refused requests and connections by reason ("permission", "too large",
  // "timeout", "busy", "bad request").
  using RejectCounter = std::function<void(const std::string& reason)>;

  // What sessions share with the server; sessions keep it alive on their own, so that
  // a session outliving the server (a handler still queued) stays valid.
  struct Shared {
    ControlConfig config;
    Handler handler;
    RejectCounter rejected;
    size_t open_sessions = 0;
  };

  ControlServer(boost::asio::io_context& io, const ControlConfig& config, Handler handler,
                RejectCounter rejected);
  ~ControlServer();

  // Creates the socket (replacing a stale one; refusing when another daemon answers on
  // it or the path is not a socket), mode 0666, and starts accepting. Call once, before
  // or on the io_context thread.
  Status Listen();
  // Stops accepting, closes every session and removes the socket file.
  void Stop();

 private:
  std::shared_ptr<Shared> shared_;
  AcceptLoop<boost::asio::local::stream_protocol, ControlSession> accept_;
  bool listening_ = false;
};

}  // namespace custos::service
