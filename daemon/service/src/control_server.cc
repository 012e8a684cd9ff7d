#include "control_server.h"

#include <grp.h>
#include <pwd.h>
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

// The login name of `uid` and its groups in the group database (getgrouplist: the
// primary group and every group that lists the name); name "uid N" and no groups when
// the uid has no account.
std::pair<std::string, std::vector<gid_t>> Account(uid_t uid) {
  std::vector<char> buf(16384);
  for (;;) {
    struct passwd pw;
    struct passwd* res = nullptr;
    const int rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &res);
    if (rc == ERANGE && buf.size() < (1u << 22)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0 || res == nullptr || pw.pw_name == nullptr || pw.pw_name[0] == '\0') {
      return {"uid " + std::to_string(uid), {}};
    }
    std::vector<gid_t> groups(64);
    for (int attempt = 0; attempt < 8; ++attempt) {
      int n = static_cast<int>(groups.size());
      if (::getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) >= 0) {
        groups.resize(static_cast<size_t>(n));
        return {pw.pw_name, groups};
      }
      groups.resize(static_cast<size_t>(std::max(n, static_cast<int>(groups.size()) * 2)));
    }
    return {pw.pw_name, {pw.pw_gid}};
  }
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
    if (!IdentifyPeer()) {
      Reject("permission");
      Write(ErrorResponse("permission denied: the peer's credentials are unknown"), true);
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

  // Who is at the other end (the kernel's word), and what they may do: their groups
  // as the group database has them now, so that removing someone from a group takes
  // effect at their next connection.
  bool IdentifyPeer() {
    struct ucred cred {};
    socklen_t len = sizeof cred;
    const int fd = socket_.native_handle();
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
    auto [name, groups] = Account(cred.uid);
    peer_ = {cred.pid, cred.uid, cred.gid, std::move(name), false, false};
    const bool both = cred.uid == 0 || cred.uid == ::geteuid();
    auto member = [&groups = groups](const std::string& group) {
      const std::optional<gid_t> gid = group.empty() ? std::nullopt : LookupGroup(group);
      return gid && std::find(groups.begin(), groups.end(), *gid) != groups.end();
    };
    peer_.operates = both || member(shared_->config.group);
    peer_.reviews = both || member(shared_->config.review_group);
    return true;
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
        if (!reply.refused.empty()) {
          self->Reject(reply.refused);
        } else if (reply.close) {
          self->Reject("bad request");
        }
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
  // Mode 0666: operators and reviewers are members of two different groups, so the
  // file cannot tell them apart; every request is authorized by its peer's groups
  // instead (IdentifyPeer, Daemon::OnControl), and a peer in neither is answered once
  // and cut off.
  const mode_t old_mask = ::umask(0111);
  accept_.acceptor().bind(local::endpoint(path), ec);
  ::umask(old_mask);
  if (ec) return Status::Io(shown + ": bind: " + ec.message());
  if (::chmod(path.c_str(), 0666) != 0) return Status::FromErrno(shown + ": chmod", errno);
  for (const std::string* group : {&shared_->config.group, &shared_->config.review_group}) {
    if (!group->empty() && !LookupGroup(*group)) {
      // Nobody is in it: only root and the daemon's user have its rights.
      Log("control").warn(
          "group '{}' does not exist: only root and custosd's user have its "
          "rights on the control socket",
          EscapeBytes(*group, true));
    }
  }
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
