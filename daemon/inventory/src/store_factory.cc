// Which store a location names, and locations without their passwords.
#include <cctype>

#include "custos/base/escape.h"
#include "custos/base/host.h"
#include "custos/inventory/store.h"

namespace custos::inventory {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool EndsToken(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'';
}

// Removes the password of every URI's user information (scheme://user:PASSWORD@host).
std::string RedactUserInfo(std::string s) {
  size_t from = 0;
  while (true) {
    const size_t scheme = s.find("://", from);
    if (scheme == std::string::npos) return s;
    const size_t start = scheme + 3;
    size_t end = start;
    while (end < s.size() && !EndsToken(s[end])) ++end;
    // The last '@' of the token ends the user information (a password may hold '/').
    const size_t at = s.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string::npos && at >= start) {
      const size_t colon = s.find(':', start);
      if (colon != std::string::npos && colon < at) {
        s.erase(colon, at - colon);
        end -= at - colon;
      }
    }
    from = end;
  }
}

// Replaces the value of every password parameter (password=..., sslpassword=..., in a URI
// query or a key=value connection string) with "***".
std::string RedactParams(std::string s) {
  size_t from = 0;
  while (true) {
    size_t pos = std::string::npos;
    for (size_t i = from; i + 9 <= s.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(s[i])) != 'p') continue;
      std::string key = s.substr(i, 8);
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (key != "password") continue;
      size_t eq = i + 8;
      while (eq < s.size() && s[eq] == ' ') ++eq;
      if (eq < s.size() && s[eq] == '=') {
        pos = eq + 1;
        break;
      }
    }
    if (pos == std::string::npos) return s;
    while (pos < s.size() && s[pos] == ' ') ++pos;
    size_t end = pos;
    if (end < s.size() && s[end] == '\'') {
      ++end;
      while (end < s.size() && s[end] != '\'') end += s[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, s.size());
    } else {
      while (end < s.size() && s[end] != '&' && !EndsToken(s[end])) ++end;
    }
    s.replace(pos, end - pos, "***");
    from = pos + 3;
  }
}

}  // namespace

bool IsPgLocation(std::string_view location) {
  return StartsWith(location, "postgresql://") || StartsWith(location, "postgres://");
}

std::string SqlitePath(std::string_view location) {
  if (IsPgLocation(location)) return "";
  if (StartsWith(location, "sqlite:")) location.remove_prefix(7);
  return std::string(location);
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, const OpenOptions& options) {
  if (!options.node.empty() && !IsNodeName(options.node)) {
    return Status::Invalid("'" + EscapeBytes(options.node, true) +
                           "' is not a node name (letters, digits, '.', '-', '_'; at most 64)");
  }
  if (IsPgLocation(location)) {
    // A command line (and a config file) is readable by others: the password goes in a
    // passfile, which libpq reads itself.
    if (RedactUri(location) != location) {
      return Status::Invalid(RedactUri(location) +
                             ": a password does not belong in the inventory's URI: put it in "
                             "a passfile (~/.pgpass, PGPASSFILE or passfile=...)");
    }
    return OpenPgStore(location, options);
  }
  const std::string path = SqlitePath(location);
  if (path.empty()) return Status::Invalid("inventory: no path given");
  return OpenSqliteStore(path, options);
}

std::string RedactUri(std::string_view text) {
  return RedactParams(RedactUserInfo(std::string(text)));
}

}  // namespace custos::inventory
