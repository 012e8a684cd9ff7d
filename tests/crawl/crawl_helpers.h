// Helpers for the crawl tests: running a whole walk, building odd trees.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "custos/crawl/walker.h"

namespace custos::crawl::testing {

struct WalkResult {
  Status status;
  std::vector<Entry> entries;
  WalkStats stats;
};

// Runs a whole walk and keeps every entry.
inline WalkResult WalkAll(const std::string& root, const WalkOptions& options = {}) {
  WalkResult r;
  r.status = Walk(
      root, options,
      [&r](Entry&& e) {
        r.entries.push_back(std::move(e));
        return true;
      },
      &r.stats);
  return r;
}

// One sorted line per entry: "PATH", or "PATH (REASON)" for a skipped entry.
inline std::vector<std::string> Lines(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const Entry& e : entries) {
    out.push_back(e.skipped.empty() ? e.path : e.path + " (" + e.skipped.Text() + ")");
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// The entry with this path; fails the test when there is none.
inline const Entry& Find(const std::vector<Entry>& entries, const std::string& path) {
  auto it =
      std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.path == path; });
  INFO("looking for " << path);
  REQUIRE(it != entries.end());
  return *it;
}

inline void MakeDir(const std::string& path, mode_t mode = 0755) {
  INFO(path << ": " << std::strerror(errno));
  REQUIRE(::mkdir(path.c_str(), mode) == 0);
  REQUIRE(::chmod(path.c_str(), mode) == 0);  // not subject to the umask
}

inline void MakeSymlink(const std::string& target, const std::string& link) {
  INFO(link << " -> " << target);
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
}

inline void MakeFifo(const std::string& path) {
  INFO(path);
  REQUIRE(::mkfifo(path.c_str(), 0644) == 0);
}

// Leaves a Unix socket file at `path` (the socket itself is closed).
inline void MakeSocket(const std::string& path) {
  INFO(path);
  struct sockaddr_un addr {};
  REQUIRE(path.size() < sizeof(addr.sun_path));
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  const int rc = ::bind(fd, reinterpret_cast<const struct sockaddr*>(&addr), sizeof(addr));
  ::close(fd);
  REQUIRE(rc == 0);
}

// Reads the whole of an open descriptor.
inline std::string ReadAll(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  REQUIRE(n == 0);
  return s;
}

// Number of descriptors open in this process.
inline int CountOpenFds() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  REQUIRE(d != nullptr);
  while (const struct dirent* de = ::readdir(d)) {
    if (de->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the descriptor of the listing itself
}

// Removes folder `name` in `parent_fd` and everything below it, working relative to
// descriptors so that paths longer than PATH_MAX are no problem (std::filesystem
// gives up on those). Returns false on any failure.
inline bool RemoveTreeAt(int parent_fd, const char* name) {
  const int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return false;
  }
  bool ok = true;
  std::vector<std::string> dirs;
  while (const struct dirent* de = ::readdir(d)) {
    const std::string_view n = de->d_name;
    if (n == "." || n == "..") continue;
    struct stat st;
    if (::fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      ok = false;
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      dirs.emplace_back(n);
    } else if (::unlinkat(fd, de->d_name, 0) != 0) {
      ok = false;
    }
  }
  for (const std::string& sub : dirs) ok = RemoveTreeAt(fd, sub.c_str()) && ok;
  ::closedir(d);
  return ::unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 && ok;
}

}  // namespace custos::crawl::testing
