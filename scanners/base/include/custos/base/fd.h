// UniqueFd: owns a POSIX file descriptor and closes it once.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <utility>

namespace custos {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// pread(2) that retries on EINTR, and on EAGAIN clears O_NONBLOCK and retries: files
// are opened non-blocking (a FIFO swapped in must not block the open) and kept so,
// which costs nothing for regular files on local and network file systems; a file
// system that does honour the flag (some FUSE ones) gets blocking reads from then on.
inline ssize_t PreadBlocking(int fd, void* buf, size_t n, off_t offset) {
  for (;;) {
    const ssize_t got = ::pread(fd, buf, n, offset);
    if (got >= 0) return got;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return -1;
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_NONBLOCK) == 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
      errno = EAGAIN;
      return -1;
    }
  }
}

}  // namespace custos
