#include "custos/service/state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "custos/base/escape.h"
#include "custos/base/fd.h"
#include "custos/base/path.h"

namespace custos::service {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxStateBytes = 16 << 20;

Status WriteAll(int fd, const std::string& data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(what, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

template <typename T>
void Get(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end()) return;
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) out = it->get<std::string>();
  } else {
    if (it->is_number()) out = it->get<T>();
  }
}

}  // namespace

Result<DaemonState> LoadState(const std::string& path) {
  DaemonState state;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return state;
    return Status::FromErrno(EscapeBytes(path, true), errno);
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(EscapeBytes(path, true), errno);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxStateBytes) return Status::Io(EscapeBytes(path, true) + ": too large");
  }
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Io(EscapeBytes(path, true) + ": not a custosd state file (bad JSON)");
  }
  Get(j, "next_run_id", state.next_run_id);
  if (auto roots = j.find("roots"); roots != j.end() && roots->is_object()) {
    for (const auto& [name, r] : roots->items()) {
      if (!r.is_object()) continue;
      RootState s;
      Get(r, "path", s.path);
      Get(r, "first_seen", s.first_seen);
      Get(r, "running_since", s.running_since);
      Get(r, "trigger", s.trigger);
      Get(r, "last_start", s.last_start);
      Get(r, "last_end", s.last_end);
      Get(r, "result", s.result);
      Get(r, "run_id", s.run_id);
      Get(r, "items", s.items);
      Get(r, "items_read", s.items_read);
      Get(r, "items_reused", s.items_reused);
      Get(r, "bytes", s.bytes);
      Get(r, "violations", s.violations);
      Get(r, "seconds", s.seconds);
      Get(r, "error", s.error);
      state.roots[name] = s;
    }
  }
  if (state.next_run_id == 0) state.next_run_id = 1;
  return state;
}

Status SaveState(const std::string& path, const DaemonState& state) {
  json roots = json::object();
  for (const auto& [name, s] : state.roots) {
    roots[name] = {{"path", s.path},
                   {"first_seen", s.first_seen},
                   {"running_since", s.running_since},
                   {"trigger", s.trigger},
                   {"last_start", s.last_start},
                   {"last_end", s.last_end},
                   {"result", s.result},
                   {"run_id", s.run_id},
                   {"items", s.items},
                   {"items_read", s.items_read},
                   {"items_reused", s.items_reused},
                   {"bytes", s.bytes},
                   {"violations", s.violations},
                   {"seconds", s.seconds},
                   {"error", s.error}};
  }
  const json j = {{"version", 1}, {"next_run_id", state.next_run_id}, {"roots", roots}};
  const std::string text = j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  const std::string tmp = path + ".tmp";
  const std::string shown = EscapeBytes(tmp, true);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return Status::FromErrno(shown, errno);
  if (Status s = WriteAll(fd.get(), text, shown); !s.ok()) return s;
  if (::fsync(fd.get()) != 0) return Status::FromErrno(shown + ": fsync", errno);
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::FromErrno(EscapeBytes(path, true) + ": rename", errno);
  }
  UniqueFd dfd(::open(FolderOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.valid()) ::fsync(dfd.get());
  return Status::Ok();
}

}  // namespace custos::service
