// The review console: HTTPS pages of the inventory for members of a group, who log in
// with their password on the server (PAM) and acknowledge, except and annotate
// findings, every decision named after them. Off unless `console.listen` is set.
//
// By role:
//   console_server.cc   TLS listener and connections (Boost.Beast); requests are
//                       answered on a small pool, off the network thread
//   console_auth.cc     PAM login and group membership; sessions, CSRF tokens and the
//                       per-address limit of failed logins
//   console_app.cc      routing: login, logout, the session and CSRF checks, headers
//   console_findings.cc the findings list with its filters, one finding and its forms
//   console_pages.cc    overview, coverage, roots and scans, policies
//   console_html.cc     the page frame, its style sheet, escaping, forms and queries
//
// Pages show what the inventory holds (masked samples, keyed hashes never), paths
// escaped; no page, URL or log line carries a password, a note or a raw value. The
// pages work without JavaScript and load nothing from elsewhere (the
// Content-Security-Policy allows the console's own style sheet and nothing else).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custos/base/mutex.h"
#include "custos/base/status.h"
#include "custos/config/config.h"
#include "custos/inventory/store.h"

namespace custos::service::console {

// One HTTP request as the handlers see it.
struct Request {
  std::string method;                          // GET, HEAD, POST
  std::string path;                            // as sent, without the query
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> form;     // decoded (POST, urlencoded)
  std::map<std::string, std::string> cookies;  // as sent
  std::string peer;                            // the client's address
  std::string host;                            // the Host header
  std::string origin;                          // the Origin header, if sent
};

struct Response {
  unsigned status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::string location;                  // for redirects
  std::vector<std::string> set_cookies;  // Set-Cookie values
  double delay = 0;                      // seconds to wait before answering (failed logins)
};

// --- console_html.cc

// `text` safe in HTML text and attribute values (raw bytes escaped first, as
// EscapeBytes does, so that a path cannot break the page).
std::string Html(std::string_view text);
// `text` %-encoded for a query value.
std::string UrlEncode(std::string_view text);
// application/x-www-form-urlencoded (and query strings) into a map; later keys win.
std::map<std::string, std::string> ParseForm(std::string_view text);
std::map<std::string, std::string> ParseCookies(std::string_view header);
// "YYYY-MM-DD", "" for 0.
std::string Date(int64_t t);
// "YYYY-MM-DD HH:MM UTC", "" for 0.
std::string DateTime(int64_t t);
// A whole page: the frame (title, navigation with the user and the logout form) around
// `body`. `user` empty: no navigation (the login page).
struct Frame {
  std::string title;
  std::string user;
  std::string csrf;
  std::string active;  // the navigation entry to mark: "overview", "findings", ...
};
std::string Page(const Frame& frame, const std::string& body);
// A hidden CSRF field for a form.
std::string CsrfField(const std::string& csrf);
// The style sheet served at /console.css.
const std::string& StyleSheet();

// --- console_auth.cc

// Checks `user`'s password with PAM service `service` (auth and account management)
// and that `user` is a member of `group` (primary or supplementary). Blocks (PAM's own
// delay on failure is turned off: the caller delays the answer). The reason of a
// refusal is for the log and the page: it names no password.
enum class LoginResult { kOk, kBadCredentials, kNotMember, kError };
struct Login {
  LoginResult result = LoginResult::kError;
  inventory::Actor actor;  // kOk: login name and uid
  std::string detail;      // kError: PAM's message
};
Login Authenticate(const std::string& service, const std::string& group, const std::string& user,
                   const std::string& password);

struct Session {
  inventory::Actor actor;
  std::string csrf;
  double last_used = 0;  // monotonic seconds
  double created = 0;
};

// Sessions by the random token of their cookie; thread-safe. A session ends after
// `idle_timeout` seconds without a request, after 12 hours whatever happens, or at
// logout.
class Sessions {
 public:
  explicit Sessions(double idle_timeout) : idle_timeout_(idle_timeout) {}
  // A new session for `actor`: its cookie token.
  std::string Create(const inventory::Actor& actor, double now);
  // The session of `token`, touched; nullopt when unknown or expired.
  std::optional<Session> Find(const std::string& token, double now);
  void Remove(const std::string& token);

 private:
  const double idle_timeout_;
  Mutex mu_;
  std::map<std::string, Session> sessions_ GUARDED_BY(mu_);  // by SHA-256 of the token
};

// Failed logins per client address: each one delays the answer a little more, and
// kMaxFailures within kWindow refuse further logins from that address until the window
// has passed. Thread-safe.
class LoginLimiter {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr double kWindow = 15 * 60;
  // Seconds until `address` may try again; 0: now.
  double Blocked(const std::string& address, double now);
  // Records a failure; returns the delay of its answer.
  double Failed(const std::string& address, double now);

 private:
  struct Entry {
    int failures = 0;
    double first = 0;
  };
  Mutex mu_;
  std::map<std::string, Entry> by_address_ GUARDED_BY(mu_);
};

// Random bytes, hex (OpenSSL's RAND_bytes).
std::string RandomToken(size_t bytes);
// Constant-time comparison of tokens.
bool SameToken(std::string_view a, std::string_view b);

// --- console_app.cc

struct Settings {
  config::ConsoleConfig config;
  std::string inventory;  // the inventory: a file, or a PostgreSQL URI (inventory::OpenStore)
  std::string node;       // this server's node name (custos.yaml's node)
  std::string version;
  std::string pam_service = "custos";
};

// What every page needs: the settings, the roots (swapped on reload) and the
// inventory, opened for each request.
class Context {
 public:
  explicit Context(Settings settings) : settings_(std::move(settings)) {}
  const Settings& settings() const { return settings_; }
  void SetRoots(std::vector<config::RootConfig> roots);
  std::vector<config::RootConfig> Roots() const;
  Result<std::unique_ptr<inventory::Store>> OpenInventory() const;

 private:
  const Settings settings_;
  mutable Mutex mu_;
  std::vector<config::RootConfig> roots_ GUARDED_BY(mu_);
};

// The console's request handler: thread-safe, blocking (PAM, the inventory).
class App {
 public:
  explicit App(Settings settings);
  Response Handle(const Request& request);
  Context& context() { return context_; }

 private:
  Response LoginPage(const Request& request, unsigned status, const std::string& message);
  Response DoLogin(const Request& request);
  Response Route(const Request& request, const Session& session, const std::string& token);

  Context context_;
  Sessions sessions_;
  LoginLimiter limiter_;
};

// --- console_findings.cc and console_pages.cc: the pages of a logged-in user.
struct PageContext {
  const Request& request;
  const Session& session;
  Context& context;
  int64_t now = 0;
};
Response FindingsPage(const PageContext& pc);
Response FindingPage(const PageContext& pc, int64_t id);
// POST /findings/ID/{ack,except,note}
Response ReviewFinding(const PageContext& pc, int64_t id, const std::string& action);
Response OverviewPage(const PageContext& pc);
Response CoveragePage(const PageContext& pc);
Response ScansPage(const PageContext& pc);
Response PoliciesPage(const PageContext& pc);
// An error page (the status and a sentence).
Response ErrorPage(const PageContext& pc, unsigned status, const std::string& message);
// "cctv: exports/2026/clip.mp4" for a path under a configured root, else the escaped path.
std::string ShownPath(const std::vector<config::RootConfig>& roots, const std::string& path);
// The root holding `path`, or nullptr.
const config::RootConfig* RootOf(const std::vector<config::RootConfig>& roots,
                                 const std::string& path);

// --- console_server.cc

// The HTTPS server on its own threads (one for the network, two for the handler).
class Server {
 public:
  Server();
  ~Server();
  // Loads the certificate and key, binds, and starts serving `app`.
  Status Start(const config::ConsoleConfig& config, std::shared_ptr<App> app);
  // "127.0.0.1:9443"
  std::string endpoint() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The console as custosd runs it: the handler and its server.
class Console {
 public:
  // Starts serving `config.console` (certificate, key and address checked here) on the
  // inventory of `config`; logs where.
  static Result<std::unique_ptr<Console>> Start(const config::DaemonConfig& config,
                                                const std::string& version);
  // The roots of a reloaded config (paths are shown relative to them).
  void SetRoots(std::vector<config::RootConfig> roots) {
    app_->context().SetRoots(std::move(roots));
  }
  std::string endpoint() const { return server_.endpoint(); }
  void Stop() { server_.Stop(); }

 private:
  std::shared_ptr<App> app_;
  Server server_;
};

}  // namespace custos::service::console
