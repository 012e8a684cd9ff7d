// The console's HTTPS server (Boost.Beast over OpenSSL): its own network thread, and a
// pool of two for the answers (PAM and the inventory block). TLS 1.2 or later, bounded
// headers, bodies, time and connections; every answer carries the security headers.
#include <utility>
// clang-format off
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
// clang-format on
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <thread>

#include "accept_loop.h"
#include "console.h"
#include "custos/base/escape.h"
#include "custos/service/log.h"

namespace custos::service::console {
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr size_t kMaxHeaderBytes = 8 << 10;
constexpr size_t kMaxBodyBytes = 16 << 10;
constexpr auto kTimeout = std::chrono::seconds(30);
constexpr size_t kMaxConnections = 64;

constexpr const char* kPolicy =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

Response Plain(unsigned status, std::string text) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  return r;
}

struct Shared {
  std::shared_ptr<App> app;
  ssl::context tls{ssl::context::tls_server};
  asio::thread_pool pool{2};
  size_t open_sessions = 0;  // network thread only
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, asio::io_context& io, Shared& shared)
      : io_(io), shared_(shared), stream_(std::move(socket), shared.tls), delay_(io) {
    error_code ec;
    const tcp::endpoint peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : peer.address().to_string();
    ++shared_.open_sessions;
  }
  ~Connection() { --shared_.open_sessions; }

  void Start(bool busy) {
    if (busy) {
      Close();
      return;
    }
    beast::get_lowest_layer(stream_).expires_after(kTimeout);
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
      if (ec) return self->Close();
      self->Read();
    });
  }

  void Close() {
    error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
    delay_.cancel();
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(kMaxBodyBytes);
    beast::get_lowest_layer(stream_).expires_after(kTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(error_code ec) {
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        Send(Plain(413, "request too large\n"), false);
      } else {
        Close();
      }
      return;
    }
    const auto& req = parser_->get();
    const bool keep_alive = req.keep_alive();
    if (req.method() != http::verb::get && req.method() != http::verb::head &&
        req.method() != http::verb::post) {
      Send(Plain(405, "only GET, HEAD and POST\n"), keep_alive);
      return;
    }
    Request r;
    r.method = std::string(req.method_string());
    const std::string target(req.target());
    const size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = ParseForm(std::string_view(target).substr(q + 1));
    if (req.method() == http::verb::post) {
      const std::string type(req[http::field::content_type]);
      if (type.rfind("application/x-www-form-urlencoded", 0) == 0) r.form = ParseForm(req.body());
    }
    r.cookies = ParseCookies(std::string(req[http::field::cookie]));
    r.peer = peer_;
    r.host = std::string(req[http::field::host]);
    r.origin = std::string(req["Origin"]);
    head_ = req.method() == http::verb::head;
    // The answer is made on the pool, and sent from the network thread.
    asio::post(shared_.pool, [self = shared_from_this(), r = std::move(r), keep_alive] {
      Response response;
      try {
        response = self->shared_.app->Handle(r);
      } catch (const std::exception& e) {
        Log("console").error("{} {}: {}", r.method, EscapeBytes(r.path, true), e.what());
        response = Plain(500, "internal error\n");
      }
      asio::post(self->io_, [self, response = std::move(response), keep_alive]() mutable {
        self->Send(std::move(response), keep_alive);
      });
    });
  }

  void Send(Response r, bool keep_alive) {
    res_ = {};
    res_.result(static_cast<http::status>(r.status));
    res_.version(11);
    res_.set(http::field::server, "custosd");
    res_.set(http::field::content_type, r.content_type);
    res_.set(http::field::cache_control, "no-store");
    res_.set("Content-Security-Policy", kPolicy);
    res_.set("X-Frame-Options", "DENY");
    res_.set("X-Content-Type-Options", "nosniff");
    res_.set("Referrer-Policy", "no-referrer");
    res_.set("Cross-Origin-Opener-Policy", "same-origin");
    res_.set("Cross-Origin-Resource-Policy", "same-origin");
    res_.set("Strict-Transport-Security", "max-age=31536000");
    if (!r.location.empty()) res_.set(http::field::location, r.location);
    for (const std::string& c : r.set_cookies) res_.insert(http::field::set_cookie, c);
    res_.keep_alive(keep_alive);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (head_) res_.body().clear();
    if (r.delay > 0) {
      // A failed login is answered late; the connection waits, no thread does.
      delay_.expires_after(std::chrono::milliseconds(static_cast<int>(r.delay * 1000)));
      delay_.async_wait([self = shared_from_this(), keep_alive](error_code ec) {
        if (ec) return self->Close();
        self->Write(keep_alive);
      });
      return;
    }
    Write(keep_alive);
  }

  void Write(bool keep_alive) {
    beast::get_lowest_layer(stream_).expires_after(kTimeout);
    http::async_write(stream_, res_,
                      [self = shared_from_this(), keep_alive](error_code ec, size_t) {
                        if (ec || !keep_alive) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  asio::io_context& io_;
  Shared& shared_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  asio::steady_timer delay_;
  beast::flat_buffer buffer_{kMaxHeaderBytes + kMaxBodyBytes + 1024};
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::string peer_;
  bool head_ = false;
};

}  // namespace

// Destroyed in reverse: the connections still queued in `io` go before what they use.
struct Server::Impl {
  Shared shared;
  asio::io_context io;
  AcceptLoop<tcp, Connection> accept{io, "console"};
  std::thread thread;
  std::string endpoint;
  bool running = false;
};

Server::Server() : impl_(std::make_unique<Impl>()) {}

Server::~Server() { Stop(); }

Status Server::Start(const config::ConsoleConfig& config, std::shared_ptr<App> app) {
  Impl& m = *impl_;
  m.shared.app = std::move(app);
  error_code ec;
  m.shared.tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                               ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                               ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                           ec);
  m.shared.tls.use_certificate_chain_file(config.cert, ec);
  if (ec) {
    return Status::Io("console: certificate " + EscapeBytes(config.cert, true) + ": " +
                      ec.message());
  }
  m.shared.tls.use_private_key_file(config.key, ssl::context::pem, ec);
  if (ec) return Status::Io("console: key " + EscapeBytes(config.key, true) + ": " + ec.message());
  const auto ip = asio::ip::make_address(config.address, ec);
  if (ec) return Status::Invalid("console: bad address '" + config.address + "'");
  const tcp::endpoint ep(ip, config.port);
  tcp::acceptor& acceptor = m.accept.acceptor();
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Io("console: cannot listen on " + config.address + ":" +
                      std::to_string(config.port) + ": " + ec.message());
  }
  const tcp::endpoint bound = acceptor.local_endpoint(ec);
  const std::string host = bound.address().to_string();
  m.endpoint =
      (bound.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(bound.port());
  Shared* shared = &m.shared;
  asio::io_context* io = &m.io;
  m.accept.Start(
      [shared, io](tcp::socket&& socket) {
        return std::make_shared<Connection>(std::move(socket), *io, *shared);
      },
      [shared] { return shared->open_sessions >= kMaxConnections; });
  m.running = true;
  m.thread = std::thread([io] {
    const auto guard = asio::make_work_guard(*io);
    io->run();
  });
  return Status::Ok();
}

std::string Server::endpoint() const { return impl_->endpoint; }

void Server::Stop() {
  Impl& m = *impl_;
  if (!m.running) return;
  m.running = false;
  asio::post(m.io, [&m] {
    m.accept.Close();
    m.io.stop();
  });
  if (m.thread.joinable()) m.thread.join();
  m.shared.pool.join();
}

Result<std::unique_ptr<Console>> Console::Start(const config::DaemonConfig& config,
                                                const std::string& version) {
  auto console = std::make_unique<Console>();
  Settings settings;
  settings.config = config.console;
  settings.inventory = config.inventory;
  settings.node = config.node;
  settings.version = version;
  console->app_ = std::make_shared<App>(std::move(settings));
  console->app_->context().SetRoots(config.roots);
  if (Status s = console->server_.Start(config.console, console->app_); !s.ok()) return s;
  Log("console").info("review console on https://{}/ for members of {}", console->endpoint(),
                      EscapeBytes(config.console.group, true));
  return console;
}

}  // namespace custos::service::console
