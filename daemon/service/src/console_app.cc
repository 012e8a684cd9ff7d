// The console's routes: the login and logout, the session and CSRF checks in front of
// every page and form, and the style sheet.
#include <chrono>

#include "console.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/service/log.h"

namespace custos::service::console {
namespace {

constexpr const char* kSessionCookie = "custos_session";
constexpr const char* kLoginCookie = "custos_login";

double Monotonic() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string Cookie(const std::string& name, const std::string& value, const std::string& path,
                   int max_age) {
  std::string c = name + "=" + value + "; Path=" + path + "; HttpOnly; Secure; SameSite=Strict";
  if (max_age >= 0) c += "; Max-Age=" + std::to_string(max_age);
  return c;
}

Response Redirect(const std::string& to) {
  Response r;
  r.status = 303;
  r.location = to;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "see " + to + "\n";
  return r;
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

// A login name fit for the log: a user who typed their password in the name field must
// not find it there, so names of no account are not logged.
std::string LoggedName(const std::string& user) {
  if (user.empty() || user.size() > 64) return "(an unknown user)";
  for (char c : user) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return "(an unknown user)";
    }
  }
  return user;
}

// A finding's id from "/findings/ID" or "/findings/ID/ACTION".
std::optional<int64_t> IdOf(std::string_view digits) {
  if (digits.empty() || digits.size() > 15) return std::nullopt;
  int64_t id = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

}  // namespace

void Context::SetRoots(std::vector<config::RootConfig> roots) {
  MutexLock lock(mu_);
  roots_ = std::move(roots);
}

std::vector<config::RootConfig> Context::Roots() const {
  MutexLock lock(mu_);
  return roots_;
}

Result<std::unique_ptr<inventory::Store>> Context::OpenInventory() const {
  inventory::OpenOptions options;
  options.create = false;
  options.durable = true;  // a person's decision must not be lost
  options.node = settings_.node;
  auto store = inventory::OpenStore(settings_.inventory, options);  // SQLite or PostgreSQL
  if (!store.ok()) return Status(store.status().code(), "inventory: " + store.status().message());
  return store;
}

App::App(Settings settings)
    : context_(std::move(settings)), sessions_(context_.settings().config.idle_timeout) {}

Response App::LoginPage(const Request& request, unsigned status, const std::string& message) {
  // The form's token is also a cookie of the login page alone (double submit): a form
  // posted from elsewhere has neither. A browser that has one keeps it, so that a
  // second tab (or a request the browser makes on its own) does not void the first.
  std::string token = Get(request.cookies, kLoginCookie);
  if (token.size() != 32 || token.find_first_not_of("0123456789abcdef") != std::string::npos) {
    token = RandomToken(16);
  }
  std::string body = "<form class=\"login\" method=\"post\" action=\"/login\">";
  if (!message.empty()) body += "<p class=\"message\">" + Html(message) + "</p>";
  body += "<p class=\"muted\">Log in with your account on this server. Members of the group <b>" +
          Html(context_.settings().config.group) + "</b> may review findings.</p>" +
          CsrfField(token) +
          "<label>User name <input name=\"user\" autocomplete=\"username\" required "
          "autofocus></label><label>Password <input name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required></label><button type=\"submit\">Log "
          "in</button></form>";
  Response r;
  r.status = status;
  r.body = Page({"Log in", "", "", ""}, body);
  r.set_cookies.push_back(Cookie(kLoginCookie, token, "/login", 900));
  return r;
}

Response App::DoLogin(const Request& request) {
  const double now = Monotonic();
  if (!SameToken(Get(request.form, "csrf"), Get(request.cookies, kLoginCookie))) {
    Log("console").warn("login from {} refused: no or wrong form token", request.peer);
    return LoginPage(request, 403, "The form had expired. Please log in again.");
  }
  if (const double wait = limiter_.Blocked(request.peer, now); wait > 0) {
    Log("console").warn("login from {} refused: too many failed logins", request.peer);
    return LoginPage(request, 429,
                     "Too many failed logins from your address. Try again in " +
                         std::to_string(static_cast<int>(wait / 60) + 1) + " minutes.");
  }
  const std::string user = Get(request.form, "user");
  const Login login =
      Authenticate(context_.settings().pam_service, context_.settings().config.group, user,
                   Get(request.form, "password"));
  if (login.result == LoginResult::kOk) {
    const std::string token = sessions_.Create(login.actor, now);
    Log("console").info("{} (uid {}) logged in from {}", login.actor.name, login.actor.uid,
                        request.peer);
    Response r = Redirect("/");
    r.set_cookies.push_back(Cookie(kSessionCookie, token, "/", -1));
    r.set_cookies.push_back(Cookie(kLoginCookie, "", "/login", 0));
    return r;
  }
  if (login.result == LoginResult::kError) {
    Log("console").error("login of {} from {}: PAM: {}", LoggedName(user), request.peer,
                         EscapeBytes(login.detail, true));
    return LoginPage(request, 500,
                     "Logins cannot be checked at the moment (see the service's log).");
  }
  const double delay = limiter_.Failed(request.peer, now);
  Response r;
  if (login.result == LoginResult::kNotMember) {
    Log("console").warn("login of {} from {} refused: not a member of {}", LoggedName(user),
                        request.peer, context_.settings().config.group);
    r = LoginPage(request, 403,
                  "This account may not use the review console: it is not a member of the group " +
                      context_.settings().config.group + ".");
  } else {
    Log("console").warn("failed login from {}", request.peer);
    r = LoginPage(request, 401, "Wrong user name or password.");
  }
  r.delay = delay;
  return r;
}

namespace {

// Whether a POST comes from another site, by its Origin header (a second guard next to
// SameSite cookies and the CSRF tokens). Browsers send "null" for pages whose referrer
// policy is no-referrer, as the console's are; that and no header at all pass here.
bool FromElsewhere(const Request& request) {
  if (request.origin.empty() || request.origin == "null") return false;
  return request.origin != "https://" + request.host;
}

}  // namespace

Response App::Handle(const Request& request) {
  if (request.path == "/console.css" && request.method != "POST") {
    Response r;
    r.content_type = "text/css; charset=utf-8";
    r.body = StyleSheet();
    return r;
  }
  if (request.path == "/favicon.ico") {
    Response r;
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
  if (request.method == "POST" && FromElsewhere(request)) {
    Log("console").warn("a form from another site refused ({})", request.peer);
    Response r;
    r.status = 403;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "forms are accepted from this console only\n";
    return r;
  }
  if (request.path == "/login") {
    if (request.method == "POST") return DoLogin(request);
    return LoginPage(request, 200, "");
  }
  const std::string token = Get(request.cookies, kSessionCookie);
  const std::optional<Session> session = sessions_.Find(token, Monotonic());
  if (!session) {
    if (request.method == "POST") {
      Response r = LoginPage(request, 401, "Your session has ended. Please log in again.");
      r.set_cookies.push_back(Cookie(kSessionCookie, "", "/", 0));
      return r;
    }
    return Redirect("/login");
  }
  if (request.method == "POST" && !SameToken(Get(request.form, "csrf"), session->csrf)) {
    Log("console").warn("{}: a form without its token refused ({})", session->actor.name,
                        request.path);
    Response r;
    r.status = 403;
    r.body = Page({"Refused", session->actor.name, session->csrf, ""},
                  "<p class=\"message\">The form was not sent from this console (its token is "
                  "missing or wrong). Go back, reload the page and try again.</p>");
    return r;
  }
  return Route(request, *session, token);
}

Response App::Route(const Request& request, const Session& session, const std::string& token) {
  const PageContext pc{request, session, context_, NowUnix()};
  const std::string& path = request.path;
  if (request.method == "POST") {
    if (path == "/logout") {
      sessions_.Remove(token);
      Log("console").info("{} logged out", session.actor.name);
      Response r = Redirect("/login");
      r.set_cookies.push_back(Cookie(kSessionCookie, "", "/", 0));
      return r;
    }
    constexpr std::string_view kPrefix = "/findings/";
    if (path.rfind(kPrefix, 0) == 0) {
      const std::string rest = path.substr(kPrefix.size());
      const size_t slash = rest.find('/');
      if (slash != std::string::npos) {
        if (auto id = IdOf(rest.substr(0, slash))) {
          return ReviewFinding(pc, *id, rest.substr(slash + 1));
        }
      }
    }
    return ErrorPage(pc, 404, "There is no such form.");
  }
  if (path == "/") return OverviewPage(pc);
  if (path == "/findings") return FindingsPage(pc);
  if (path.rfind("/findings/", 0) == 0) {
    if (auto id = IdOf(std::string_view(path).substr(10))) return FindingPage(pc, *id);
  }
  if (path == "/coverage") return CoveragePage(pc);
  if (path == "/scans") return ScansPage(pc);
  if (path == "/policies") return PoliciesPage(pc);
  return ErrorPage(pc, 404, "There is no such page.");
}

}  // namespace custos::service::console
