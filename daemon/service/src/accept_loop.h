// The accept loop shared by the control socket and the HTTP endpoint.
//
// Each connection becomes a session, started "busy" (it answers and closes) when the
// server is at its connection limit. Sessions are kept by weak reference so that
// Close() can end those still open. A failed accept (EMFILE and the like) is logged and
// retried after 200 ms rather than spinning. Runs on the io_context thread.
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// clang-format off
#include <boost/asio.hpp>
// clang-format on
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "custos/service/log.h"

namespace custos::service {

// `Session` has Start(bool busy) and Close().
template <typename Protocol, typename Session>
class AcceptLoop {
 public:
  using Socket = typename Protocol::socket;
  // Makes the session of a new connection.
  using Make = std::function<std::shared_ptr<Session>(Socket&& socket)>;
  // Whether the server is at its connection limit.
  using AtLimit = std::function<bool()>;

  AcceptLoop(boost::asio::io_context& io, const char* component)
      : acceptor_(io), retry_(io), component_(component) {}

  // The listening socket, for the server to open, bind and listen on.
  typename Protocol::acceptor& acceptor() { return acceptor_; }

  void Start(Make make, AtLimit at_limit) {
    make_ = std::move(make);
    at_limit_ = std::move(at_limit);
    Accept();
  }

  // Stops accepting and closes every open session.
  void Close() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    retry_.cancel();
    for (auto& w : sessions_) {
      if (auto s = w.lock()) s->Close();
    }
    sessions_.clear();
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, Socket socket) {
      if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec) {
        Log(component_).warn("accept: {}", ec.message());
        retry_.expires_after(std::chrono::milliseconds(200));
        retry_.async_wait([this](boost::system::error_code e) {
          if (!e && acceptor_.is_open()) Accept();
        });
        return;
      }
      sessions_.erase(std::remove_if(sessions_.begin(), sessions_.end(),
                                     [](const auto& w) { return w.expired(); }),
                      sessions_.end());
      const bool busy = at_limit_();
      auto session = make_(std::move(socket));
      sessions_.push_back(session);
      session->Start(busy);
      Accept();
    });
  }

  typename Protocol::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  const char* component_;
  Make make_;
  AtLimit at_limit_;
  std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace custos::service
