// The HTTP endpoint (Boost.Beast): GET /metrics and GET /healthz, on the daemon's
// io_context thread. Loopback by default; header size, body size and idle time are
// bounded per connection, and the number of connections is capped.
#pragma once

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

namespace custos::service {

class HttpSession;

class HttpServer {
 public:
  struct Response {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
  };
  // Answers GET/HEAD `target` (path and query); runs on the io_context thread.
  using Handler = std::function<Response(const std::string& target)>;

  struct Shared {
    Handler handler;
    double timeout = 10;
    size_t max_connections = 32;
    size_t open_sessions = 0;
  };

  HttpServer(boost::asio::io_context& io, Handler handler, double timeout, size_t max_connections);
  ~HttpServer();

  // Binds `address` (an IP literal) and `port` (0: any free port) and starts accepting.
  Status Listen(const std::string& address, uint16_t port);
  // The bound address and port ("127.0.0.1:9797", "[::1]:9797").
  std::string endpoint() const { return endpoint_; }
  void Stop();

 private:
  std::shared_ptr<Shared> shared_;
  AcceptLoop<boost::asio::ip::tcp, HttpSession> accept_;
  std::string endpoint_;
  bool listening_ = false;
};

}  // namespace custos::service
