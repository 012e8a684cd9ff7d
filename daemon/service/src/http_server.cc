#include "http_server.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "custos/service/log.h"

namespace custos::service {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr size_t kMaxHeaderBytes = 8 << 10;
}  // namespace

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<HttpServer::Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    ++shared_->open_sessions;
  }
  ~HttpSession() { --shared_->open_sessions; }

  void Start(bool busy) {
    if (busy) {
      res_ = {};
      res_.result(http::status::service_unavailable);
      res_.version(11);
      res_.set(http::field::content_type, "text/plain");
      res_.set(http::field::connection, "close");
      res_.body() = "too many connections\n";
      res_.prepare_payload();
      Write(false);
      return;
    }
    Read();
  }

  void Close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  std::chrono::steady_clock::duration Timeout() const {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(shared_->timeout));
  }

  void Read() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(0);
    stream_.expires_after(Timeout());
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(error_code ec) {
    if (ec) {
      // end_of_stream: the client is done; timeout or garbage: drop it.
      if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
          ec != asio::error::operation_aborted && ec != asio::error::eof) {
        Reply(http::status::bad_request, "bad request\n", false);
        return;
      }
      Close();
      return;
    }
    const auto& req = parser_->get();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      Reply(http::status::method_not_allowed, "only GET and HEAD\n", req.keep_alive(), "GET, HEAD");
      return;
    }
    HttpServer::Response r;
    try {
      r = shared_->handler(std::string(req.target()));
    } catch (const std::exception& e) {
      r = {500, "text/plain; charset=utf-8", "internal error\n"};
    }
    res_ = {};
    res_.result(static_cast<http::status>(r.status));
    res_.version(req.version());
    res_.set(http::field::server, "custosd");
    res_.set(http::field::content_type, r.content_type);
    res_.set(http::field::cache_control, "no-store");
    res_.keep_alive(req.keep_alive());
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (req.method() == http::verb::head) res_.body().clear();
    Write(req.keep_alive());
  }

  void Reply(http::status status, std::string body, bool keep_alive, const char* allow = nullptr) {
    res_ = {};
    res_.result(status);
    res_.version(11);
    res_.set(http::field::server, "custosd");
    res_.set(http::field::content_type, "text/plain; charset=utf-8");
    if (allow) res_.set(http::field::allow, allow);
    res_.keep_alive(keep_alive);
    res_.body() = std::move(body);
    res_.prepare_payload();
    Write(keep_alive);
  }

  void Write(bool keep_alive) {
    stream_.expires_after(Timeout());
    http::async_write(stream_, res_,
                      [self = shared_from_this(), keep_alive](error_code ec, size_t) {
                        if (ec || !keep_alive) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::Shared> shared_;
  beast::flat_buffer buffer_{kMaxHeaderBytes + 1024};
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> res_;
};

HttpServer::HttpServer(asio::io_context& io, Handler handler, double timeout,
                       size_t max_connections)
    : shared_(std::make_shared<Shared>()), accept_(io, "http") {
  shared_->handler = std::move(handler);
  shared_->timeout = timeout;
  shared_->max_connections = max_connections;
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Listen(const std::string& address, uint16_t port) {
  error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return Status::Invalid("metrics: bad address '" + address + "'");
  const tcp::endpoint ep(ip, port);
  tcp::acceptor& acceptor = accept_.acceptor();
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Io("metrics: cannot listen on " + address + ":" + std::to_string(port) + ": " +
                      ec.message());
  }
  const tcp::endpoint bound = acceptor.local_endpoint(ec);
  const std::string host = bound.address().to_string();
  endpoint_ =
      (bound.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(bound.port());
  listening_ = true;
  const std::shared_ptr<Shared> shared = shared_;
  accept_.Start(
      [shared](tcp::socket&& socket) {
        return std::make_shared<HttpSession>(std::move(socket), shared);
      },
      [shared] { return shared->open_sessions >= shared->max_connections; });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!listening_) return;
  listening_ = false;
  accept_.Close();
}

}  // namespace custos::service
