#include "control_server.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "custos/base/escape.h"
#include "custos/base/fd.h"
#include "custos/service/log.h"
#include "custos/service/protocol.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

namespace custos::service {
namespace asio = boost::asio;
using local = asio::local::stream_protocol;
using boost::system::error_code;

namespace {

std::optional<gid_t> LookupGroup(const std::string& name) {
  std::vector<char> buf(16384);
  for (;;) {
    struct group gr;
    struct group* res = nullptr;
    const int rc = ::getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &res);
    if (rc == ERANGE && buf.size() < (1u << 22)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0 || res == nullptr) return std::nullopt;
    return gr.gr_gid;
  }
}

// The supplementary groups of the peer at connect time (Linux 4.13+); empty when the
// kernel does not tell.
std::vector<gid_t> PeerGroups(int fd) {
  std::vector<gid_t> groups(64);
  for (int attempt = 0; attempt < 3; ++attempt) {
    socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      return groups;
    }
    if (errno != ERANGE) break;
    groups.resize(len / sizeof(gid_t) + 1);
  }
  return {};
}

}  // namespace

class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  ControlSession(local::socket socket, std::shared_ptr<ControlServer::Shared> shared)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        shared_(std::move(shared)),
        buffer_(shared_->config.max_request_bytes + 1) {
    ++shared_->open_sessions;
  }
  ~ControlSession() { --shared_->open_sessions; }

  void Start(bool busy) {
    if (busy) {
      Reject("busy");
      Write(ErrorResponse("too many connections; try again"), true);
      return;
    }
    if (!CheckPeer()) {
      Reject("permission");
      Write(ErrorResponse("permission denied: only root, the daemon's user and members of the "
                          "socket's group may use the control socket"),
            true);
      return;
    }
    ReadRequest();
  }

  void Close() {
    error_code ec;
    timer_.cancel();
    socket_.shutdown(local::socket::shutdown_both, ec);
    socket_.close(ec);
  }

 private:
  void Reject(const std::string& reason) {
    if (shared_->rejected) shared_->rejected(reason);
  }

  bool CheckPeer() {
    struct ucred cred {};
    socklen_t len = sizeof cred;
    const int fd = socket_.native_handle();
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
    peer_ = {cred.pid, cred.uid, cred.gid};
    if (cred.uid == 0 || cred.uid == ::geteuid()) return true;
    if (cred.gid == shared_->socket_gid) return true;
    const std::vector<gid_t> groups = PeerGroups(fd);
    return std::find(groups.begin(), groups.end(), shared_->socket_gid) != groups.end();
  }

  // Starts the deadline of the next read or write: when it passes, the connection closes.
  void Arm() {
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(shared_->config.request_timeout)));
    timer_.async_wait([weak = weak_from_this()](error_code ec) {
      if (ec) return;  // cancelled or re-armed
      if (auto self = weak.lock()) {
        self->timed_out_ = true;
        self->Close();
      }
    });
  }

  void ReadRequest() {
    Arm();
    asio::async_read_until(
        socket_, buffer_, '\n',
        [self = shared_from_this()](error_code ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(error_code ec, size_t n) {
    if (ec == asio::error::not_found) {
      // The buffer is full and holds no newline: the request is too large.
      Reject("too large");
      Write(ErrorResponse("request larger than " +
                          std::to_string(shared_->config.max_request_bytes) + " bytes"),
            true);
      return;
    }
    if (ec) {
      if (timed_out_) Reject("timeout");
      Close();
      return;
    }
    auto data = buffer_.data();
    std::string line(asio::buffers_begin(data),
                     asio::buffers_begin(data) + static_cast<std::ptrdiff_t>(n - 1));
    buffer_.consume(n);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // The handler's time is not the client's: no deadline until the answer is written.
    timer_.cancel();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    auto respond = [self = shared_from_this(), answered](ControlServer::Reply reply) {
      if (answered->exchange(true)) return;
      auto executor = self->socket_.get_executor();
      asio::post(executor, [self = std::move(self), reply = std::move(reply)]() mutable {
        if (reply.close) self->Reject("bad request");
        self->Write(std::move(reply.line), reply.close);
      });
    };
    try {
      shared_->handler(line, peer_, respond);
    } catch (const std::exception& e) {
      // Nothing may escape an Asio handler; a failing request fails alone.
      respond({ErrorResponse(std::string("internal error: ") + e.what()), true});
    }
  }

  void Write(std::string line, bool close_after) {
    out_ = std::move(line) + "\n";
    Arm();
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this(), close_after](error_code ec, size_t) {
                        if (ec || close_after) {
                          if (ec && self->timed_out_) self->Reject("timeout");
                          self->Close();
                          return;
                        }
                        self->ReadRequest();
                      });
  }

  local::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<ControlServer::Shared> shared_;
  asio::streambuf buffer_;
  std::string out_;
  Peer peer_;
  bool timed_out_ = false;
};

ControlServer::ControlServer(asio::io_context& io, const ControlConfig& config, Handler handler,
                             RejectCounter rejected)
    : shared_(std::make_shared<Shared>()), accept_(io, "control") {
  shared_->config = config;
  shared_->handler = std::move(handler);
  shared_->rejected = std::move(rejected);
  shared_->socket_gid = ::getegid();
}

ControlServer::~ControlServer() { Stop(); }

Status ControlServer::Listen() {
  const std::string& path = shared_->config.socket;
  const std::string shown = EscapeBytes(path, true);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::Invalid(shown + ": exists and is not a socket (not replaced)");
    }
    // A socket left by a daemon that died, or one in use by a running daemon?
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), std::min(path.size() + 1, sizeof addr.sun_path));
    if (probe.valid() &&
        ::connect(probe.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0) {
      return Status::Invalid(shown + ": another custosd is listening on it");
    }
    ::unlink(path.c_str());
  }
  error_code ec;
  accept_.acceptor().open(local(), ec);
  if (ec) return Status::Io(shown + ": socket: " + ec.message());
  // Created 0660 from the start: no moment at which others could connect.
  const mode_t old_mask = ::umask(0117);
  accept_.acceptor().bind(local::endpoint(path), ec);
  ::umask(old_mask);
  if (ec) return Status::Io(shown + ": bind: " + ec.message());
  gid_t gid = ::getegid();
  if (!shared_->config.group.empty()) {
    if (auto g = LookupGroup(shared_->config.group)) {
      gid = *g;
    } else {
      // Kept with the daemon's own group: stricter, never looser.
      Log("control").warn("group '{}' does not exist: the control socket keeps group {}",
                          EscapeBytes(shared_->config.group, true), gid);
    }
  }
  // chown only when it changes something: under systemd the service already runs with
  // the socket's group, and its system-call filter may forbid chown.
  struct stat sock_st;
  const bool same_group = ::stat(path.c_str(), &sock_st) == 0 && sock_st.st_gid == gid;
  if (!same_group && ::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0) {
    const int err = errno;
    return Status::Io(shown + ": cannot give the socket to group " +
                      EscapeBytes(shared_->config.group, true) + ": " + std::strerror(err));
  }
  if (::chmod(path.c_str(), 0660) != 0) return Status::FromErrno(shown + ": chmod", errno);
  shared_->socket_gid = gid;
  accept_.acceptor().listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Io(shown + ": listen: " + ec.message());
  listening_ = true;
  const std::shared_ptr<Shared> shared = shared_;
  accept_.Start(
      [shared](local::socket&& socket) {
        return std::make_shared<ControlSession>(std::move(socket), shared);
      },
      [shared] { return shared->open_sessions >= shared->config.max_connections; });
  return Status::Ok();
}

void ControlServer::Stop() {
  if (!listening_) return;
  listening_ = false;
  accept_.Close();
  ::unlink(shared_->config.socket.c_str());
}

}  // namespace custos::service
