// The table of custos.yaml's keys, and what is made from it: expected-value texts,
// values as written, the restart decision and the defaults.
#include "custos/config/keys.h"

#include <cmath>
#include <type_traits>

#include "custos/base/escape.h"
#include "custos/config/config.h"

namespace custos::config {
namespace {

// Copies a checked value into a field of the config, whatever its arithmetic type.
template <typename T>
void Assign(T& target, const Value& value) {
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool> || std::is_same_v<V, bool>) {
          if constexpr (std::is_same_v<T, V>) target = v;
        } else if constexpr (std::is_arithmetic_v<T> && std::is_arithmetic_v<V>) {
          target = static_cast<T>(v);
        } else if constexpr (std::is_assignable_v<T&, const V&> && !std::is_arithmetic_v<V>) {
          target = v;
        }
      },
      value);
}

template <typename T>
Value ToValue(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v;
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<uint64_t>(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<double>(v);
  } else {
    return v;
  }
}

struct Access {
  decltype(Key::set) set;
  decltype(Key::get) get;
};

// A field of the config, reached through members: Top<&DaemonConfig::control,
// &ControlConfig::socket>().
template <auto... Members>
constexpr Access Top() {
  return {[](DaemonConfig& c, RootConfig&, const Value& v) { Assign((c.*....*Members), v); },
          [](const DaemonConfig& c, const RootConfig&) { return ToValue((c.*....*Members)); }};
}

// A field of a root.
template <auto Member>
constexpr Access Root() {
  return {[](DaemonConfig&, RootConfig& r, const Value& v) { Assign(r.*Member, v); },
          [](const DaemonConfig&, const RootConfig& r) { return ToValue(r.*Member); }};
}

const std::string& Text(const Value& v) { return std::get<std::string>(v); }

// metrics.listen, console.listen: "off", or ADDRESS:PORT (checked by the loader), into a
// section with enabled, address and port.
template <auto Section>
constexpr Access ListenAt() {
  return {[](DaemonConfig& c, RootConfig&, const Value& v) {
            auto& section = c.*Section;
            const std::string& s = Text(v);
            section.enabled = s != "off";
            if (!section.enabled) return;
            const size_t colon = s.rfind(':');
            std::string host = s.substr(0, colon);
            if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
            section.address = host;
            section.port = static_cast<uint16_t>(std::stoul(s.substr(colon + 1)));
          },
          [](const DaemonConfig& c, const RootConfig&) -> Value {
            const auto& section = c.*Section;
            if (!section.enabled) return std::string("off");
            const bool v6 = section.address.find(':') != std::string::npos;
            return (v6 ? "[" + section.address + "]" : section.address) + ":" +
                   std::to_string(section.port);
          }};
}

constexpr Access kTimezoneAccess = {
    [](DaemonConfig& c, RootConfig&, const Value& v) {
      c.zone = Text(v) == "utc" ? TimeZone::kUtc : TimeZone::kLocal;
    },
    [](const DaemonConfig& c, const RootConfig&) -> Value {
      return std::string(c.zone == TimeZone::kUtc ? "utc" : "local");
    }};

using enum ValueType;
constexpr OnReload kRestart = OnReload::kRestart;

Key Row(Key key, Access access) {
  key.set = access.set;
  key.get = access.get;
  return key;
}

std::vector<Key> MakeKeys() {
  using C = DaemonConfig;
  using R = RootConfig;
  using T = ThrottleOptions;
  return {
      // The shares to scan, each a map of the roots[] keys below.
      Row({.path = "roots[].path",
           .type = kPath,
           .doc = "absolute path of the share",
           .required = true},
          Root<&R::path>()),
      Row({.path = "roots[].name",
           .type = kName,
           .default_value = "rootN",
           .doc = "used in metrics and by custos scan-now NAME; N is the root's place in the list",
           .derived = true},
          Root<&R::name>()),
      Row({.path = "roots[].schedule",
           .type = kSchedule,
           .default_value = "@daily",
           .doc = "five cron fields, or @hourly, @daily, @weekly, @monthly, @yearly, @reboot"},
          Root<&R::schedule>()),
      Row({.path = "roots[].exclude",
           .type = kGlobs,
           .default_value = "[]",
           .doc = "globs of paths not to enter"},
          Root<&R::excludes>()),
      Row({.path = "roots[].cross_filesystems",
           .type = kBool,
           .default_value = "false",
           .doc = "descend into other mounted file systems"},
          Root<&R::cross_filesystems>()),
      Row({.path = "roots[].max_depth",
           .type = kCount,
           .default_value = "256",
           .doc = "folders below the root",
           .min = 1,
           .max = 4096},
          Root<&R::max_depth>()),
      Row({.path = "roots[].max_path",
           .type = kCount,
           .default_value = "4096",
           .doc = "bytes in an absolute path",
           .min = 256,
           .max = 1 << 20},
          Root<&R::max_path>()),
      Row({.path = "roots[].max_file_size",
           .type = kSize,
           .default_value = "1GiB",
           .doc = "bytes read from one file",
           .min = 4096},
          Root<&R::max_file_bytes>()),
      Row({.path = "roots[].max_item_time",
           .type = kDuration,
           .default_value = "2min",
           .doc = "time spent on one file",
           .min = 1},
          Root<&R::max_item_seconds>()),
      Row({.path = "site",
           .type = kString,
           .default_value = "",
           .doc = "the site's name, shown with the host name on reports; empty: none"},
          Top<&C::site>()),
      Row({.path = "node",
           .type = kNode,
           .default_value = "hostname",
           .doc = "this server's name in a fleet inventory: its folders, items and scans",
           .on_reload = kRestart,
           .derived = true},
          Top<&C::node>()),
      Row({.path = "policies",
           .type = kFiles,
           .default_value = "[]",
           .doc = "policy files, in order; relative to this file's folder"},
          Top<&C::policies>()),
      Row({.path = "state_directory",
           .type = kPath,
           .default_value = "/var/lib/custos",
           .doc = "schedule state, inventory, HMAC key",
           .on_reload = kRestart},
          Top<&C::state_directory>()),
      Row({.path = "inventory",
           .type = kStore,
           .default_value = "state_directory/inventory.db",
           .doc = "the inventory: a file, or a PostgreSQL database (postgresql://...)",
           .on_reload = kRestart,
           .derived = true},
          Top<&C::inventory>()),
      Row({.path = "control.socket",
           .type = kPath,
           .default_value = "/run/custos/custos.sock",
           .doc = "the control socket of custos status, scan-now, reload, findings and report",
           .on_reload = kRestart,
           .max = 107},  // sun_path: 108 bytes with the terminating NUL
          Top<&C::control, &ControlConfig::socket>()),
      Row({.path = "control.group",
           .type = kString,
           .default_value = "custos",
           .doc = "the operators' group: its members may use status, scan-now and reload",
           .on_reload = kRestart},
          Top<&C::control, &ControlConfig::group>()),
      Row({.path = "control.review_group",
           .type = kString,
           .default_value = "custos-review",
           .doc = "the reviewers' group: its members may read and decide findings and reports",
           .on_reload = kRestart},
          Top<&C::control, &ControlConfig::review_group>()),
      Row({.path = "control.max_request_size",
           .type = kSize,
           .default_value = "64KiB",
           .doc = "the largest request accepted",
           .on_reload = kRestart,
           .min = 1024,
           .max = 16 << 20},
          Top<&C::control, &ControlConfig::max_request_bytes>()),
      Row({.path = "control.request_timeout",
           .type = kDuration,
           .default_value = "10s",
           .doc = "time to send a request or take a response",
           .on_reload = kRestart,
           .min = 1},
          Top<&C::control, &ControlConfig::request_timeout>()),
      Row({.path = "control.max_connections",
           .type = kCount,
           .default_value = "32",
           .doc = "connections served at once",
           .on_reload = kRestart,
           .min = 1,
           .max = 4096},
          Top<&C::control, &ControlConfig::max_connections>()),
      Row({.path = "metrics.listen",
           .type = kListen,
           .default_value = "127.0.0.1:9797",
           .doc = "address of /metrics and /healthz; port 0 picks a free port; off disables",
           .on_reload = kRestart},
          ListenAt<&C::metrics>()),
      Row({.path = "console.listen",
           .type = kListen,
           .default_value = "off",
           .doc = "address of the review console (HTTPS only); off disables it",
           .on_reload = kRestart},
          ListenAt<&C::console>()),
      Row({.path = "console.tls.cert",
           .type = kPath,
           .default_value = "/etc/custos/console/cert.pem",
           .doc = "the console's certificate (PEM, with its chain)",
           .on_reload = kRestart},
          Top<&C::console, &ConsoleConfig::cert>()),
      Row({.path = "console.tls.key",
           .type = kPath,
           .default_value = "/etc/custos/console/key.pem",
           .doc = "the certificate's private key (PEM)",
           .on_reload = kRestart},
          Top<&C::console, &ConsoleConfig::key>()),
      Row({.path = "console.group",
           .type = kString,
           .default_value = "control.review_group",
           .doc =
               "members of this group may log in to the console; unless set, the reviewers' group",
           .on_reload = kRestart,
           .derived = true},
          Top<&C::console, &ConsoleConfig::group>()),
      Row({.path = "console.idle_timeout",
           .type = kDuration,
           .default_value = "15min",
           .doc = "a console session ends after this long without a request",
           .on_reload = kRestart,
           .min = 60},
          Top<&C::console, &ConsoleConfig::idle_timeout>()),
      Row({.path = "logging.level",
           .type = kChoice,
           .default_value = "info",
           .doc = "the least severe messages logged",
           .choices = {"trace", "debug", "info", "warn", "error"}},
          Top<&C::log_level>()),
      Row({.path = "scan.threads",
           .type = kCount,
           .default_value = "2",
           .doc = "workers of one run",
           .min = 1,
           .max = 256},
          Top<&C::threads>()),
      Row({.path = "scan.parallel_roots",
           .type = kCount,
           .default_value = "1",
           .doc = "runs at the same time (never two of one root)",
           .on_reload = kRestart,
           .min = 1,
           .max = 64},
          Top<&C::parallel_roots>()),
      Row({.path = "scan.splay",
           .type = kDuration,
           .default_value = "10min",
           .doc = "each scheduled run starts a random time up to this much later"},
          Top<&C::splay>()),
      Row({.path = "scan.timezone",
           .type = kChoice,
           .default_value = "local",
           .doc = "the zone schedules and windows are read in",
           .choices = {"local", "utc"}},
          kTimezoneAccess),
      Row({.path = "scan.content",
           .type = kBool,
           .default_value = "true",
           .doc = "read file contents and run the detectors"},
          Top<&C::content>()),
      Row({.path = "scan.magic_database",
           .type = kString,
           .default_value = "",
           .doc = "libmagic database list; empty: custos' own, then the system's"},
          Top<&C::magic_database>()),
      Row({.path = "throttle.bytes_per_second",
           .type = kSize,
           .default_value = "0",
           .doc = "bytes read per second over all workers; 0: no cap"},
          Top<&C::throttle, &T::bytes_per_second>()),
      Row({.path = "throttle.files_per_second",
           .type = kCount,
           .default_value = "0",
           .doc = "files opened per second; 0: no cap",
           .max = 1000000},
          Top<&C::throttle, &T::files_per_second>()),
      Row({.path = "throttle.nice",
           .type = kCount,
           .default_value = "10",
           .doc = "nice value of the scan threads",
           .max = 19},
          Top<&C::nice>()),
      Row({.path = "throttle.io_class",
           .type = kChoice,
           .default_value = "idle",
           .doc = "I/O scheduling class of the scan threads",
           .choices = {"idle", "best-effort", "none"}},
          Top<&C::io_class>()),
      Row({.path = "throttle.windows",
           .type = kWindows,
           .default_value = "[]",
           .doc = "daily windows scheduled runs keep to; empty: any time"},
          Top<&C::throttle, &T::windows>()),
      Row({.path = "throttle.backoff",
           .type = kBool,
           .default_value = "true",
           .doc = "pause when reads get much slower than usual"},
          Top<&C::throttle, &T::backoff>()),
      Row({.path = "throttle.backoff_threshold",
           .type = kCount,
           .default_value = "4",
           .doc = "how many times slower counts as much slower",
           .min = 2,
           .max = 100},
          Top<&C::throttle, &T::backoff_options, &BackoffOptions::threshold>()),
  };
}

// "1GiB", "64KiB", "4096", "0": the largest binary unit that divides exactly.
std::string FormatSize(uint64_t bytes) {
  static constexpr std::pair<const char*, int> kUnits[] = {
      {"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}};
  for (const auto& [unit, shift] : kUnits) {
    const uint64_t one = uint64_t{1} << shift;
    if (bytes >= one && bytes % one == 0) return std::to_string(bytes >> shift) + unit;
  }
  return std::to_string(bytes);
}

// "10min", "2h", "30s": the largest unit that divides exactly.
std::string FormatDuration(double seconds) {
  const auto s = static_cast<uint64_t>(std::llround(seconds));
  static constexpr std::pair<const char*, uint64_t> kUnits[] = {
      {"d", 86400}, {"h", 3600}, {"min", 60}};
  for (const auto& [unit, one] : kUnits) {
    if (s >= one && s % one == 0) return std::to_string(s / one) + unit;
  }
  return std::to_string(s) + "s";
}

uint64_t Whole(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) return static_cast<uint64_t>(std::llround(*d));
  if (const auto* u = std::get_if<uint64_t>(&v)) return *u;
  return 0;
}

}  // namespace

std::string_view Key::section() const {
  if (in_root()) return "roots";
  const size_t dot = path.find('.');
  return dot == std::string_view::npos ? std::string_view() : path.substr(0, dot);
}

const std::vector<Key>& ConfigKeys() {
  static const std::vector<Key> kKeys = MakeKeys();
  return kKeys;
}

const Key* FindKey(std::string_view path) {
  for (const Key& k : ConfigKeys()) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

std::string Expected(const Key& k) {
  switch (k.type) {
    case kString:
      return "a string";
    case kStore:
      return "an absolute path or a postgresql:// URI without a password";
    case kPath:
      return k.max ? "an absolute path of at most " + std::to_string(k.max) + " bytes"
                   : "an absolute path";
    case kBool:
      return "true or false";
    case kCount:
      return "a whole number " + std::to_string(k.min) + "-" + std::to_string(k.max);
    case kSize:
      return "a number and a unit: B, KiB, MiB, GiB, TiB" +
             (k.min ? ", at least " + FormatSize(k.min) : std::string()) +
             (k.max ? ", at most " + FormatSize(k.max) : std::string());
    case kDuration:
      return "a number and a unit: s, min, h, d" +
             (k.min ? ", at least " + HumanSeconds(static_cast<double>(k.min)) : std::string());
    case kChoice: {
      std::string out;
      for (std::string_view c : k.choices) out += (out.empty() ? "" : ", ") + std::string(c);
      return out;
    }
    case kName:
      return "[a-z0-9_-]+, at most 64";
    case kNode:
      return "letters, digits, '.', '-' and '_', at most 64, starting with a letter or digit";
    case kSchedule:
      return "five cron fields or @hourly, @daily, @weekly, @monthly, @yearly, @reboot";
    case kListen:
      return "ADDRESS:PORT like 127.0.0.1:9797 or [::1]:9797, or off";
    case kGlobs:
      return "a list of globs";
    case kWindows:
      return "a list of HH:MM-HH:MM";
    case kFiles:
      return "a list of file names";
  }
  return "";
}

std::string FormatValue(const Key& k, const Value& v) {
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : ", ") + EscapeBytes(i, true);
    return "[" + out + "]";
  };
  switch (k.type) {
    case kBool:
      return std::get<bool>(v) ? "true" : "false";
    case kCount:
      return std::to_string(Whole(v));
    case kSize:
      return FormatSize(Whole(v));
    case kDuration:
      return FormatDuration(std::get<double>(v));
    case kSchedule:
      return std::get<CronSchedule>(v).text();
    case kGlobs: {
      std::vector<std::string> items;
      for (const Glob& g : std::get<std::vector<Glob>>(v)) items.push_back(g.pattern());
      return list(items);
    }
    case kWindows: {
      std::vector<std::string> items;
      for (const ScanWindow& w : std::get<std::vector<ScanWindow>>(v))
        items.push_back(w.ToString());
      return list(items);
    }
    case kFiles:
      return list(std::get<std::vector<std::string>>(v));
    default:
      return EscapeBytes(Text(v), true);
  }
}

std::vector<std::string> ChangedRestartKeys(const DaemonConfig& before, const DaemonConfig& after) {
  std::vector<std::string> changed;
  const RootConfig none;
  for (const Key& k : ConfigKeys()) {
    if (k.on_reload != OnReload::kRestart) continue;
    if (FormatValue(k, k.get(before, none)) != FormatValue(k, k.get(after, none))) {
      changed.emplace_back(k.path);
    }
  }
  return changed;
}

}  // namespace custos::config
