// The console's login (PAM and group membership), sessions, CSRF tokens and the limit
// of failed logins per address.
#include <grp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "console.h"

namespace custos::service::console {
namespace {

// Answers PAM's prompts: the password for those that hide the echo, the user name for
// the others; messages are ignored.
struct Credentials {
  const std::string* user;
  const std::string* password;
};

int Converse(int n, const struct pam_message** msg, struct pam_response** resp, void* data) {
  if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  const auto* creds = static_cast<const Credentials*>(data);
  auto* replies =
      static_cast<pam_response*>(std::calloc(static_cast<size_t>(n), sizeof(pam_response)));
  if (!replies) return PAM_BUF_ERR;
  for (int i = 0; i < n; ++i) {
    const char* answer = nullptr;
    switch (msg[i]->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
        answer = creds->password->c_str();
        break;
      case PAM_PROMPT_ECHO_ON:
        answer = creds->user->c_str();
        break;
      default:
        break;
    }
    if (answer) {
      replies[i].resp = ::strdup(answer);
      if (!replies[i].resp) {
        for (int j = 0; j < i; ++j) std::free(replies[j].resp);
        std::free(replies);
        return PAM_BUF_ERR;
      }
    }
  }
  *resp = replies;
  return PAM_SUCCESS;
}

// PAM's delay after a failure is the caller's (an asynchronous wait, not a thread asleep).
void NoDelay(int, unsigned, void*) {}

bool InGroup(const std::string& user, gid_t primary, const std::string& group) {
  struct group gr;
  struct group* found = nullptr;
  std::vector<char> buf(16384);
  if (::getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found) return false;
  if (found->gr_gid == primary) return true;
  for (char** m = found->gr_mem; m && *m; ++m) {
    if (user == *m) return true;
  }
  return false;
}

}  // namespace

Login Authenticate(const std::string& service, const std::string& group, const std::string& user,
                   const std::string& password) {
  Login out;
  if (user.empty() || user.size() > 256 || password.size() > 4096 ||
      user.find_first_of(std::string("\0:/\n", 4)) != std::string::npos) {
    out.result = LoginResult::kBadCredentials;
    return out;
  }
  Credentials creds{&user, &password};
  const struct pam_conv conv = {Converse, &creds};
  pam_handle_t* pamh = nullptr;
  int rc = ::pam_start(service.c_str(), user.c_str(), &conv, &pamh);
  if (rc != PAM_SUCCESS) {
    out.detail = pamh ? ::pam_strerror(pamh, rc) : "pam_start failed";
    if (pamh) ::pam_end(pamh, rc);
    return out;
  }
  ::pam_set_item(pamh, PAM_FAIL_DELAY, reinterpret_cast<const void*>(&NoDelay));
  ::pam_set_item(pamh, PAM_RHOST, "console");
  rc = ::pam_authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
  if (rc == PAM_SUCCESS) rc = ::pam_acct_mgmt(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
  if (rc == PAM_AUTH_ERR || rc == PAM_USER_UNKNOWN || rc == PAM_MAXTRIES ||
      rc == PAM_CRED_INSUFFICIENT || rc == PAM_ACCT_EXPIRED || rc == PAM_NEW_AUTHTOK_REQD ||
      rc == PAM_PERM_DENIED) {
    out.result = LoginResult::kBadCredentials;
  } else if (rc != PAM_SUCCESS) {
    out.detail = ::pam_strerror(pamh, rc);
  }
  ::pam_end(pamh, rc);
  if (rc != PAM_SUCCESS) return out;

  struct passwd pw;
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found) {
    out.result = LoginResult::kBadCredentials;
    return out;
  }
  if (!InGroup(user, found->pw_gid, group)) {
    out.result = LoginResult::kNotMember;
    return out;
  }
  out.result = LoginResult::kOk;
  out.actor = {found->pw_name, static_cast<int64_t>(found->pw_uid)};
  return out;
}

std::string RandomToken(size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (::RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) std::abort();
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

bool SameToken(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && ::CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// --- Sessions.

namespace {
constexpr double kMaxSessionSeconds = 12 * 3600;
constexpr size_t kMaxSessions = 1000;

// Sessions are kept by the SHA-256 of their token: looking one up compares digests, not
// the secret itself, and a copy of the table holds no usable cookie.
std::string Key(const std::string& token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  ::SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}
}  // namespace

std::string Sessions::Create(const inventory::Actor& actor, double now) {
  const std::string token = RandomToken(32);
  MutexLock lock(mu_);
  // Expired sessions go first; at the cap, the least recently used.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const bool expired =
        now - it->second.last_used > idle_timeout_ || now - it->second.created > kMaxSessionSeconds;
    it = expired ? sessions_.erase(it) : std::next(it);
  }
  if (sessions_.size() >= kMaxSessions) {
    auto oldest = std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
    sessions_.erase(oldest);
  }
  sessions_[Key(token)] = {actor, RandomToken(32), now, now};
  return token;
}

std::optional<Session> Sessions::Find(const std::string& token, double now) {
  if (token.size() != 64) return std::nullopt;
  const std::string key = Key(token);
  MutexLock lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_used > idle_timeout_ || now - it->second.created > kMaxSessionSeconds) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second;
}

void Sessions::Remove(const std::string& token) {
  const std::string key = Key(token);
  MutexLock lock(mu_);
  sessions_.erase(key);
}

// --- Failed logins.

double LoginLimiter::Blocked(const std::string& address, double now) {
  MutexLock lock(mu_);
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return 0;
  if (now - it->second.first > kWindow) {
    by_address_.erase(it);
    return 0;
  }
  return it->second.failures >= kMaxFailures ? it->second.first + kWindow - now : 0;
}

double LoginLimiter::Failed(const std::string& address, double now) {
  MutexLock lock(mu_);
  if (by_address_.size() > 10000) by_address_.clear();  // a flood of addresses: start over
  Entry& e = by_address_[address];
  if (e.failures == 0 || now - e.first > kWindow) e = {0, now};
  ++e.failures;
  return std::min(1.0 * e.failures, 5.0);
}

}  // namespace custos::service::console
