// The control socket: a Unix stream socket speaking the protocol of protocol.h.
//
// One session per connection, all on the daemon's io_context thread. Every read and
// write has a deadline; a request longer than the limit, an idle client or one that
// does not read its responses is cut off without delaying anyone else. Peers are
// checked with SO_PEERCRED/SO_PEERGROUPS: root, the daemon's own user and members of
// the socket's group may talk; the socket file itself is mode 0660.
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
};

class ControlSession;

class ControlServer {
 public:
  // The answer to one request: a response line without the newline, and whether the
  // connection is closed after it (a request that is not even JSON).
  struct Reply {
    std::string line;
    bool close = false;
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
    gid_t socket_gid = 0;
    size_t open_sessions = 0;
  };

  ControlServer(boost::asio::io_context& io, const ControlConfig& config, Handler handler,
                RejectCounter rejected);
  ~ControlServer();

  // Creates the socket (replacing a stale one; refusing when another daemon answers on
  // it or the path is not a socket), sets mode 0660 and the group, and starts
  // accepting. Call once, before or on the io_context thread.
  Status Listen();
  // Stops accepting, closes every session and removes the socket file.
  void Stop();

  gid_t socket_gid() const { return shared_->socket_gid; }

 private:
  std::shared_ptr<Shared> shared_;
  AcceptLoop<boost::asio::local::stream_protocol, ControlSession> accept_;
  bool listening_ = false;
};

}  // namespace custos::service
